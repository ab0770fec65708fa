"""The deep-learning normalisation functions against plain numpy formulas (longdouble)."""

import array_api_strict as xps
import numpy as np
import pytest
from _rowwise_reference import LD, group_norm, tolerance, unit_norm
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.preprocessing import normalize

from sklearn_norm import functional as F

RNG = np.random.default_rng(7)
SHAPES = [(5, 4), (5, 4, 6), (3, 4, 3, 5)]


def affine(c, rng=RNG):
    return rng.normal(size=c), rng.normal(size=c)


def rows(x):
    return x.reshape(x.shape[0], -1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_affine", [False, True])
def test_functional_group_and_instance_norm_match_reference(dtype, shape, with_affine):
    x = RNG.normal(2.0, 3.0, size=shape).astype(dtype)
    c, length = shape[1], int(np.prod(shape[2:]))
    w, b = affine(c) if with_affine else (None, None)
    wf = None if w is None else np.repeat(w, length)
    bf = None if b is None else np.repeat(b, length)
    for groups in (1, 2, 4):
        got = F.group_norm(x, groups, w, b, eps=1e-3)
        assert got.dtype == dtype and got.shape == x.shape
        ref = group_norm(rows(x), groups, wf, bf, eps=1e-3)[0]
        assert_allclose(rows(got), ref.astype(float), **tolerance(dtype))
    got = F.instance_norm(x, weight=w, bias=b)
    assert_allclose(rows(got), group_norm(rows(x), c, wf, bf)[0].astype(float), **tolerance(dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_functional_layer_norm_over_trailing_axes(dtype):
    x = RNG.normal(size=(3, 2, 4, 5)).astype(dtype)
    w, b = RNG.normal(size=(4, 5)), RNG.normal(size=(4, 5))
    got = F.layer_norm(x, (4, 5), w, b, eps=1e-4)
    flat = x.reshape(6, 20)
    ref = group_norm(flat, 1, w.ravel(), b.ravel(), eps=1e-4)[0]
    assert got.dtype == dtype
    assert_allclose(got.reshape(6, 20), ref.astype(float), **tolerance(dtype))
    assert_allclose(
        F.layer_norm(x, 5),
        group_norm(x.reshape(-1, 5), 1)[0].reshape(x.shape).astype(float),
        **tolerance(dtype),
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", SHAPES)
def test_functional_batch_norm_and_instance_norm_with_running_stats(dtype, shape):
    x = RNG.normal(size=shape).astype(dtype)
    c = shape[1]
    mean, var = RNG.normal(size=c), RNG.uniform(0.5, 2.0, size=c)
    w, b = affine(c)
    expand = (slice(None),) + (None,) * (len(shape) - 2)
    ref = (x.astype(LD) - mean[expand]) / np.sqrt(var.astype(LD) + LD(1e-5))[expand]
    ref = ref * w[expand] + b[expand]
    for got in (
        F.batch_norm(x, mean, var, w, b),
        F.instance_norm(x, mean, var, w, b),
    ):
        assert got.dtype == dtype
        assert_allclose(got, ref.astype(float), **tolerance(dtype))


def test_functional_nan_is_left_out_of_the_statistics_and_kept():
    x = RNG.normal(size=(4, 2, 5))
    x[0, 0, 1] = x[2, 1, :2] = np.nan
    x[3, 1, :] = np.nan  # a channel without any value
    ref = group_norm(rows(x), 2)[0].astype(float)
    got = F.instance_norm(x)
    assert_array_equal(np.isnan(got), np.isnan(x))
    assert_allclose(rows(got), ref, rtol=1e-12, atol=1e-12)
    got = F.layer_norm(x, (2, 5))
    assert_allclose(rows(got), group_norm(rows(x), 1)[0].astype(float), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("eps", [0.0, 1e-5])
def test_functional_zero_and_constant_groups_map_to_bias(eps):
    x = np.zeros((2, 3, 4))
    x[1] = 1e9 + 0.1  # constant, far from zero
    b = np.array([1.0, 2.0, 3.0])
    expected = np.broadcast_to(b[:, None], (2, 3, 4))
    assert_array_equal(F.instance_norm(x, bias=b, eps=eps), expected)
    assert_array_equal(F.group_norm(x, 3, bias=b, eps=eps), expected)
    assert_array_equal(F.layer_norm(x, (3, 4), eps=eps), np.zeros_like(x))


def test_functional_large_mean_small_spread_keeps_precision():
    x = 1e8 + RNG.normal(size=(3, 50)) * 1e-3
    ref = group_norm(x, 1, eps=0.0)[0].astype(float)
    assert_allclose(F.layer_norm(x, 50, eps=0.0), ref, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_functional_unit_norm_matches_normalizer(norm, dtype):
    x = RNG.normal(size=(6, 5)).astype(dtype)
    x[2] = 0.0
    got = F.unit_norm(x, norm)
    assert got.dtype == dtype
    assert_allclose(got, normalize(x.astype(np.float64), norm=norm), **tolerance(dtype))
    assert_array_equal(got[2], 0.0)
    axis0 = F.unit_norm(x, norm, axis=0)
    assert_allclose(axis0, normalize(x.astype(np.float64), norm=norm, axis=0), **tolerance(dtype))


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_functional_unit_norm_nan_and_sparse(norm):
    x = RNG.normal(size=(5, 4))
    x[1, 2] = np.nan
    x[3] = np.nan
    ref = unit_norm(x, norm)[0].astype(float)
    got = F.unit_norm(x, norm)
    assert_array_equal(np.isnan(got), np.isnan(x))
    assert_allclose(got, ref, rtol=1e-13, atol=1e-15)
    s = sparse.random(6, 5, density=0.4, format="csr", random_state=0, dtype=np.float32)
    got = F.unit_norm(s, norm)
    assert sparse.issparse(got) and got.dtype == np.float32
    assert_allclose(got.toarray(), normalize(s.toarray().astype(float), norm=norm), rtol=1e-6)


def test_functional_unit_norm_huge_values_do_not_overflow():
    got = F.unit_norm(np.array([[3e200, 4e200]]))
    assert_allclose(got, [[0.6, 0.8]], rtol=1e-15)


@pytest.mark.parametrize("ddof, eps_mode", [(1, "std"), (0, "var"), (0, "std")])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_functional_weight_standardize(ddof, eps_mode, dtype):
    w = RNG.normal(0.3, 2.0, size=(4, 3, 2, 2)).astype(dtype)
    flat = w.reshape(4, -1).astype(LD)
    mean = flat.mean(axis=1, keepdims=True)
    var = ((flat - mean) ** 2).sum(axis=1, keepdims=True) / (flat.shape[1] - ddof)
    eps = LD(1e-3)
    denom = np.sqrt(var) + eps if eps_mode == "std" else np.sqrt(var + eps)
    ref = ((flat - mean) / denom).reshape(w.shape)
    got = F.weight_standardize(w, eps=1e-3, ddof=ddof, eps_mode=eps_mode)
    assert got.dtype == dtype
    assert_allclose(got, ref.astype(float), **tolerance(dtype))


def test_functional_weight_standardize_constant_channel_is_zero():
    w = np.ones((2, 3))
    assert_array_equal(F.weight_standardize(w, eps=0.0), np.zeros((2, 3)))
    assert_array_equal(F.weight_standardize(np.arange(3.0)), np.zeros(3))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_functional_weight_norm(dtype):
    v = RNG.normal(size=(3, 4, 2)).astype(dtype)
    v64 = v.astype(LD)
    g = RNG.normal(size=3)
    norms = np.sqrt((v64**2).sum(axis=(1, 2), keepdims=True))
    ref = (g[:, None, None] * v64 / norms).astype(float)
    for given in (g, g[:, None, None]):
        got = F.weight_norm(v, given, dim=0)
        assert got.dtype == dtype
        assert_allclose(got, ref, **tolerance(dtype))
    assert_allclose(F.weight_norm(v, dim=0), (v64 / norms).astype(float), **tolerance(dtype))
    whole = (2.5 * v64 / np.sqrt((v64**2).sum())).astype(float)
    assert_allclose(F.weight_norm(v, 2.5, dim=None), whole, **tolerance(dtype))
    last = np.sqrt((v64**2).sum(axis=(0, 1), keepdims=True))
    assert_allclose(F.weight_norm(v, dim=-1), (v64 / last).astype(float), **tolerance(dtype))
    h = RNG.normal(size=4)
    mid = (h[None, :, None] * v64 / np.sqrt((v64**2).sum(axis=(0, 2), keepdims=True))).astype(
        float
    )
    assert_allclose(F.weight_norm(v, h, dim=1), mid, **tolerance(dtype))


def test_functional_weight_norm_zero_slice_stays_zero():
    v = np.array([[0.0, 0.0], [3.0, 4.0]])
    assert_array_equal(F.weight_norm(v, [2.0, 5.0]), [[0.0, 0.0], [3.0, 4.0]])


CASES = [
    (lambda a: F.group_norm(a, 2, [1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 1.0])),
    (lambda a: F.instance_norm(a)),
    (lambda a: F.instance_norm(a, [0.0, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0])),
    (lambda a: F.batch_norm(a, [0.0, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0])),
    (lambda a: F.layer_norm(a, (4, 3))),
    (lambda a: F.unit_norm(a, "l1")),
    (lambda a: F.unit_norm(a, "max", axis=1)),
    (lambda a: F.weight_standardize(a)),
    (lambda a: F.weight_norm(a, 2.0, dim=None)),
    (lambda a: F.weight_norm(a, [1.0, 2.0, 3.0, 4.0], dim=1)),
]


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_functional_array_api_strict_matches_numpy(case, dtype):
    x = np.random.default_rng(case).normal(size=(5, 4, 3)).astype(dtype)
    x[1, 2, 0] = np.nan
    got = CASES[case](xps.asarray(x))
    assert isinstance(got, type(xps.asarray(x)))
    assert got.dtype == getattr(xps, dtype)
    want = CASES[case](x)
    # Both paths round each step (x - mean, * 1/std, * weight, + bias) to ``dtype``: an
    # element's error is a few ulps of the largest term, not of the result, which can
    # cancel to near zero (x_hat * 2 + 1); so the absolute tolerance is 4 ulps of the
    # output's scale (seen at most 1.9 over 2000 float32 draws of every case).
    scale = np.max(np.abs(want), initial=0.0, where=~np.isnan(want))
    atol = 4 * np.finfo(dtype).eps * scale
    assert_allclose(
        np.from_dlpack(got), want, rtol=1e-12 if dtype == "float64" else 1e-6, atol=atol
    )


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda x: F.group_norm(x, 3), "num_groups=3"),
        (lambda x: F.group_norm(x, 2, weight=[1.0, 2.0]), "weight has 2 values"),
        (lambda x: F.instance_norm(x, bias=[1.0]), "bias has 1 values"),
        (lambda x: F.instance_norm(x, running_mean=[0.0] * 4), "both running_mean"),
        (lambda x: F.batch_norm(x, [0.0] * 3, [1.0] * 3), "running_mean and running_var"),
        (lambda x: F.layer_norm(x, (2, 3)), "normalized_shape"),
        (lambda x: F.layer_norm(x, 3, weight=[1.0, 2.0]), "weight"),
        (lambda x: F.layer_norm(x, 3, eps=-1.0), "eps=-1.0"),
        (lambda x: F.unit_norm(x, "l3"), "norm='l3'"),
        (lambda x: F.weight_standardize(x, eps_mode="both"), "eps_mode='both'"),
        (lambda x: F.weight_standardize(x, ddof=-1), "ddof=-1"),
        (lambda x: F.weight_norm(x, [1.0, 2.0, 3.0, 4.0, 5.0]), "g of shape"),
        (lambda x: F.weight_norm(x, dim=3), "dim=3"),
    ],
)
def test_functional_bad_arguments_name_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call(RNG.normal(size=(2, 4, 3)))
