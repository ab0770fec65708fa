"""The standing defence for ``sklearn_norm.functional``: every function against its reference.

The same hard data and tolerances as ``test_differential.py``; the reference is the
formula in long double (``_references``), ``fractions`` for ``decimal_scale``, and also
PyTorch's function in float64 where torch is installed (``make test-torch``) and the data
holds no NaN (PyTorch propagates NaN, which these functions leave out of the statistics).
"""

import importlib.util
import math

import _references as R
import numpy as np
import pytest
from _hard_data import hard_matrix
from _known_bugs import exempt
from hypothesis import given
from hypothesis import strategies as st
from test_differential import assert_matches

from sklearn_norm import functional as F

LD = np.longdouble


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def _column_stats(X):
    """Per-column min, max, mean and population std of the non-NaN values, as float64."""
    _, mean, var = R._moments(X)
    lo, hi = R._quiet(np.nanmin, X, 0), R._quiet(np.nanmax, X, 0)
    std = R._float64(np.sqrt(var))[0]
    std = np.where(np.isfinite(std) & (std > 0), std, 1.0)
    lo, hi = np.where(np.isnan(lo), 0, lo), np.where(np.isnan(hi), 1, hi)
    return lo, hi, np.nan_to_num(R._float64(mean)[0]), std


def _affine(X, centre, divisor, times=1.0, plus=0.0):
    """``(x - centre) / divisor * times + plus`` in long double, with its ``cond``, ``gain``."""
    centre, divisor = np.asarray(centre, dtype=LD), np.asarray(divisor, dtype=LD)
    A = np.asarray(X, dtype=LD)
    with np.errstate(all="ignore"):
        want = (A - centre) / divisor * LD(times) + LD(plus)
        cond = (np.abs(A) + np.abs(centre)) / divisor * LD(abs(times)) + abs(plus)
        gain = np.broadcast_to(LD(abs(times)) / divisor, X.shape)
    return R._float64(want, cond, gain)


def min_max(X, p):
    """A range below ``10 * eps`` of float64 counts as 1 (scikit-learn's
    ``_handle_zeros_in_scale``, the docstring's rule); near it either way may be taken."""
    lo, hi, _, _ = _column_stats(X)
    a, b = p["feature_range"]
    span, tiny = hi - lo.astype(LD), 10 * np.finfo(np.float64).eps
    got = F.min_max_scale(X, lo, hi, feature_range=(a, b))
    want, cond, gain = _affine(X, lo, np.where(span < tiny, LD(1), span), LD(b) - LD(a), a)
    cond[:, (span > tiny / 4) & (span < tiny * 4)] = np.inf
    return got, (want, cond, gain)


def z_score(X, p):
    _, _, mean, std = _column_stats(X)
    return F.z_score(X, mean, std), _affine(X, mean, std)


def batch_norm(X, p):
    _, _, mean, std = _column_stats(X)
    with np.errstate(over="ignore"):  # a variance beyond float64: inf, given as it is
        var = std**2
    got = F.batch_norm(X, mean, var, eps=p["eps"])
    divisor = np.sqrt(np.asarray(var, dtype=LD) + LD(p["eps"]))
    return got, _affine(X, mean, np.where(divisor == 0, 1, divisor))


def decimal(X, p):
    return F.decimal_scale(X, p["n_digits"]), R.decimal_by(X, p["n_digits"])


def log(X, p):
    got = F.log_scale(X, base=p["base"], offset=p["offset"], signed=p["signed"])
    # the function's plain math (its docstring, numpy's log1p and log): log(0) = -inf
    return got, R.log(X, p["base"], p["signed"], p["offset"], at_zero=-np.inf)


def unit(X, p):
    return F.unit_norm(X, p["norm"]), R.unit_norm(X, p["norm"])


def layer(X, p):
    return F.layer_norm(X, (X.shape[1],), eps=p["eps"]), R.group_norm(X, 1, p["eps"])


def group(X, p):
    return F.group_norm(X, p["n_groups"], eps=p["eps"]), R.group_norm(X, p["n_groups"], p["eps"])


def instance(X, p):
    x = X.reshape(X.shape[0], p["n_channels"], -1)
    got = F.instance_norm(x, eps=p["eps"]).reshape(X.shape)
    return got, R.group_norm(X, p["n_channels"], p["eps"])


