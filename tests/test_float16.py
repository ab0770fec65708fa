"""float16 input: every output of the sample-wise scalers and their functions is within
the final rounding of the same computation in float64 (computed wider, rounded once).
Reference: the same scaler on the data widened to float64."""

import numpy as np
import pytest

from sklearn_norm import functional as F
from sklearn_norm._registry import _REGISTRY
from sklearn_norm._samplewise import SampleScaler

#: Half an ulp, and the float32 steps' rounding (a few float32 ulps, ~1e-4 float16 ulps).
WITHIN_ROUNDING = 0.501

SAMPLEWISE = sorted(n for n, cls in _REGISTRY.items() if issubclass(cls, SampleScaler))
VARIANTS = {
    "unitnorm": [{"norm": "l1"}, {"norm": "l2"}, {"norm": "max"}, {"keep_norm": True}],
    "instancenorm": [{"n_channels": 3}, {"n_channels": 3, "keep_stats": True}],
    "groupnorm": [{"n_groups": 2}, {"n_groups": 3, "keep_stats": True}],
    "layernorm": [{"keep_stats": True}],
}
CASES = [
    (name, params)
    for name in SAMPLEWISE
    for params in [{}] + VARIANTS.get(name, [{"keep_stats": True}] if name != "unitnorm" else [])
]


def _data():
    rng = np.random.default_rng(16)
    X = rng.lognormal(size=(300, 12)) * rng.choice([-1.0, 1.0], size=(300, 12))
    X[0] = [1e-3, 3e-3, 7.0] * 4  # tiny next to large values
    X[1] = 6e4 + np.arange(12.0) * 32  # near float16's largest values: a small spread
    X[2] = np.linspace(-1e-5, 1e-5, 12)  # float16 subnormals
    return X.astype(np.float16)


def _ulps_off(got, exact):
    """``|got - exact|`` in ulps of float16 at ``exact`` (NaN where both are NaN)."""
    with np.errstate(over="ignore"):  # beyond float16: measured at its largest value
        exact16 = np.minimum(np.abs(exact), 32768).astype(np.float16)  # ulp 32 up to 65504
    ulp = np.spacing(exact16).astype(np.float64)
    return np.abs(got.astype(np.float64) - exact) / ulp


def test_samplewise_scalers_found():
    assert {"unitnorm", "layernorm", "instancenorm", "groupnorm"} <= set(SAMPLEWISE)


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_float16_output_is_rounded_once(name, params):
    X = _data()
    est = _REGISTRY[name](**params)
    got = est.fit(X).transform(X)
    exact = est.fit(X.astype(np.float64)).transform(X.astype(np.float64))
    assert got.dtype == np.float16
    finite = np.isfinite(exact) & (np.abs(exact) < 65504)
    assert np.nanmax(_ulps_off(got, exact)[finite]) <= WITHIN_ROUNDING


@pytest.mark.parametrize(
    "func",
    [
        lambda x: F.layer_norm(x, (12,)),
        lambda x: F.group_norm(x.reshape(-1, 6, 2), 3).reshape(-1, 12),
        lambda x: F.instance_norm(x.reshape(-1, 3, 4)).reshape(-1, 12),
        lambda x: F.unit_norm(x, "l2"),
        lambda x: F.unit_norm(x, "l1"),
    ],
    ids=["layer_norm", "group_norm", "instance_norm", "unit_norm-l2", "unit_norm-l1"],
)
def test_float16_functions_are_rounded_once(func):
    X = _data()
    got, exact = func(X), func(X.astype(np.float64))
    assert got.dtype == np.float16
    assert np.nanmax(_ulps_off(got, exact)) <= WITHIN_ROUNDING
