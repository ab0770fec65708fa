"""Min-max scaling whose data range or target width overflows float64 maps to the right
finite values. Reference: the map computed exactly with :mod:`fractions`."""

from fractions import Fraction

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklearn_norm import MinMaxScaler
from sklearn_norm import functional as F

HUGE = np.array([[-1e308], [1e308], [0.0], [5e307], [-1.7e308], [1.7976931348623157e308]])
SMALL = np.array([[-1.0], [1.0], [0.5], [0.0], [-0.25]])


def exact_min_max(X, feature_range, data=None):
    """``(x - min) (b - a) / (max - min) + a`` per column, in exact rationals."""
    data = X if data is None else data
    low, high = (Fraction(v) for v in feature_range)
    out = np.empty(X.shape)
    for j in range(X.shape[1]):
        lo, hi = Fraction(float(data[:, j].min())), Fraction(float(data[:, j].max()))
        for i in range(X.shape[0]):
            out[i, j] = float((Fraction(float(X[i, j])) - lo) * (high - low) / (hi - lo) + low)
    return out


CASES = [
    (HUGE, (0, 1)),
    (HUGE, (-1, 1)),
    (HUGE, (-1e308, 1e308)),
    (HUGE, (0.0, 1.7e308)),
    (SMALL, (-1e308, 1e308)),
    (SMALL, (-1.7e308, 1.7e308)),
]


def _tolerance(feature_range):
    return 1e-15 * max(abs(v) for v in feature_range)


@pytest.mark.parametrize(("X", "feature_range"), CASES)
def test_minmax_beyond_float64_maps_to_the_right_finite_values(X, feature_range):
    expected = exact_min_max(X, feature_range)
    est = MinMaxScaler(feature_range=feature_range).fit(X)
    got = est.transform(X)
    assert np.isfinite(got).all()
    assert_allclose(got, expected, rtol=1e-14, atol=_tolerance(feature_range))
    assert_allclose(est.inverse_transform(got), X, rtol=1e-14, atol=1e-15 * np.abs(X).max())
    func = F.min_max_scale(X, X.min(axis=0), X.max(axis=0), feature_range)
    assert_allclose(func, expected, rtol=1e-14, atol=_tolerance(feature_range))


def test_minmax_beyond_float64_clips_and_streams():
    est = MinMaxScaler(clip=True).fit(HUGE[:3]).partial_fit(HUGE[3:])
    new = np.array([[-1.79e308], [1.79e308], [1e307]])
    expected = np.clip(exact_min_max(new, (0, 1), data=HUGE), 0, 1)
    assert_allclose(est.transform(new), expected, rtol=1e-14, atol=1e-15)
    sliced = MinMaxScaler().fit(np.hstack([HUGE, HUGE / 2]))
    assert_allclose(
        sliced.transform(np.hstack([HUGE, HUGE / 2])),
        np.hstack([exact_min_max(HUGE, (0, 1))] * 2),
        rtol=1e-14,
        atol=1e-15,
    )


def exact_min_max_constant_as_one(X, feature_range, dtype):
    """:func:`exact_min_max` with a zero range counting as 1 (scikit-learn's rule), then
    rounded once to ``dtype`` (beyond it: inf)."""
    low, high = (Fraction(v) for v in feature_range)
    out = np.empty(X.shape)
    for j in range(X.shape[1]):
        lo, hi = Fraction(float(X[:, j].min())), Fraction(float(X[:, j].max()))
        span = hi - lo if hi - lo else Fraction(1)
        for i in range(X.shape[0]):
            out[i, j] = float((Fraction(float(X[i, j])) - lo) * (high - low) / span + low)
    with np.errstate(over="ignore"):
        return out.astype(dtype)


NARROW = [
    # a width that overflows over a small or a zero range: the factor itself overflows
    (np.array([[1.0], [2.0], [1.5]]), (-1e308, 1e308), np.float64),
    (np.array([[0.274], [0.274]]), (-1e308, 1e308), np.float64),
    (np.array([[0.274], [0.274]]), (-1e308, 1e308), np.float16),
    (np.array([[1.0], [2.0]]), (-1e308, 1e308), np.float32),
    # float32 data whose range overflows float32 (not float64)
    (np.array([[9.2279173e37], [-1.5510829e38], [-3.0927324e38]]), (0, 1), np.float32),
    (np.array([[3e38], [-3e38], [0.0]]), (-1, 1), np.float32),
]


@pytest.mark.parametrize(("X", "feature_range", "dtype"), NARROW)
def test_minmax_overflowing_factor_or_narrow_range_is_exact(X, feature_range, dtype):
    X = X.astype(dtype)
    expected = exact_min_max_constant_as_one(X, feature_range, dtype)
    est = MinMaxScaler(feature_range=feature_range).fit(X)
    got = est.transform(X)
    assert got.dtype == dtype
    rtol = 4 * float(np.finfo(dtype).eps)
    assert_allclose(got, expected, rtol=rtol, atol=1e-300)
    func = F.min_max_scale(X, X.min(axis=0), X.max(axis=0), feature_range)
    assert_allclose(func, expected, rtol=rtol, atol=1e-300)
    if np.isfinite(got).all():  # (a result beyond the dtype is inf: no inverse)
        back = est.inverse_transform(got)
        assert_allclose(back, X, rtol=rtol, atol=rtol * float(np.abs(X).max()))