def standardize(X, p):
    n, mean, var = R._moments(X.T, ddof=1)
    std = np.sqrt(np.where(n <= 1, 0, var))  # documented: at most ddof values, variance 0
    divisor = std + LD(p["eps"])
    want = _affine(X.T, mean, np.where(divisor == 0, 1, divisor))
    return F.weight_standardize(X, eps=p["eps"]), tuple(np.ascontiguousarray(a.T) for a in want)


def max_abs(X, p):
    top = R._col_max(X).astype(np.float64)
    top = np.where(np.isnan(top), 1.0, top)
    divisor = np.where(top < 10 * np.finfo(X.dtype).eps, 1.0, top)
    return F.max_abs_scale(X, top), _affine(X, 0.0, divisor)


def rms(X, p):
    return F.rms_norm(X, X.shape[1], eps=p["eps"]), R.rms_rows(X, p["eps"])


def robust(X, p):
    """The exact quartiles (numpy's float64 ``a + (b - a) t`` overflows near 1e308)."""
    low, mid, high = R._quiet(np.nanpercentile, X.astype(LD), [25, 50, 75], 0)
    mid, scale = R._float64(np.nan_to_num(mid), np.nan_to_num(high - low, nan=1.0))
    got = F.robust_scale(X, mid, scale)
    return got, _affine(X, mid, np.where(scale == 0, 1.0, scale))


def power(X, p):
    lam = np.asarray(p["lambdas"], dtype=np.float64)[: X.shape[1]]
    got = F.power_transform(X, lam, method=p["method"])
    return got, R.power(X, lam, method=p["method"])


def norm_of_rows(X, p):
    return F.weight_norm(X, dim=0), R.unit_norm(X, "l2")


ROWS = st.fixed_dictionaries({"eps": st.sampled_from([1e-5, 1e-12, 0.0])})
#: Every function of sklearn_norm.functional: (draw its parameters, run it and its
#: reference, its statistics are per row, it takes NaN).
TABLE = {
    "min_max_scale": (
        lambda n: st.fixed_dictionaries(
            {"feature_range": st.sampled_from([(0.0, 1.0), (-1.0, 1.0), (-1e308, 1e308)])}
        ),
        min_max,
        False,
        True,
    ),
    "z_score": (lambda n: st.just({}), z_score, False, True),
    "batch_norm": (lambda n: ROWS, batch_norm, False, True),
    "decimal_scale": (
        lambda n: st.fixed_dictionaries({"n_digits": st.integers(-330, 330)}),
        decimal,
        False,
        True,
    ),
    "log_scale": (
        lambda n: st.fixed_dictionaries(
            {
                "base": st.sampled_from([math.e, 2.0, 10.0]),
                "signed": st.booleans(),
                "offset": st.sampled_from([1.0, 0.5, 3.0]),
            }
        ),
        log,
        False,
        True,
    ),
    "unit_norm": (
        lambda n: st.fixed_dictionaries({"norm": st.sampled_from(["l1", "l2", "max"])}),
        unit,
        True,
        True,
    ),
    "layer_norm": (lambda n: ROWS, layer, True, True),
    "group_norm": (
        lambda n: st.fixed_dictionaries(
            {"n_groups": st.sampled_from(_divisors(n)), "eps": st.sampled_from([1e-5, 0.0])}
        ),
        group,
        True,
        True,
    ),
    "instance_norm": (
        lambda n: st.fixed_dictionaries(
            {"n_channels": st.sampled_from(_divisors(n)), "eps": st.sampled_from([1e-5, 0.0])}
        ),
        instance,
        True,
        True,
    ),
    "weight_standardize": (
        lambda n: st.fixed_dictionaries({"eps": st.sampled_from([1e-5, 1e-12])}),
        standardize,
        True,
        True,
    ),
    "weight_norm": (lambda n: st.just({}), norm_of_rows, True, False),
    "max_abs_scale": (lambda n: st.just({}), max_abs, False, True),
    "rms_norm": (
        lambda n: st.fixed_dictionaries({"eps": st.sampled_from([None, 1e-6])}),
        rms,
        True,
        True,
    ),
    "robust_scale": (lambda n: st.just({}), robust, False, True),
    "power_transform": (
        lambda n: st.fixed_dictionaries(
            {
                "lambdas": st.lists(st.sampled_from([-2.0, 0.0, 0.5, 1.0, 2.0, 3.0]), min_size=4),
                "method": st.sampled_from(["yeo-johnson", "box-cox"]),
            }
        ),
        power,
        False,
        True,
    ),
}
NAMES = sorted(TABLE)


