"""Bad input: every error names the offending thing; failures change nothing; no warnings.

pytest runs with warnings as errors (pyproject.toml), so any RuntimeWarning raised on the
edge cases below fails the test.
"""

import copy
import inspect
import re
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import sparse

from sklearn_norm import (
    DecimalScaler,
    LogScaler,
    MinMaxScaler,
    ZScoreScaler,
    all_estimators,
)

rng = np.random.default_rng(0)
X3 = rng.uniform(1, 5, size=(10, 3))
DF = pd.DataFrame(X3, columns=["age", "income", "height"])


def _with(X, row, col, value):
    X = np.array(X, dtype=object if isinstance(value, str) else None, copy=True)
    X[row, col] = value
    return X


def _df_with(column, values):
    df = DF.copy()
    df[column] = values
    return df


def _fit(est, X, **kw):
    return lambda: est.fit(X, **kw)


def _fitted_then(est, X_fit, method, X):
    def run():
        est.fit(X_fit)
        getattr(est, method)(X)

    return run


# (id, action, exception, pattern): the pattern checks that the message names the
# offending column, parameter or value.
CASES = [
    # shape and feature mismatches
    (
        "wrong-count-transform",
        _fitted_then(MinMaxScaler(), X3, "transform", X3[:, :2]),
        ValueError,
        r"X has 2 features, but MinMaxScaler is expecting 3",
    ),
    (
        "wrong-count-inverse",
        _fitted_then(ZScoreScaler(), X3, "inverse_transform", X3[:, :1]),
        ValueError,
        r"X has 1 features, but ZScoreScaler is expecting 3",
    ),
    (
        "wrong-count-partial-fit",
        _fitted_then(DecimalScaler(), X3, "partial_fit", X3[:, :2]),
        ValueError,
        r"X has 2 features, but DecimalScaler is expecting 3",
    ),
    (
        "wrong-names-transform",
        _fitted_then(ZScoreScaler(), DF, "transform", DF.rename(columns={"income": "salary"})),
        ValueError,
        r"Feature names unseen at fit time:\n- salary",
    ),
    (
        "missing-name-transform",
        _fitted_then(LogScaler(), DF, "transform", DF[["age", "height"]]),
        ValueError,
        r"seen at fit time, yet now missing:\n- income",
    ),
    ("1d-fit", _fit(MinMaxScaler(), X3[:, 0]), ValueError, r"Expected 2D array, got 1D array"),
    (
        "1d-transform",
        _fitted_then(LogScaler(), X3, "transform", X3[0]),
        ValueError,
        r"Expected 2D array, got 1D array",
    ),
    (
        "empty-rows",
        _fit(DecimalScaler(), X3[:0]),
        ValueError,
        r"0 sample\(s\) \(shape=\(0, 3\)\).*DecimalScaler",
    ),
    (
        "empty-columns",
        _fit(ZScoreScaler(), X3[:, :0]),
        ValueError,
        r"0 feature\(s\) \(shape=\(10, 0\)\).*ZScoreScaler",
    ),
    # non-numeric columns
    (
        "str-column-numpy",
        _fit(MinMaxScaler(), _with(X3, 4, 1, "abc")),
        ValueError,
        r"MinMaxScaler needs numeric values.*column 1.*'abc'",
    ),
    (
        "str-array-numpy",
        _fit(ZScoreScaler(), np.array([["1.5", "x", "2"]])),
        ValueError,
        r"ZScoreScaler needs numeric values.*column 1.*'x'",
    ),
    (
        "object-dict-numpy",
        _fit(LogScaler(), _with(X3.astype(object), 0, 2, {"a": 1})),
        TypeError,
        r"column 2.*not 'dict'",
    ),
    (
        "str-column-pandas",
        _fit(ZScoreScaler(), _df_with("city", ["Oslo"] * 10)),
        TypeError,
        r"non-numeric column\(s\) 'city'",
    ),
    (
        "str-column-pandas-transform",
        _fitted_then(MinMaxScaler(), DF, "transform", _df_with("income", ["high"] * 10)),
        TypeError,
        r"non-numeric column\(s\) 'income'",
    ),
    (
        "str-column-polars",
        _fit(DecimalScaler(), pl.DataFrame({"a": [1.0, 2.0], "city": ["Oslo", "Rome"]})),
        TypeError,
        r"non-numeric column\(s\) 'city'",
    ),
    ("complex", _fit(ZScoreScaler(), X3 + 1j), ValueError, r"Complex data not supported"),
    # infinities
    (
        "inf-fit-numpy",
        _fit(ZScoreScaler(), _with(X3, 2, 1, np.inf)),
        ValueError,
        r"ZScoreScaler got infinite values in column 1;",
    ),
    (
        "inf-fit-pandas",
        _fit(MinMaxScaler(), _df_with("income", [-np.inf] + [1.0] * 9)),
        ValueError,
        r"MinMaxScaler got infinite values in column 'income'",
    ),
    (
        "inf-fit-log",
        _fit(LogScaler(), _with(X3, 0, 2, np.inf)),
        ValueError,
        r"LogScaler got infinite values in column 2",
    ),
    (
        "inf-transform-pandas",
        _fitted_then(ZScoreScaler(), DF, "transform", _df_with("height", [np.inf] * 10)),
        ValueError,
        r"infinite values in column 'height'",
    ),
    (
        "inf-transform-sparse",
        _fitted_then(
            DecimalScaler(),
            sparse.csr_matrix(X3),
            "transform",
            sparse.csr_matrix(_with(X3, 3, 2, -np.inf)),
        ),
        ValueError,
        r"DecimalScaler got infinite values in column 2",
    ),
    (
        "inf-inverse",
        _fitted_then(MinMaxScaler(), X3, "inverse_transform", _with(X3, 1, 0, np.inf)),
        ValueError,
        r"infinite values in column 0",
    ),
    # finite values whose statistics overflow float64
    (
        "huge-zscore",
        _fit(ZScoreScaler(), _df_with("income", [1e200, -1e200] * 5)),
        ValueError,
        r"ZScoreScaler got values too large for float64 statistics in column 'income'",
    ),
    (
        "huge-minmax-range",
        _fit(MinMaxScaler(), _with(_with(X3, 0, 2, 1.7e308), 1, 2, -1.7e308)),
        ValueError,
        r"MinMaxScaler: the range of column 2 overflows float64",
    ),
    (
        "huge-partial-fit-merge",
        _fitted_then(ZScoreScaler(), X3 * 1e154, "partial_fit", -X3 * 1e154),
        ValueError,
        r"too large for float64 statistics in column 0, column 1, column 2",
    ),
    # values a log cannot take
    (
        "negative-log-fit",
        _fit(LogScaler(), _df_with("income", [-5.0] + [1.0] * 9)),
        ValueError,
        r"Negative values in data.*column 'income'.*signed=True",
    ),
    (
        "negative-log-transform",
        _fitted_then(LogScaler(base=10), X3, "transform", _with(X3, 0, 1, -3.0)),
        ValueError,
        r"Negative values in data.*column 1 \(min -3\)",
    ),
    (
        "below-offset-log",
        _fit(LogScaler(offset=2), _with(X3, 0, 0, -2.5)),
        ValueError,
        r"Negative values in data.*<= -offset \(-2\) in column 0",
    ),
    # sparse input where zeros would not stay zeros
    (
        "sparse-minmax",
        _fit(MinMaxScaler(), sparse.csr_matrix(X3)),
        TypeError,
        r"MinMaxScaler does not accept sparse input.*toarray\(\)",
    ),
    (
        "sparse-zscore-with-mean",
        _fit(ZScoreScaler(), sparse.csc_matrix(X3)),
        TypeError,
        r"ZScoreScaler does not accept sparse.*pass with_mean=False",
    ),
    (
        "sparse-log-offset",
        _fit(LogScaler(offset=3), sparse.csr_array(X3)),
        TypeError,
        r"LogScaler does not accept sparse.*offset=1 or signed=True",
    ),
    # invalid parameter values
    (
        "feature-range-reversed",
        _fit(MinMaxScaler(feature_range=(1, 0)), X3),
        ValueError,
        r"feature_range .*a < b, got \(1, 0\)",
    ),
    (
        "feature-range-three",
        _fit(MinMaxScaler(feature_range=(0, 1, 2)), X3),
        ValueError,
        r"feature_range .*got \(0, 1, 2\)",
    ),
    (
        "feature-range-inf",
        _fit(MinMaxScaler(feature_range=(0, np.inf)), X3),
        ValueError,
        r"feature_range must be two finite numbers.*inf",
    ),
    (
        "feature-range-str",
        _fit(MinMaxScaler(feature_range="ab"), X3),
        ValueError,
        r"'feature_range' parameter of MinMaxScaler.*Got 'ab'",
    ),
    (
        "clip-str",
        _fit(MinMaxScaler(clip="no"), X3),
        ValueError,
        r"'clip' parameter of MinMaxScaler.*Got 'no'",
    ),
    (
        "ddof-negative",
        _fit(ZScoreScaler(ddof=-1), X3),
        ValueError,
        r"'ddof' parameter of ZScoreScaler.*Got -1",
    ),
    (
        "ddof-float",
        _fit(ZScoreScaler(ddof=0.5), X3),
        ValueError,
        r"'ddof' parameter of ZScoreScaler.*Got 0.5",
    ),
    (
        "with-mean-str",
        _fit(ZScoreScaler(with_mean="yes"), X3),
        ValueError,
        r"'with_mean' parameter of ZScoreScaler.*Got 'yes'",
    ),
    ("base-one", _fit(LogScaler(base=1), X3), ValueError, r"base must be .* other than 1, got 1"),
    (
        "base-negative",
        _fit(LogScaler(base=-2), X3),
        ValueError,
        r"'base' parameter of LogScaler.*Got -2",
    ),
    ("base-zero", _fit(LogScaler(base=0), X3), ValueError, r"'base' parameter of LogScaler"),
    (
        "offset-str",
        _fit(LogScaler(offset="x"), X3),
        ValueError,
        r"'offset' parameter of LogScaler.*Got 'x'",
    ),
    ("offset-nan", _fit(LogScaler(offset=np.nan), X3), ValueError, r"'offset' parameter"),
    (
        "handle-invalid-str",
        _fit(LogScaler(handle_invalid="x"), X3),
        ValueError,
        r"'handle_invalid' parameter of LogScaler.*Got 'x'",
    ),
    (
        "n-digits-float",
        _fit(DecimalScaler(n_digits=1.5), X3),
        ValueError,
        r"'n_digits' parameter of DecimalScaler.*Got 1.5",
    ),
    (
        "n-digits-huge",
        _fit(DecimalScaler(n_digits=1000), X3),
        ValueError,
        r"'n_digits' parameter of DecimalScaler.*Got 1000",
    ),
    (
        "per-feature-str",
        _fit(DecimalScaler(per_feature="no"), X3),
        ValueError,
        r"'per_feature' parameter of DecimalScaler",
    ),
    # sample weights
    (
        "weight-negative",
        _fit(ZScoreScaler(), X3, sample_weight=-np.ones(10)),
        ValueError,
        r"Negative values in data passed to `sample_weight`",
    ),
    (
        "weight-length",
        _fit(ZScoreScaler(), X3, sample_weight=np.ones(3)),
        ValueError,
        r"sample_weight.shape == \(3,\), expected \(10,\)",
    ),
    (
        "weight-nan",
        _fit(ZScoreScaler(), X3, sample_weight=_with(np.ones((1, 10)), 0, 3, np.nan)[0]),
        ValueError,
        r"sample_weight contains NaN",
    ),
]


