"""DecimalScaler: exponents decided exactly at powers of ten, results rounded once."""

from fractions import Fraction
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_norm import DecimalScaler


@cache
def _power(j):
    """The float64 nearest 10**j, from exact rational arithmetic."""
    return float(Fraction(10) ** int(j))


def _reference_digits(max_abs):
    """Smallest j with max_abs < float64(10**j), by plain search; 0 for 0."""
    if max_abs == 0:
        return 0
    j = -330
    while not max_abs < _power(j):
        j += 1
    return j


def _reference_scale(x, j, dtype=np.float64):
    """x / 10**j (x * 10**-j for j < 0) with the float64 power, rounded once to dtype."""
    j = int(j)
    if j >= 0:
        exact = Fraction(float(x)) / Fraction(_power(j))
    else:
        exact = Fraction(float(x)) * Fraction(_power(-j))
    # float64 first, then dtype: innocuous double rounding (53 >= 2 * 24 + 2)
    return dtype(float(exact))


@pytest.mark.parametrize(
    "value, digits",
    [
        (1000.0, 4),
        (999.99, 3),
        (0.05, -1),
        (0.0, 0),
        (1e-5, -4),
        (1e22, 23),
        (1.0, 1),
        (0.1, 0),
        (0.09999999999999999, -1),
        (9.999999999999997e22, 23),
        (1e23, 24),  # the float64 written 1e23 is below 10**23 but is the nearest to it
        (123456.0, 6),
        (0.5, 0),
    ],
)
def test_decimal_exact_at_powers_of_ten(value, digits):
    assert _reference_digits(value) == digits  # the reference agrees with the contract
    for sign in (1.0, -1.0):
        scaler = DecimalScaler().fit(np.array([[sign * value], [0.0]]))
        assert scaler.n_digits_.tolist() == [digits]
        assert scaler.n_digits_.dtype.kind == "i"
        assert scaler.scale_[0] == _power(digits)
        out = scaler.transform(np.array([[sign * value]]))
        assert out[0, 0] == _reference_scale(sign * value, digits)
        assert abs(out[0, 0]) < 1 or value == 0


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-1e200, max_value=1e200, allow_nan=False, allow_subnormal=False),
        min_size=1,
        max_size=5,
    )
)
def test_decimal_digits_and_values_match_exact_reference(values):
    X = np.array(values)[:, None]
    scaler = DecimalScaler().fit(X)
    j = _reference_digits(float(np.max(np.abs(X))))
    assert scaler.n_digits_[0] == j
    out = scaler.transform(X)
    np.testing.assert_array_equal(out[:, 0], [_reference_scale(v, j) for v in values])


def test_decimal_per_feature_false_uses_one_exponent():
    X = np.array([[0.05, 0.001, -0.07], [0.0, 0.0002, 0.01]])
    scaler = DecimalScaler(per_feature=False).fit(X)
    assert scaler.n_digits_.tolist() == [-1, -1, -1]
    np.testing.assert_array_equal(scaler.max_abs_, [0.05, 0.001, 0.07])
    np.testing.assert_array_equal(scaler.transform(X), X * 10.0)
    X2 = np.array([[1000.0, 0.5, 0.0]])
    assert DecimalScaler(per_feature=False).fit(X2).n_digits_.tolist() == [4, 4, 4]
    assert DecimalScaler(per_feature=True).fit(X2).n_digits_.tolist() == [4, 0, 0]


@pytest.mark.parametrize("n_digits", [-3, 0, 2, 5])
def test_decimal_fixed_n_digits(n_digits):
    X = np.array([[123.0, -0.004], [7.0, 55.0]])
    scaler = DecimalScaler(n_digits=n_digits).fit(X)
    assert scaler.n_digits_.tolist() == [n_digits, n_digits]
    expected = [[_reference_scale(v, n_digits) for v in row] for row in X]
    np.testing.assert_array_equal(scaler.transform(X), expected)


def test_decimal_all_zero_and_all_nan_features():
    X = np.array([[0.0, np.nan, 5.0], [0.0, np.nan, np.nan]])
    scaler = DecimalScaler().fit(X)
    assert scaler.n_digits_.tolist() == [0, 0, 1]
    out = scaler.transform(X)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(X))
    assert out[0, 2] == 0.5