def test_every_function_has_a_reference():
    assert sorted(F.__all__) == NAMES


@given(st.sampled_from(NAMES), st.data())
def test_function_matches_reference(name, data):
    draw_params, run, rowwise, takes_nan = TABLE[name]
    X = data.draw(hard_matrix(nan=takes_nan))
    if rowwise:
        X = np.ascontiguousarray(X.T)
    params = data.draw(draw_params(X.shape[1]))
    got, (want, cond, gain) = run(X, params)
    skip, _ = exempt(name, params, X, None, None)
    assert_matches(np.asarray(got), want, cond, gain, X, f"{name}({params})", skip)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("offset", [1.0, 0.5, 3.0])
def test_log_scale_of_minus_offset_is_minus_infinity_as_numpy(dtype, offset):
    """``x + offset == 0`` gives numpy's ``log1p(-1) = log(0) = -inf``; below it, NaN
    (found by ``make fuzz`` on float16, where the reference wrongly said NaN)."""
    X = np.array([[-offset], [-offset - 1.0], [2.0]], dtype=dtype)
    params = {"base": 2.0, "signed": False, "offset": offset}
    got, (want, cond, gain) = log(X, params)
    with np.errstate(divide="ignore", invalid="ignore"):
        numpy = np.log(X.astype(np.float64) + offset) / np.log(2.0)
    assert np.asarray(got)[0, 0] == numpy[0, 0] == -np.inf
    assert np.isnan(np.asarray(got)[1, 0]) and np.isnan(numpy[1, 0])
    assert_matches(np.asarray(got), want, cond, gain, X, f"log_scale({params})")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_min_max_scale_range_below_ten_eps_counts_as_one(dtype):
    """make fuzz: a float32 column [2.7e-16, -4.6e-16] has a range below 10 * eps of
    float64: scikit-learn's rule (the docstring's) counts it as 1, so it maps to
    ``x - min``, not to [1, 0]."""
    X = np.array([[2.7392339e-16], [-4.6042657e-16]], dtype=dtype)
    params = {"feature_range": (0.0, 1.0)}
    got, (want, cond, gain) = min_max(X, params)
    assert_matches(np.asarray(got), want, cond, gain, X, f"min_max_scale({params})")
    assert abs(float(np.asarray(got)[0, 0])) < 1e-15


@pytest.mark.parametrize(
    "column",
    [
        [4.2078e306, 1.6034e308, -1.2666e308, 1.5969e308],  # quartile range beyond float64
        [1.61567907e307, -1.74237128e308],  # numpy's float64 quartiles overflow: inf, -inf
    ],
)
def test_robust_scale_with_quartiles_near_the_largest_float(column):
    """make fuzz: the reference's float64 quartiles overflowed (a RuntimeWarning); the
    function is checked with the exact quartiles, rounded to float64 (inf: a range
    beyond float64, where the formula gives 0)."""
    X = np.array(column)[:, None]
    got, (want, cond, gain) = robust(X, {})
    assert_matches(np.asarray(got), want, cond, gain, X, "robust_scale")


TORCH = {
    "layer_norm": lambda t, X, p: t.nn.functional.layer_norm(
        t.tensor(X), (X.shape[1],), eps=p["eps"]
    ),
    "group_norm": lambda t, X, p: t.nn.functional.group_norm(
        t.tensor(X), p["n_groups"], eps=p["eps"]
    ),
}


