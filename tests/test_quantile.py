"""QuantileScaler: scikit-learn's QuantileTransformer (subsample=None), never subsampled."""

import numpy as np
import pytest
from scipy import sparse
from sklearn import preprocessing as skp

import sklearn_norm as sn


def _data(n_rows=800, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = np.column_stack(
        [
            rng.normal(5, 2, n_rows),
            rng.lognormal(0, 1.5, n_rows),
            rng.integers(0, 5, n_rows).astype(float),  # ties: repeated quantiles
            np.full(n_rows, -2.0),  # constant
        ]
    )
    X[rng.random(X.shape) < 0.1] = np.nan
    return X.astype(dtype)


@pytest.mark.parametrize("distribution", ["uniform", "normal"])
@pytest.mark.parametrize("n_quantiles", [1000, 57, 1])
def test_quantile_equal_scikit_learn(distribution, n_quantiles):
    X = _data()
    params = {"n_quantiles": n_quantiles, "output_distribution": distribution}
    ours = sn.QuantileScaler(**params).fit(X)
    theirs = skp.QuantileTransformer(**params, subsample=None)
    with pytest.warns(UserWarning) if n_quantiles > X.shape[0] else _nothing():
        theirs.fit(X)
    assert ours.n_quantiles_ == theirs.n_quantiles_
    np.testing.assert_allclose(ours.references_, theirs.references_, rtol=0, atol=0)
    np.testing.assert_allclose(ours.quantiles_, theirs.quantiles_, rtol=1e-12, atol=1e-12)
    X_new = np.vstack([_data(seed=1), [[-1e9, 1e9, 2.0, -2.0]]])
    out = ours.transform(X_new)
    np.testing.assert_allclose(out, theirs.transform(X_new), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        ours.inverse_transform(out), theirs.inverse_transform(out), rtol=1e-12, atol=1e-12
    )
    assert ours.rank_error_ == 0.0


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_quantile_float32_kept():
    X = _data(dtype=np.float32)
    out = sn.QuantileScaler().fit(X).transform(X)
    assert out.dtype == np.float32
    expected = skp.QuantileTransformer(subsample=None, n_quantiles=800).fit(X).transform(X)
    np.testing.assert_allclose(out, expected, atol=1e-6)


def test_quantile_sparse_non_negative_equal_scikit_learn():
    rng = np.random.default_rng(4)
    dense = np.where(rng.random((300, 3)) < 0.6, 0.0, rng.lognormal(size=(300, 3)))
    X = sparse.csr_matrix(dense)
    ours = sn.QuantileScaler(n_quantiles=50).fit(X)
    theirs = skp.QuantileTransformer(n_quantiles=50, subsample=None).fit(X)
    np.testing.assert_allclose(ours.quantiles_, theirs.quantiles_, rtol=1e-12)
    out, expected = ours.transform(X), theirs.transform(X)
    assert sparse.issparse(out)
    np.testing.assert_allclose(out.toarray(), expected.toarray(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        ours.inverse_transform(out).toarray(), theirs.inverse_transform(expected).toarray()
    )
    assert (X != sparse.csr_matrix(dense)).nnz == 0  # input untouched


@pytest.mark.parametrize("dtype", [np.float16, np.float64])
def test_quantile_ties_at_a_reference_as_scikit_learn(dtype):
    # a fuzz finding: scikit-learn asks nanpercentile for references_ * 100 percent, and
    # numpy divides by 100: 1/3 * 100 / 100 is not 1/3, the quantile at it falls just
    # below a tie, and the tie is not averaged (0.5 here, not 0.4167)
    X = np.array([-3.64e-06, -9.6e-06, -3.16e-06, -7.87e-06, 8.46e-06, -3.64e-06, -1.67e-06])
    X = X.astype(dtype)[:, None]
    theirs = skp.QuantileTransformer(n_quantiles=7, subsample=None).fit(X.astype(np.float64))
    ours = sn.QuantileScaler().fit(X)
    np.testing.assert_array_equal(ours.quantiles_, theirs.quantiles_)
    expected = theirs.transform(X.astype(np.float64))
    np.testing.assert_allclose(
        ours.transform(X), expected, rtol=1e-3 if dtype == np.float16 else 1e-12
    )


def test_quantile_sparse_normal_keeps_implicit_zeros_as_scikit_learn():
    # scikit-learn transforms the stored values only: an implicit zero stays 0 with
    # output_distribution="normal", a stored zero maps to the bottom (-5.199)
    dense = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [2.0, 5.0]])
    implicit = sparse.csr_matrix(dense)
    stored = sparse.csr_matrix((dense.ravel(), (np.repeat(range(4), 2), np.tile(range(2), 4))))
    for X in (implicit, stored):
        ours = sn.QuantileScaler(output_distribution="normal").fit(X).transform(X)
        theirs = skp.QuantileTransformer(output_distribution="normal", n_quantiles=4)
        expected = theirs.fit(X).transform(X)
        np.testing.assert_allclose(ours.toarray(), expected.toarray(), rtol=1e-12)
    assert ours.toarray()[0, 0] < -5  # the stored zero


