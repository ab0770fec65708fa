"""Bad input, continued: failed fits change nothing; edge cases give no warning and no
division by zero; ``check_X`` records features exactly as ``validate_data``.

pytest runs with warnings as errors (pyproject.toml), so any RuntimeWarning raised on the
edge cases below fails the test.
"""

import copy
import inspect
import re
import warnings

import numpy as np
import pytest
from _bad_input_data import DF, X3, with_value
from scipy import sparse

from sklearn_norm import (
    DecimalScaler,
    LogScaler,
    MinMaxScaler,
    ZScoreScaler,
    all_estimators,
)

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
        est.partial_fit(with_value(X3, 5, 1, -7.0))
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
        (MinMaxScaler(), [[0.0], [1e-10]], [[1e300]], "transform"),
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