def test_decimal_sparse_stays_sparse():
    X = sparse.random(30, 4, density=0.3, format="csr", random_state=0) * 1234.5
    scaler = DecimalScaler().fit(X)
    np.testing.assert_array_equal(scaler.n_digits_, DecimalScaler().fit(X.toarray()).n_digits_)
    out = scaler.transform(X)
    assert sparse.issparse(out) and out.nnz == X.nnz
    np.testing.assert_array_equal(out.toarray(), scaler.transform(X.toarray()))
    back = scaler.inverse_transform(out)
    assert sparse.issparse(back)
    np.testing.assert_allclose(back.toarray(), X.toarray(), rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_decimal_low_precision_rounded_once(dtype):
    # 1e5 overflows float16 and 1e11 is inexact in float32: results must still be the
    # correctly rounded quotient in the input's dtype
    values = {np.float16: [20000.0, 3.0, 1e-7, 0.05], np.float32: [3e12, 7e-20, 1e37, 0.05]}
    X = np.array([values[dtype]], dtype=dtype)
    scaler = DecimalScaler().fit(X)
    out = scaler.transform(X)
    assert out.dtype == dtype
    expected = [_reference_scale(v, j, dtype) for v, j in zip(X[0], scaler.n_digits_)]
    np.testing.assert_array_equal(out[0], expected)
    assert np.all(np.isfinite(out))


def test_decimal_int_input_becomes_float64():
    out = DecimalScaler().fit_transform(np.array([[1000, 5], [-20, 0]]))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[0.1, 0.5], [-0.002, 0.0]])


def test_decimal_copy_false_in_place_and_read_only_copied():
    X = np.array([[1234.0, 0.5], [-10.0, 0.25]])
    scaler = DecimalScaler(copy=False).fit(X)
    work = X.copy()
    assert scaler.transform(work) is work
    np.testing.assert_array_equal(work, [[0.1234, 0.5], [-0.001, 0.25]])
    read_only = X.copy()
    read_only.flags.writeable = False
    assert scaler.transform(read_only) is not read_only
    np.testing.assert_array_equal(read_only, X)
    fresh = X.copy()
    assert scaler.transform(fresh, copy=True) is not fresh
    np.testing.assert_array_equal(fresh, X)


def test_decimal_inverse_round_trip():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3)) * [1e-4, 1.0, 1e6]
    scaler = DecimalScaler().fit(X)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X)), X, rtol=4e-16)
    assert np.all(np.abs(scaler.transform(X)) < 1)


def test_decimal_max_abs_scaler_style_formula():
    # like MaxAbsScaler, but dividing by the power of ten above the max abs
    rng = np.random.default_rng(1)
    X = rng.uniform(-500, 300, size=(40, 2))
    max_abs = np.max(np.abs(X), axis=0)
    scaler = DecimalScaler().fit(X)
    np.testing.assert_array_equal(scaler.max_abs_, max_abs)
    np.testing.assert_allclose(scaler.transform(X), X / 1000.0, rtol=1e-16)


def test_decimal_partial_fit_equals_fit():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 3)) * [1e-3, 10, 1e5]
    streamed = DecimalScaler()
    for chunk in np.array_split(X, 5):
        streamed.partial_fit(chunk)
    full = DecimalScaler().fit(X)
    np.testing.assert_array_equal(streamed.n_digits_, full.n_digits_)
    np.testing.assert_array_equal(streamed.max_abs_, full.max_abs_)
    assert streamed.n_samples_seen_ == full.n_samples_seen_ == 60


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@parametrize_with_checks([DecimalScaler(per_feature=False), DecimalScaler(n_digits=2)])
def test_decimal_parameter_variants_pass_check_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "value, digits", [(1.7e308, 309), (1e308, 309), (5e-324, -323), (2.5e-310, -309)]
)
def test_decimal_float64_extremes_stay_finite(value, digits):
    # 10**309 and 10**323 are beyond float64: scaling goes in two steps, never to 0 or inf
    X = np.array([[value], [-value / 2]])
    scaler = DecimalScaler().fit(X)
    assert scaler.n_digits_.tolist() == [digits]
    out = scaler.transform(X)
    exact = float(Fraction(value) / Fraction(10) ** digits)
    assert 0.1 <= out[0, 0] < 1
    assert abs(out[0, 0] - exact) <= 2 * np.spacing(exact)
    np.testing.assert_allclose(scaler.inverse_transform(out), X, rtol=4e-16)


def test_decimal_scale_beyond_float64_powers_keeps_float32():
    # make fuzz: n_digits=309 scales in float64 steps; the result is the input's dtype
    from sklearn_norm.functional import decimal_scale

    x = np.array([[0.0], [3e38], [-1.5]], dtype=np.float32)
    got = decimal_scale(x, [309])
    assert got.dtype == np.float32
    want = [float(Fraction(float(v)) / 10**309) for v in x[:, 0]]  # exact, then rounded
    np.testing.assert_array_equal(got[:, 0], np.array(want).astype(np.float32))
