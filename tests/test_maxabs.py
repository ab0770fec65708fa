"""MaxAbsScaler: scikit-learn's MaxAbsScaler to the last bit, dense, sparse and in chunks."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import sparse
from sklearn import preprocessing

import sklearn_norm.functional as F
from sklearn_norm import MaxAbsScaler, make_scaler

DTYPES = [np.float64, np.float32, np.float16]


def _data(dtype=np.float64, seed=0, n_rows=200):
    """Features of very different magnitudes, a NaN, a zero and a near-zero feature."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, 6)) * np.array([1.0, 1e3, 1e-3, 5.0, 1.0, 1.0])
    X[:, 3] = 0.0  # all zero: scale 1
    X[:, 4] = rng.uniform(-1, 1, n_rows) * 1e-10  # below 10 * eps of float32 and float16
    X[5, 0] = X[7, 1] = np.nan
    with np.errstate(over="ignore"):
        return X.astype(dtype)


def _same(ours, theirs):
    """Equal to the last bit, NaN where scikit-learn has NaN, and of the same dtype."""
    assert ours.dtype == theirs.dtype
    assert_array_equal(ours, theirs, strict=True)


def _same_values(ours, theirs):
    """Learned arrays: float64 here, scikit-learn's in the training dtype; same values."""
    assert ours.dtype == np.float64
    assert_array_equal(ours, theirs.astype(np.float64), strict=True)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_maxabs_dense_equals_scikit_learn_bitwise(dtype):
    X, X_new = _data(dtype), _data(dtype, seed=1) * dtype(3)
    ours, theirs = MaxAbsScaler().fit(X), preprocessing.MaxAbsScaler().fit(X)
    for name in ("max_abs_", "scale_"):
        _same_values(getattr(ours, name), getattr(theirs, name))
    assert ours.n_samples_seen_ == theirs.n_samples_seen_ == X.shape[0]
    Y = ours.transform(X_new)
    _same(Y, theirs.transform(X_new))
    _same(ours.inverse_transform(Y), theirs.inverse_transform(Y))


def test_maxabs_tiny_maximum_counts_as_zero_with_the_training_dtypes_eps():
    # 1e-10 is below 10 * eps of float32 (1.2e-6) but not of float64 (2.2e-15)
    X = np.array([[1e-10, 2.0], [-3e-10, -4.0]])
    assert_array_equal(MaxAbsScaler().fit(X).scale_, [3e-10, 4.0])
    assert_array_equal(MaxAbsScaler().fit(X.astype(np.float32)).scale_, [1.0, 4.0])


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=lambda d: np.dtype(d).name)
def test_maxabs_sparse_equals_scikit_learn_bitwise_and_stays_sparse(fmt, dtype):
    rng = np.random.default_rng(3)
    X = sparse.random(300, 7, density=0.3, format=fmt, dtype=dtype, random_state=4)
    X.data = (rng.normal(size=X.nnz) * 10.0 ** rng.integers(-3, 4, X.nnz)).astype(dtype)
    X_new = sparse.random(50, 7, density=0.5, format=fmt, dtype=dtype, random_state=5)
    X_new.data = rng.normal(size=X_new.nnz).astype(dtype) * dtype(7)
    ours, theirs = MaxAbsScaler().fit(X), preprocessing.MaxAbsScaler().fit(X)
    _same_values(ours.scale_, theirs.scale_)
    for method in ("transform", "inverse_transform"):
        out, expected = getattr(ours, method)(X_new), getattr(theirs, method)(X_new)
        assert out.format == fmt and sparse.issparse(out)
        _same(out.toarray(), expected.toarray())


def test_maxabs_sparse_uses_the_reciprocal_as_scikit_learn():
    # x / s and x * (1 / s) differ in the last bit for these values: scikit-learn's
    # sparse path multiplies by the reciprocal, its dense path divides
    X = np.array([[3.0, 0.0], [10.0, 1.0]])
    X_new = np.array([[7.0, 1.0], [9.0, 0.0]])
    dense = MaxAbsScaler().fit(X).transform(X_new)
    sparse_out = MaxAbsScaler().fit(sparse.csr_array(X)).transform(sparse.csr_array(X_new))
    assert_array_equal(dense[:, 0], X_new[:, 0] / 10.0)
    assert_array_equal(sparse_out.toarray()[:, 0], X_new[:, 0] * (1.0 / 10.0))
    assert not np.array_equal(X_new[:, 0] / 10.0, X_new[:, 0] * (1.0 / 10.0))


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=lambda d: np.dtype(d).name)
def test_maxabs_partial_fit_equals_scikit_learn_bitwise(dtype):
    X = _data(dtype, n_rows=300)
    ours, theirs = MaxAbsScaler(), preprocessing.MaxAbsScaler()
    for start in range(0, 300, 70):
        ours.partial_fit(X[start : start + 70])
        theirs.partial_fit(X[start : start + 70])
        _same_values(ours.max_abs_, theirs.max_abs_)
        _same_values(ours.scale_, theirs.scale_)
        assert ours.n_samples_seen_ == theirs.n_samples_seen_
    _same(ours.transform(X), theirs.transform(X))
    _same(ours.scale_, MaxAbsScaler().fit(X).scale_)


