"""Moments of columns whose squares overflow or underflow float64 (|x| beyond about
1e154, or below about 1e-154): ``ZScoreScaler`` standardises them exactly, in one fit,
in chunks, sparse and weighted; ``BatchNormScaler`` does where its float64
``running_var_`` can hold the variance, and refuses clearly where it cannot; the row
norms (layer, group, instance) follow PyTorch's formula on such rows, ``eps=0`` too.

Reference: the formula in 60-digit decimal arithmetic (no overflow, no underflow).
scikit-learn's ``StandardScaler`` is no reference here: its sum of squares overflows
(``var_`` inf, ``scale_`` 1, the column left unscaled) or underflows (``var_`` 0).
"""

from decimal import Context, Decimal, localcontext

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import sparse

from sklearn_norm import (
    BatchNormScaler,
    GroupNormScaler,
    InstanceNormScaler,
    LayerNormScaler,
    ZScoreScaler,
)
from sklearn_norm import functional as F

CTX = Context(prec=60, Emax=100000, Emin=-100000)

#: one column per kind: huge; huge with a small spread (squares overflow, the variance
#: does not); spanning all of float64; tiny; subnormal-adjacent; ordinary
X = np.array(
    [
        [1e200, 1e160, -1.7e308, 1e-200, 3e-160, 1.0],
        [2e200, 1e160 + 2e150, 1e307, 2e-200, -1e-160, 2.0],
        [3e200, 1e160 - 4e150, 1.79e308, 4e-200, 2e-160, 4.0],
        [-1e199, 1e160 + 6e150, 5e306, 1e-200, 7e-161, 8.0],
    ]
)


def _moments(column, weights=None, ddof=0):
    with localcontext(CTX):
        values = [+Decimal(float(v)) for v in column]
        w = (
            [Decimal(1)] * len(values)
            if weights is None
            else [+Decimal(float(v)) for v in weights]
        )
        n = sum(w, Decimal(0))
        mean = sum((a * b for a, b in zip(w, values)), Decimal(0)) / n
        m2 = sum((a * (v - mean) ** 2 for a, v in zip(w, values)), Decimal(0))
        return values, mean, m2 / (n - ddof)


def standardised(X, weights=None, ddof=0, eps=0.0):
    """``(x - mean) / sqrt(var + eps)`` per column, in decimal (a zero divisor: 1); also
    the std."""
    out, std = np.empty(X.shape), np.empty(X.shape[1])
    for j in range(X.shape[1]):
        values, mean, var = _moments(X[:, j], weights, ddof)
        with localcontext(CTX):
            root = (var + Decimal(eps)).sqrt()
            std[j] = float(root)
            root = root if root else Decimal(1)
            out[:, j] = [float((v - mean) / root) for v in values]
    return out, std


def assert_standardised(got, expected, data, std):
    """Within the conditioning of ``x - mean`` in float64: a few ulps of ``max|x|``
    (the float64 mean's rounding) in units of the std."""
    cond = np.max(np.abs(data), axis=0) / std
    err = np.abs(got - expected)
    assert (err <= 1e-13 * np.abs(expected) + 4e-16 * (1 + cond)).all(), (got, expected)


def test_zscore_standardises_huge_and_tiny_columns():
    expected, std = standardised(X)
    est = ZScoreScaler().fit(X)
    assert_allclose(est.scale_, std, rtol=1e-14)
    assert_standardised(est.transform(X), expected, X, std)
    assert_allclose(est.inverse_transform(est.transform(X)), X, rtol=1e-13)
    assert_allclose(est.mean_[:2], [float(_moments(X[:, j])[1]) for j in range(2)], rtol=1e-15)


@pytest.mark.parametrize("cuts", [[1, 2, 3], [2], [3]])
def test_zscore_partial_fit_of_huge_and_tiny_chunks_equals_fit(cuts):
    expected, std = standardised(X)
    est = ZScoreScaler()
    for part in np.split(X, cuts):
        est.partial_fit(part)
    assert_allclose(est.scale_, std, rtol=1e-14)
    assert_standardised(est.transform(X), expected, X, std)


def test_zscore_huge_chunks_of_opposite_signs_merge():
    """Each chunk alone is finite; their merged sum of squares is not (was refused)."""
    top = np.array([[1e154, 3e300], [2e154, 1e300]])
    data = np.vstack([top, -top])
    expected, std = standardised(data)
    est = ZScoreScaler().partial_fit(top).partial_fit(-top)
    assert_allclose(est.scale_, std, rtol=1e-14)
    assert_standardised(est.transform(data), expected, data, std)