@pytest.mark.parametrize(
    ("action", "exc", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_raises_naming_the_culprit(action, exc, pattern):
    with pytest.raises(exc, match=pattern):
        action()


def test_bad_input_table_is_large_enough():
    assert len(CASES) >= 20
    assert len({c[0] for c in CASES}) == len(CASES)


# -- failed fits change nothing -------------------------------------------------------

ESTIMATORS = all_estimators()
NAMES = [cls.__name__ for cls in ESTIMATORS]


def _learned(est):
    """Deep copy of every attribute ending in ``_`` (and the private statistics)."""
    return {k: copy.deepcopy(v) for k, v in vars(est).items() if k.endswith("_") or k == "_stats"}


def _assert_same(before, after):
    assert before.keys() == after.keys()
    for name, value in before.items():
        other = after[name]
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(other, value, err_msg=name)
        elif hasattr(value, "__dataclass_fields__"):
            for field in value.__dataclass_fields__:
                np.testing.assert_array_equal(getattr(other, field), getattr(value, field))
        else:
            assert other == value, name


def _bad_inputs(n_features):
    good = np.random.default_rng(1).uniform(1, 5, size=(8, n_features))
    with_inf = good.copy()
    with_inf[-1, -1] = np.inf
    with_str = good.astype(object)
    with_str[2, 1] = "oops"
    return {
        "inf-last-row": with_inf,
        "wrong-count": good[:, :-1],
        "string": with_str,
        "1d": good[0],
    }


@pytest.mark.parametrize("bad", ["inf-last-row", "wrong-count", "string", "1d"])
@pytest.mark.parametrize("cls", ESTIMATORS, ids=NAMES)
def test_estimator_failed_partial_fit_leaves_state_unchanged(cls, bad):
    X = np.random.default_rng(2).uniform(1, 5, size=(12, 4))
    est = cls().fit(X)
    est.partial_fit(X[:5])
    before = _learned(est)
    expected = est.transform(X)
    with pytest.raises((ValueError, TypeError)):
        est.partial_fit(_bad_inputs(4)[bad])
    _assert_same(before, _learned(est))
    np.testing.assert_array_equal(est.transform(X), expected)


@pytest.mark.parametrize("bad", ["inf-last-row", "string", "1d"])
@pytest.mark.parametrize("cls", ESTIMATORS, ids=NAMES)
def test_estimator_failed_fit_leaves_state_unchanged(cls, bad):
    X = np.random.default_rng(3).uniform(1, 5, size=(12, 4))
    est = cls().fit(X)
    before = _learned(est)
    with pytest.raises((ValueError, TypeError)):
        est.fit(_bad_inputs(4)[bad])
    _assert_same(before, _learned(est))


def test_log_failed_partial_fit_on_negative_values_changes_nothing():
    est = LogScaler().fit(X3)
    before = _learned(est)
    with pytest.raises(ValueError, match="Negative values in data"):
        est.partial_fit(_with(X3, 5, 1, -7.0))
    _assert_same(before, _learned(est))


def test_minmax_failed_fit_with_bad_params_keeps_previous_fit():
    est = MinMaxScaler().fit(X3)
    before = _learned(est)
    est.set_params(feature_range=(2, 1))
    with pytest.raises(ValueError, match="feature_range"):
        est.fit(X3 * 10)
    _assert_same(before, _learned(est))


# -- edge cases: no RuntimeWarning, no division by zero --------------------------------


def _edge_inputs():
    base = np.random.default_rng(4).uniform(1, 5, size=(10, 4))
    all_nan = base.copy()
    all_nan[:, 1] = np.nan
    constant = base.copy()
    constant[:, 2] = 3.25
    zero_rows = base.copy()
    zero_rows[[0, 4]] = 0.0
    nan_row = base.copy()
    nan_row[3] = np.nan
    big_constant = base.copy()
    big_constant[:, 0] = 1e9 + 0.5
    return {
        "all-nan-column": all_nan,
        "constant-column": constant,
        "all-zero-rows": zero_rows,
        "all-nan-row": nan_row,
        "single-row": base[:1],
        "two-rows": base[:2],
        "large-constant-column": big_constant,
    }


EDGE = _edge_inputs()

#: Edge inputs an estimator refuses by contract, with the message that says why.
REFUSED = {
    # the unbiased variance needs two values per channel, as in PyTorch
    ("BatchNormScaler", "single-row"): r"1 sample",
    ("BatchNormScaler", "all-nan-column"): r"0 samples in column 1",
}


@pytest.mark.parametrize("case", list(EDGE))
@pytest.mark.parametrize("cls", ESTIMATORS, ids=NAMES)
def test_estimator_edge_input_no_warning_no_division_by_zero(cls, case):
    X = EDGE[case]
    est = cls()
    if (cls.__name__, case) in REFUSED:
        with pytest.raises(ValueError, match=REFUSED[cls.__name__, case]):
            est.fit(X)
        return
    out = est.fit(X).transform(X)
    finite = ~np.isnan(X)
    # NaN only where the input had NaN (or a whole feature / row was NaN): never inf
    assert not np.isinf(out).any()
    assert np.isfinite(out[:, : X.shape[1]][finite]).all()
    if hasattr(est, "inverse_transform"):
        back = est.inverse_transform(out)
        assert not np.isinf(back).any()


@pytest.mark.parametrize("magnitude", [1e150, 1e200, 1e307])
@pytest.mark.parametrize("cls", ESTIMATORS, ids=NAMES)
def test_estimator_huge_values_work_or_name_the_column(cls, magnitude):
    X = np.random.default_rng(6).uniform(-1, 1, size=(10, 4)) * magnitude
    est = cls(**({"signed": True} if cls is LogScaler else {}))
    try:
        out = est.fit(X).transform(X)
    except ValueError as err:  # a clear refusal is fine; a RuntimeWarning is not
        assert re.search(r"too large|overflows float64", str(err)), err
        assert "column" in str(err)
        return
    if hasattr(est, "inverse_transform"):
        est.inverse_transform(out)


@pytest.mark.parametrize(
    ("est", "X_fit", "X", "method"),
    [
        (MinMaxScaler(), [[0.0], [1e-300]], [[1e300]], "transform"),
        (ZScoreScaler(), [[0.0], [1e-3]], [[1e306]], "transform"),
        (DecimalScaler(), [[1e300]], [[1e10]], "inverse_transform"),
        (MinMaxScaler(), np.array([[0.0], [1e-3]], np.float16), [[100.0]], "transform"),
        (ZScoreScaler(), np.array([[0.0], [1e-3]], np.float16), [[6e4]], "transform"),
        (LogScaler(), [[1.0]], [[1e5]], "inverse_transform"),
    ],
    ids=["minmax", "zscore", "decimal-inverse", "minmax-f16", "zscore-f16", "log-inverse"],
)
def test_estimator_result_beyond_dtype_is_inf_without_warning(est, X_fit, X, method):
    X_fit = np.asarray(X_fit)
    out = getattr(est.fit(X_fit), method)(np.asarray(X, dtype=X_fit.dtype))
    assert out.dtype == X_fit.dtype
    assert np.isposinf(out).all()


WEIGHTED = [cls for cls in ESTIMATORS if "sample_weight" in inspect.signature(cls.fit).parameters]


def test_weighted_estimators_found():
    assert {"ZScoreScaler", "BatchNormScaler"} <= {cls.__name__ for cls in WEIGHTED}


@pytest.mark.parametrize("cls", WEIGHTED, ids=[cls.__name__ for cls in WEIGHTED])
def test_estimator_zero_weight_rows_no_warning(cls):
    X = np.random.default_rng(5).uniform(1, 5, size=(10, 4))
    X[2, 1] = np.nan
    w = np.ones(10)
    w[[0, 2, 5]] = 0.0
    est = cls().fit(X, sample_weight=w)
    assert np.isfinite(est.transform(X)[~np.isnan(X)]).all()
    # a feature whose only non-NaN values have zero weight: no division by zero
    X2 = X.copy()
    X2[w > 0, 3] = np.nan
    if cls.__name__ == "BatchNormScaler":  # no value of weight > 0: refused, as above
        with pytest.raises(ValueError, match="0 samples in column 3"):
            cls().fit(X2, sample_weight=w)
    else:
        out = cls().fit(X2, sample_weight=w).transform(X2)
        assert not np.isinf(out).any()
    reference = cls().fit(np.delete(X, [0, 2, 5], axis=0))
    np.testing.assert_allclose(est.transform(X), reference.transform(X), rtol=1e-12)


def test_zscore_all_nan_column_learns_nan_mean_and_unit_scale():
    est = ZScoreScaler().fit(EDGE["all-nan-column"])
    assert np.isnan(est.mean_[1]) and est.scale_[1] == 1.0 and est.var_[1] == 0.0
    np.testing.assert_array_equal(est.n_samples_seen_, [10, 0, 10, 10])


def test_minmax_all_nan_column_stays_nan():
    est = MinMaxScaler().fit(EDGE["all-nan-column"])
    assert np.isnan(est.data_min_[1]) and np.isnan(est.data_max_[1])
    assert np.isnan(est.transform(EDGE["all-nan-column"])[:, 1]).all()


def _memmap(tmp_path, X):
    out = np.memmap(tmp_path / "X.dat", dtype=X.dtype, mode="w+", shape=X.shape)
    out[:] = X
    return out


def _read_only(X):
    X = X.copy()
    X.flags.writeable = False
    return X


#: name -> builds X (of 3 columns where it has columns) from X3 and a temporary folder
FAST_PATH_INPUTS = {
    "C float64": lambda tmp: X3.copy(),
    "F float64": lambda tmp: np.asfortranarray(X3),
    "float32": lambda tmp: X3.astype(np.float32),
    "float16": lambda tmp: X3.astype(np.float16),
    "big-endian": lambda tmp: X3.astype(">f8"),
    "read-only": lambda tmp: _read_only(X3),
    "memmap": lambda tmp: _memmap(tmp, X3),
    "strided view": lambda tmp: np.repeat(X3, 2, axis=1)[:, ::2],
    "1-D": lambda tmp: X3[:, 0].copy(),
    "no rows": lambda tmp: X3[:0].copy(),
    "no columns": lambda tmp: X3[:, :0].copy(),
    "4 columns": lambda tmp: np.hstack([X3, X3[:, :1]]),
    "DataFrame": lambda tmp: DF.copy(),
}


def _outcome(validate, X, state, reset, copy_):
    """What validating ``X`` does to a ZScoreScaler holding ``state``."""
    est = ZScoreScaler()
    est.__dict__.update(copy.deepcopy(state))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = validate(est, X, reset, copy_)
        except (TypeError, ValueError) as err:
            return ("error", type(err), str(err), [str(w.message) for w in caught])
    seen = {k: v for k, v in vars(est).items() if k.endswith("_in_")}
    return (
        out,
        (out is X, np.shares_memory(out, X), type(out), out.dtype, out.shape),
        (out.flags.c_contiguous, out.flags.f_contiguous, out.flags.writeable),
        seen,
        [str(w.message) for w in caught],
    )


@pytest.mark.parametrize("copy_", [False, True], ids=["no copy", "copy"])
@pytest.mark.parametrize("reset", [True, False])
@pytest.mark.parametrize("fitted_on", [None, "numpy", "DataFrame"])
@pytest.mark.parametrize("name", list(FAST_PATH_INPUTS))
def test_check_X_records_features_exactly_like_validate_data(
    tmp_path, name, fitted_on, reset, copy_
):
    # check_X skips validate_data for plain float arrays: the result, n_features_in_,
    # feature_names_in_, warnings and errors must be those of scikit-learn's validate_data
    from sklearn.utils.validation import FLOAT_DTYPES, validate_data

    from sklearn_norm._validation import check_X

    state = {}
    if fitted_on is not None:
        fitted = ZScoreScaler()
        validate_data(fitted, DF if fitted_on == "DataFrame" else X3, reset=True)
        state = vars(fitted)
    ours = _outcome(
        lambda est, X, reset, copy: check_X(est, X, reset=reset, copy=copy),
        FAST_PATH_INPUTS[name](tmp_path),
        state,
        reset,
        copy_,
    )
    reference = _outcome(
        lambda est, X, reset, copy: validate_data(
            est, X, reset=reset, dtype=FLOAT_DTYPES, ensure_all_finite=False, copy=copy
        ),
        FAST_PATH_INPUTS[name](tmp_path),
        state,
        reset,
        copy_,
    )
    if isinstance(reference[0], str):  # an error
        assert ours == reference
        return
    assert not isinstance(ours[0], str), ours
    np.testing.assert_array_equal(ours[0], reference[0])
    assert ours[1:3] == reference[1:3]
    assert ours[3].keys() == reference[3].keys()
    for key, value in reference[3].items():
        np.testing.assert_array_equal(ours[3][key], value)
    assert ours[4] == reference[4]


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_inf_columns_matches_dense_reference(fmt):
    from sklearn_norm._validation import sparse_inf_columns

    X = sparse.random(40, 7, density=0.3, format="csr", random_state=0)
    assert sparse_inf_columns(X.asformat(fmt)) is None
    X = X.tolil()
    X[3, 2], X[30, 5], X[31, 5] = np.inf, -np.inf, np.nan
    X = X.asformat(fmt)
    np.testing.assert_array_equal(sparse_inf_columns(X), np.isinf(X.toarray()).any(axis=0))
