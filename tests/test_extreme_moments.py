"""Moments of columns whose squares overflow or underflow float64 (|x| beyond about
1e154, or below about 1e-154): ``ZScoreScaler`` standardises them exactly, in one fit,
in chunks, sparse and weighted; ``BatchNormScaler`` does where its float64
``running_var_`` can hold the variance, and refuses clearly where it cannot.

Reference: the formula in 60-digit decimal arithmetic (no overflow, no underflow).
scikit-learn's ``StandardScaler`` is no reference here: its sum of squares overflows
(``var_`` inf, ``scale_`` 1, the column left unscaled) or underflows (``var_`` 0).
"""

from decimal import Context, Decimal

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import sparse

from sklearn_norm import BatchNormScaler, ZScoreScaler

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
    values = [CTX.create_decimal(float(v)) for v in column]
    w = [Decimal(1)] * len(values) if weights is None else [Decimal(float(v)) for v in weights]
    n = CTX.add(sum(w, Decimal(0)), 0)
    mean = CTX.divide(sum((CTX.multiply(a, b) for a, b in zip(w, values)), Decimal(0)), n)
    m2 = sum((CTX.multiply(a, CTX.power(v - mean, 2)) for a, v in zip(w, values)), Decimal(0))
    return values, mean, CTX.divide(m2, n - ddof)


def standardised(X, weights=None, ddof=0, eps=0.0):
    """``(x - mean) / sqrt(var + eps)`` per column, in decimal; also the std."""
    out, std = np.empty(X.shape), np.empty(X.shape[1])
    for j in range(X.shape[1]):
        values, mean, var = _moments(X[:, j], weights, ddof)
        root = CTX.sqrt(var + CTX.create_decimal(eps))
        std[j] = float(root)
        out[:, j] = [float(CTX.divide(v - mean, root)) for v in values]
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