def test_maxabs_partial_fit_sparse_chunks_equal_scikit_learn():
    X = sparse.random(120, 5, density=0.4, format="csr", random_state=8)
    X.data = X.data * 3.0 - 1.5
    ours, theirs = MaxAbsScaler(), preprocessing.MaxAbsScaler()
    for start in range(0, 120, 50):
        ours.partial_fit(X[start : start + 50])
        theirs.partial_fit(X[start : start + 50])
    _same_values(ours.scale_, theirs.scale_)
    _same(ours.transform(X).toarray(), theirs.transform(X).toarray())


def test_maxabs_integers_become_float64_and_nan_column_stays_nan():
    X = np.array([[1, -4], [3, 2]])
    _same(MaxAbsScaler().fit_transform(X), preprocessing.MaxAbsScaler().fit_transform(X))
    X = np.array([[np.nan, 1.0], [np.nan, -2.0]])
    with np.errstate(all="raise"):
        scaler = MaxAbsScaler().fit(X)
        out = scaler.transform(np.array([[5.0, 1.0]]))
    assert np.isnan(scaler.scale_[0]) and np.isnan(out[0, 0]) and out[0, 1] == 0.5


def test_maxabs_copy_false_works_in_place():
    X = _data()
    expected = preprocessing.MaxAbsScaler().fit(X).transform(X)
    out = MaxAbsScaler(copy=False).fit(X).transform(X)
    assert out is X
    _same(X, expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_maxabs_function_equals_estimator(dtype):
    X = _data(dtype)
    scaler = MaxAbsScaler().fit(X)
    _same(F.max_abs_scale(X, scaler.max_abs_), scaler.transform(X))


@pytest.mark.parametrize(
    "max_abs, message",
    [([1.0, 2.0, 3.0], "max_abs must be one number or one per feature"), (-1.0, ">= 0")],
)
def test_maxabs_function_refuses_bad_max_abs(max_abs, message):
    with pytest.raises(ValueError, match=message):
        F.max_abs_scale(np.ones((2, 2)), max_abs)


def test_maxabs_registered():
    assert type(make_scaler("maxabs")) is MaxAbsScaler


@pytest.mark.parametrize("as_sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize(
    "fit_dtype, dtype",
    [(np.float64, np.float32), (np.float32, np.float64)],
    ids=["64-32", "32-64"],
)
def test_maxabs_other_dtype_at_transform_equals_scikit_learn(as_sparse, fit_dtype, dtype):
    rng = np.random.default_rng(11)
    X = rng.normal(size=(60, 4)) * np.array([1.0, 3.3, 1e-2, 7.7])
    X[rng.uniform(size=X.shape) < 0.5] = 0.0
    wrap = sparse.csr_array if as_sparse else np.asarray
    X_fit, X_new = wrap(X.astype(fit_dtype)), wrap(rng.normal(size=(30, 4)).astype(dtype))
    ours, theirs = MaxAbsScaler().fit(X_fit), preprocessing.MaxAbsScaler().fit(X_fit)
    out, expected = ours.transform(X_new), theirs.transform(X_new)
    if as_sparse:
        out, expected = out.toarray(), expected.toarray()
    _same(out, expected)


def test_maxabs_partial_fit_widens_the_training_dtype_as_scikit_learn():
    X = np.array([[1e-10, 1.0], [2e-10, -2.0]])
    ours, theirs = MaxAbsScaler(), preprocessing.MaxAbsScaler()
    for chunk in (X.astype(np.float32), X):  # float32, then float64: eps of float64
        ours.partial_fit(chunk)
        theirs.partial_fit(chunk)
        _same_values(ours.scale_, theirs.scale_)
    assert ours.scale_[0] != 1.0
