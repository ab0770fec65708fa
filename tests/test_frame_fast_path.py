"""pandas DataFrames after ``fit``: the cheap path returns what ``validate_data`` does."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn import preprocessing as skp
from sklearn.utils.validation import FLOAT_DTYPES, validate_data

import sklearn_norm as sn
from sklearn_norm import _validation
from sklearn_norm._validation import check_X

COLUMNS = ["a", "b", "c"]


def _frame(dtypes=("float64",) * 3, n=40, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: rng.uniform(1, 5, n).astype(d) for c, d in zip(COLUMNS, dtypes)})


def _reference(est, X):
    """``validate_data`` as the slow path calls it (scikit-learn's own conversion)."""
    options = {"accept_sparse": False, "dtype": FLOAT_DTYPES, "ensure_all_finite": False}
    return validate_data(est, X, reset=False, **options)


@pytest.mark.parametrize(
    "dtypes",
    [("float64",) * 3, ("float32",) * 3, ("float32", "float64", "float32")],
    ids=["float64", "float32", "mixed widths"],
)
@pytest.mark.parametrize("name", ["minmax", "zscore", "layernorm"])
def test_frame_path_returns_what_validate_data_returns(name, dtypes):
    est = sn.make_scaler(name).fit(_frame(dtypes))
    X = _frame(dtypes, seed=1)
    got = check_X(est, X, reset=False)
    expected = _reference(est, X)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == expected.dtype
    assert got.flags.f_contiguous == expected.flags.f_contiguous
    assert got.flags.writeable == expected.flags.writeable
    assert _validation._plain_float_frame(est, X, False) is not None  # the cheap path


@pytest.mark.parametrize(
    "change",
    [
        lambda X: X[["b", "a", "c"]],  # reordered
        lambda X: X.rename(columns={"c": "z"}),  # renamed
        lambda X: X.assign(c=X["c"].astype("Float64")),  # nullable extension dtype
        lambda X: X.assign(c=(X["c"] * 10).astype("int64")),  # an integer column
        lambda X: X.iloc[:0],  # no rows
        lambda X: X[["a", "b"]],  # a column missing
    ],
)
def test_frames_that_need_a_look_take_the_full_path(change):
    est = sn.MinMaxScaler().fit(_frame())
    X = change(_frame(seed=1))
    assert _validation._plain_float_frame(est, X, False) is None
    try:
        expected = _reference(est, X)
    except ValueError as exc:  # the same refusal as before
        with pytest.raises(ValueError, match=re.escape(str(exc)[:30])):
            est.transform(X)
        return
    np.testing.assert_allclose(est.transform(X), skp.MinMaxScaler().fit(_frame()).transform(X))
    assert expected.shape == X.shape


@pytest.mark.parametrize("copy", [True, False])
def test_frame_transform_matches_scikit_learn_and_never_writes_the_frame(copy):
    X, Z = _frame(), _frame(seed=1)
    before = Z.copy()
    ours = sn.ZScoreScaler(copy=copy).fit(X).transform(Z)
    np.testing.assert_allclose(ours, skp.StandardScaler().fit(X).transform(Z), rtol=1e-13)
    pd.testing.assert_frame_equal(Z, before)  # read-only under copy-on-write: copied


@pytest.mark.parametrize("dtypes", [("float64",) * 3, ("float32", "float64", "float32")])
@pytest.mark.parametrize("name", ["minmax", "zscore", "unitnorm"])
def test_frame_fit_records_what_validate_data_records(name, dtypes):
    X = _frame(dtypes)
    assert _validation._plain_float_frame(sn.make_scaler(name), X, True) is not None
    ours, reference = sn.make_scaler(name).fit(X), sn.make_scaler(name)
    validate_data(reference, X, reset=True, dtype=FLOAT_DTYPES, ensure_all_finite=False)
    assert ours.n_features_in_ == reference.n_features_in_ == 3
    np.testing.assert_array_equal(ours.feature_names_in_, reference.feature_names_in_)
    assert ours.feature_names_in_.dtype == object
    np.testing.assert_array_equal(
        ours.transform(X), sn.make_scaler(name).fit(X.to_numpy()).transform(X.to_numpy())
    )
    refit = ours.fit(X.rename(columns={"a": "x"}))  # a refit records the new names
    assert list(refit.feature_names_in_) == ["x", "b", "c"]


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame(np.ones((3, 2)), columns=[0, 1]),  # names that are not strings
        pd.DataFrame(np.ones((3, 2)), columns=["a", 1]),  # mixed: scikit-learn's TypeError
        pd.DataFrame(np.ones((0, 2)), columns=["a", "b"]),  # no rows
    ],
)
def test_frame_fit_leaves_other_frames_to_validate_data(frame):
    assert _validation._plain_float_frame(sn.MinMaxScaler(), frame, True) is None


@pytest.mark.parametrize(
    "dtypes",
    [("Float64",) * 3, ("Float32",) * 3, ("Float32", "Float64", "Float32")],
    ids=["Float64", "Float32", "mixed widths"],
)
def test_polars_frame_path_returns_what_validate_data_returns(dtypes):
    pl = pytest.importorskip("polars")
    frame = _frame(seed=1)
    X = pl.DataFrame(
        {c: pl.Series(frame[c].to_numpy()).cast(getattr(pl, d)) for c, d in zip(COLUMNS, dtypes)}
    )
    est = sn.MinMaxScaler()
    reference = sn.MinMaxScaler()
    options = {"dtype": _validation._polars_float32(X) or FLOAT_DTYPES, "ensure_all_finite": False}
    expected = validate_data(reference, X, reset=True, **options)
    got = check_X(est, X, reset=True)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == expected.dtype and got.flags.f_contiguous == expected.flags.f_contiguous
    np.testing.assert_array_equal(est.feature_names_in_, reference.feature_names_in_)
    assert _validation._plain_float_frame(est, X, True) is not None
    est.fit(X)
    assert _validation._plain_float_frame(est, X, False) is not None
    np.testing.assert_array_equal(
        check_X(est, X, reset=False), validate_data(est, X, reset=False, **options)
    )
    assert _validation._plain_float_frame(est, X.select(["b", "a", "c"]), False) is None
    assert (
        _validation._plain_float_frame(est, X.with_columns(pl.col("a").cast(pl.Int64)), False)
        is None
    )