def test_quantile_sparse_negative_is_a_clear_error():
    X = sparse.csr_matrix(np.array([[0.0, -1.0], [2.0, 0.0]]))
    with pytest.raises(ValueError, match="non-negative"):
        sn.QuantileScaler().fit(X)


def test_quantile_streamed_within_rank_bound_on_skewed_data():
    rng = np.random.default_rng(9)
    X = rng.lognormal(0, 2, (200_000, 1))
    est = sn.QuantileScaler(n_quantiles=101)
    for chunk in np.array_split(X, 13):
        est.partial_fit(chunk)
    assert 0 < est.rank_error_ <= 0.005
    values = np.sort(X[:, 0])
    low = np.searchsorted(values, est.quantiles_[:, 0], side="left") / values.size
    high = np.searchsorted(values, est.quantiles_[:, 0], side="right") / values.size
    p = est.references_
    assert np.all((high >= p - est.rank_error_) & (low <= p + est.rank_error_))


@pytest.mark.parametrize(
    "X, distribution",
    [
        ([[3.3e38], [-3.2e38], [1e38], [3.0e38]], "uniform"),  # scikit-learn float32: wrong
        ([[1.0], [1.0], [1.0]], "normal"),
    ],
)
def test_quantile_float32_maps_as_float64(X, distribution):
    X64 = np.array(X, dtype=np.float64)
    expected = skp.QuantileTransformer(n_quantiles=len(X), output_distribution=distribution)
    expected = expected.fit_transform(X64)
    got = sn.QuantileScaler(n_quantiles=len(X), output_distribution=distribution)
    got = got.fit_transform(X64.astype(np.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected.astype(np.float32), rtol=1e-6)


@pytest.mark.parametrize("distribution", ["uniform", "normal"])
def test_quantile_subnormal_feature_maps_as_its_exact_multiple(distribution):
    # make fuzz: quantiles 5e-324 apart make np.interp's slope 0.25 / 5e-324 overflow:
    # we gave inf, scikit-learn NaN. The reference: numpy's quantiles (rounded in the
    # subnormals, as they must be in float64), then scikit-learn's map of everything
    # times 2**1000 (exact: the same ranks, and every value still within
    # BOUNDS_THRESHOLD of the others)
    X = np.array([[2.0], [1.0], [0.0], [-2.0], [-1.0], [-3.0]]) * 5e-324
    est = sn.QuantileScaler(n_quantiles=5, output_distribution=distribution).fit(X)
    ref = skp.QuantileTransformer(n_quantiles=5, output_distribution=distribution).fit(X)
    quantiles = np.nanpercentile(X, ref.references_ * 100, axis=0)
    np.testing.assert_array_equal(est.quantiles_, quantiles)
    ref.quantiles_ = quantiles * 2.0**1000
    expected = ref.transform(X * 2.0**1000)
    assert np.isfinite(expected).all()
    np.testing.assert_allclose(est.transform(X), expected, rtol=1e-12)