def pytorch_noise(X, n_groups, eps):
    """The values of the row groups where PyTorch's float64 output is its rounding noise.

    PyTorch's CPU kernel takes each group's mean and variance by Welford's method in
    float64 (``RowwiseMoments``). Its mean is off by up to about ``δ = n·ε·max|x|``, which
    shifts its variance by up to ``2σδ + δ²``. Where that shift reaches a quarter of the
    denominator ``σ² + eps`` (a spread within a few ulps of the mean: ``[1e23, 1e23 + ulp]``
    has variance 0 in PyTorch), its output ``(x - mean) / sqrt(var + eps)`` is that
    rounding divided by ``sqrt(eps)``, not a reference; there the long-double reference
    of ``test_function_matches_reference`` checks our values (docs/differences.rst).
    """
    G = X.reshape(X.shape[0] * n_groups, -1)
    n, _, var = R._moments(G.T)
    delta = n * np.finfo(np.float64).eps * R._col_max(G.T)
    noise = 2 * np.sqrt(var) * delta + delta**2 >= (var + LD(eps)) / 4
    return np.broadcast_to(noise[:, None], G.shape).reshape(X.shape)


def _compare_with_pytorch(name, X, params, pytorch):
    """``name`` on float64 ``X`` (no NaN) against PyTorch's output (``pytorch()``), where it
    is one (not where that is its own rounding noise: :func:`pytorch_noise`)."""
    got, (_, cond, gain) = TABLE[name][1](X, params)
    size = np.abs(X[X != 0])
    if size.size and (size.max() > 1e150 or size.min() < 1e-150):
        return  # PyTorch's float64 squares overflow or lose bits: not a reference there
    try:
        want = pytorch()
    except (ValueError, RuntimeError):  # PyTorch refuses groups of one value: we define them
        return
    skip, _ = exempt(name, params, X, None, None)
    skip = skip | ~np.isfinite(want)  # PyTorch's float64 overflows (var of 1e308s): 0/inf/NaN
    skip = skip | pytorch_noise(X, params.get("n_groups", 1), params["eps"])
    assert_matches(np.asarray(got), want, cond, gain, X, f"{name}({params}) vs PyTorch", skip)


@pytest.mark.parametrize("name", sorted(TORCH))
@given(data=st.data())
def test_function_matches_pytorch(name, data):
    torch = pytest.importorskip("torch")
    X = np.ascontiguousarray(data.draw(hard_matrix(dtypes=(np.float64,), nan=False)).T)
    params = data.draw(TABLE[name][0](X.shape[1]))
    params["eps"] = params["eps"] or 1e-5  # eps=0: PyTorch gives 0/0 = NaN where we give 0
    _compare_with_pytorch(name, X, params, lambda: TORCH[name](torch, X, params).numpy())


@pytest.mark.parametrize(
    "name, row, params, recorded",
    [
        (
            "group_norm",
            ["0x1.52d02c7e14af9p+76", "0x1.52d02c7e14af8p+76"],
            {"n_groups": 1},
            [5.305421535661949e09, 0.0],
        ),
        (
            "layer_norm",
            ["0x1.d1a94a1ffffffp+39", "0x1.d1a94a2000000p+39"],
            {"eps": 1e-12},
            [-122.0703125, 0.0],
        ),
    ],
)
def test_pytorch_rounding_noise_is_not_a_reference(name, row, params, recorded):
    """make-fuzz findings: two values one ulp apart (1e23, 1e12). PyTorch's float64
    Welford mean rounds to one of them and its variance is 0, so it gives
    ``[ulp / sqrt(eps), 0]`` (``recorded``: torch 2.13.0 on CPU, checked against the live
    torch where installed); the formula gives ``±1`` (``±0.9999`` with ``eps=1e-12``),
    which we give and the long-double reference checks."""
    X = np.array([[float.fromhex(v) for v in row]])
    params = {"eps": 1e-5, **params}
    pytorch = np.array([recorded])
    if importlib.util.find_spec("torch") is not None:
        import torch

        np.testing.assert_array_equal(TORCH[name](torch, X, params).numpy(), pytorch)
    ulp = abs(X[0, 0] - X[0, 1])
    np.testing.assert_allclose(np.abs(pytorch).max(), ulp / np.sqrt(params["eps"]), rtol=1e-6)
    assert pytorch_noise(X, params.get("n_groups", 1), params["eps"]).all()
    _compare_with_pytorch(name, X, params, lambda: pytorch)
    got, (want, cond, gain) = TABLE[name][1](X, params)
    assert_matches(np.asarray(got), want, cond, gain, X, f"{name}({params})")
