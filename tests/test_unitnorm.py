"""UnitNormScaler against scikit-learn's Normalizer."""

import numpy as np
import pytest
from _rowwise_reference import unit_norm
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.preprocessing import Normalizer

from sklearn_norm import UnitNormScaler

RNG = np.random.default_rng(2)
X = RNG.normal(size=(20, 6))
X[4] = 0.0


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unitnorm_matches_normalizer(norm, dtype):
    Xd = X.astype(dtype)
    Y = UnitNormScaler(norm=norm).fit_transform(Xd)
    assert Y.dtype == dtype
    tol = 1e-15 if dtype == np.float64 else 1e-7
    assert_allclose(Y, Normalizer(norm=norm).fit_transform(X), rtol=tol, atol=tol)
    assert_array_equal(Y[4], 0.0)


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csr_array])
def test_unitnorm_sparse_stays_sparse(norm, fmt, container):
    S = container(sparse.random(30, 8, density=0.3, random_state=1)).asformat(fmt)
    est = UnitNormScaler(norm=norm, keep_norm=True).fit(S)
    Y = est.transform(S)
    assert sparse.issparse(Y) and Y.format == "csr" and Y.shape == (30, 9)
    assert isinstance(Y, sparse.sparray) == isinstance(S, sparse.sparray)
    dense = S.toarray()
    assert_allclose(Y[:, :8].toarray(), Normalizer(norm=norm).fit_transform(dense), rtol=1e-15)
    assert_allclose(Y[:, [8]].toarray().ravel(), unit_norm(dense, norm)[1].astype(float))
    assert_allclose(est.inverse_transform(Y).toarray(), dense, rtol=1e-15)
    plain = UnitNormScaler(norm=norm).fit(S).transform(S)
    assert sparse.issparse(plain) and plain.shape == (30, 8)


def test_unitnorm_sparse_copy_false_works_in_place():
    S = sparse.random(10, 5, density=0.5, format="csr", random_state=3)
    before = S.copy()
    Y = UnitNormScaler(copy=False).fit(S).transform(S)
    assert Y.data is S.data or np.shares_memory(Y.data, S.data)
    assert_allclose(S.toarray(), Normalizer().fit_transform(before.toarray()))


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_unitnorm_keep_norm_nan_and_inverse(norm):
    Xn = X.copy()
    Xn[1, 3] = np.nan
    Xn[7] = np.nan
    est = UnitNormScaler(norm=norm, keep_norm=True).fit(Xn)
    Y = est.transform(Xn)
    expected, norms = unit_norm(Xn, norm)
    assert_allclose(Y[:, :6], expected.astype(float), rtol=1e-15, atol=1e-16)
    assert_allclose(Y[:, 6], norms.astype(float), rtol=1e-15)
    assert_array_equal(np.isnan(Y[:, :6]), np.isnan(Xn))
    assert est.get_feature_names_out().tolist() == [f"x{i}" for i in range(6)] + ["norm"]
    assert_allclose(est.inverse_transform(Y), Xn, rtol=1e-15)
    assert not hasattr(UnitNormScaler(norm=norm), "inverse_transform")


def test_unitnorm_huge_values_do_not_overflow():
    Y = UnitNormScaler().fit_transform(np.array([[3e300, -4e300]]))
    assert_allclose(Y, [[0.6, -0.8]], rtol=1e-15)


def test_unitnorm_bad_norm_names_the_parameter():
    with pytest.raises(ValueError, match="'norm' parameter .* Got 'l3'"):
        UnitNormScaler(norm="l3").fit(X)


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unitnorm_block_of_ordinary_and_tiny_rows(norm, dtype):
    # one block: ordinary rows (the usual quick path) beside rows whose squares underflow,
    # subnormal rows and a zero row, which the same block must divide exactly too
    tiny = np.finfo(dtype).tiny
    X = np.vstack(
        [
            RNG.normal(size=(3, 4)),
            [1e-170, -2e-170, 0.0, 3e-170] if dtype == np.float64 else [1e-25, 2e-25, 0, 0],
            [tiny / 8, 0.0, -tiny / 4, 0.0],
            np.zeros(4),
            RNG.normal(size=(2, 4)) * 1e3,
        ]
    ).astype(dtype)
    Y = UnitNormScaler(norm=norm).fit_transform(X)
    expected, _ = unit_norm(X, norm)
    rtol = 1e-15 if dtype == np.float64 else 2.4e-7
    assert_allclose(Y, expected.astype(np.float64), rtol=rtol, atol=0)
    assert_array_equal(Y[5], 0.0)