def test_zscore_weighted_and_sparse_huge_and_tiny_columns():
    weights = np.array([0.5, 2.0, 1.0, 3.0])
    expected, std = standardised(X, weights)
    est = ZScoreScaler().fit(X, sample_weight=weights)
    assert_allclose(est.scale_, std, rtol=1e-13)
    assert_standardised(est.transform(X), expected, X, std)
    _, std = standardised(X)
    for fmt in ("csr", "csc"):
        scaled = ZScoreScaler(with_mean=False).fit(sparse.csr_array(X).asformat(fmt))
        assert_allclose(scaled.scale_, std, rtol=1e-14)


def test_zscore_var_overflows_as_in_scikit_learn_but_scale_is_right():
    est = ZScoreScaler().fit(X[:, :1])
    assert est.var_[0] == np.inf  # the variance itself is beyond float64
    assert np.isfinite(est.scale_).all()


def test_batchnorm_standardises_columns_whose_squares_overflow():
    data = X[:, [1, 5]]  # 1e160 with a spread of 1e150: its variance fits float64
    expected, std = standardised(data, ddof=1, eps=1e-5)
    est = BatchNormScaler().fit(data)
    assert_standardised(est.transform(data), expected, data, std)
    chunked = BatchNormScaler().partial_fit(data[:2]).partial_fit(data[2:])
    assert_allclose(chunked.running_var_, est.running_var_, rtol=1e-14)


@pytest.mark.parametrize(
    ("columns", "eps", "message"),
    [
        ([5, 0], 1e-5, r"column 1: .*variance .*overflows float64"),
        ([5, 3, 4], 0.0, r"column 1, column 2: .*variance .*below float64's normal range"),
    ],
)
def test_batchnorm_refuses_a_variance_its_running_var_cannot_hold(columns, eps, message):
    est = BatchNormScaler(eps=eps).fit(np.ones((3, len(columns))))
    before = est.running_var_
    with pytest.raises(ValueError, match=message):
        est.fit(X[:, columns])
    assert est.running_var_ is before


def test_batchnorm_tiny_columns_with_eps_are_fine():
    data = X[:, [3, 4]]
    expected, std = standardised(data, ddof=1, eps=1e-5)
    assert_standardised(BatchNormScaler().fit_transform(data), expected, data, std)


ROWS = np.array([[2e-305, -3e-305, -5e-305, 1e-306], [5e-324, -1e-323, 0.0, 1.5e-323]])


@pytest.mark.parametrize("eps", [0.0, 1e-300, 1e-5])
@pytest.mark.parametrize(
    ("make", "groups"),
    [
        (lambda eps: LayerNormScaler(eps=eps), 1),
        (lambda eps: GroupNormScaler(n_groups=2, eps=eps), 2),
        (lambda eps: InstanceNormScaler(n_channels=4, eps=eps), 4),
        (lambda eps: lambda X: F.layer_norm(X, (X.shape[1],), eps=eps), 1),
        (lambda eps: lambda X: F.group_norm(X, 2, eps=eps), 2),
    ],
    ids=["LayerNormScaler", "GroupNormScaler", "InstanceNormScaler", "layer_norm", "group_norm"],
)
def test_row_norms_of_values_whose_squares_underflow(make, groups, eps):
    """PyTorch's formula (biased variance per row group) whatever eps, even 0."""
    est = make(eps)
    got = est(ROWS) if callable(est) and not hasattr(est, "fit") else est.fit_transform(ROWS)
    want = np.empty(ROWS.shape)
    size = ROWS.shape[1] // groups
    for i, row in enumerate(ROWS):
        for g in range(groups):
            part = row[g * size : (g + 1) * size]
            want[i, g * size : (g + 1) * size] = standardised(part[:, None], eps=eps)[0][:, 0]
    # eps=1e-5 dominates: the float64 mean of subnormals rounds, off by a subnormal ulp
    atol = 4 * 5e-324 / np.sqrt(eps) if eps > 1e-200 else 0.0
    assert_allclose(got, want, rtol=1e-13, atol=atol)


def test_zscore_on_dask_blocks_of_huge_and_tiny_columns_equals_numpy():
    import dask
    import dask.array as da

    expected = ZScoreScaler().fit(X)
    with dask.config.set(scheduler="synchronous"):
        got = ZScoreScaler().fit(da.from_array(X, chunks=(2, 2)))  # row and column chunks
    assert_allclose(got.scale_, expected.scale_, rtol=1e-15)
    assert_allclose(got.mean_, expected.mean_, rtol=1e-15)
