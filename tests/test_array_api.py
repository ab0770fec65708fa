"""Every estimator and function on Array API arrays: array-api-strict always, torch when installed.

References come from the numpy path of the same estimator or function on the same
values. Torch cases are generated only when torch is installed (``make test-torch``).
"""

import importlib.util
from fractions import Fraction

import numpy as np
import pytest
from _variants import instances
from numpy.testing import assert_allclose
from sklearn import clone, config_context

import sklearn_norm as sn
from sklearn_norm import functional
from sklearn_norm._xp import device, get_namespace, to_numpy

#: Every estimator with its defaults, plus the settings that learn or invert more.
ESTIMATORS = instances("six_features")


def _cases():
    cases = [
        ("array_api_strict", "CPU_DEVICE", "float64"),
        ("array_api_strict", "device1", "float32"),
    ]
    if importlib.util.find_spec("torch") is not None:
        cases += [("torch", "cpu", "float64"), ("torch", "cpu", "float32")]
        import torch

        if torch.cuda.is_available():  # on a GPU machine: benchmarks/gpu_check.sh
            cases += [("torch", "cuda", "float64"), ("torch", "cuda", "float32")]
    return [pytest.param(case, id="-".join(case)) for case in cases]


@pytest.fixture(params=_cases())
def space(request):
    """``(to_xp, dtype)``: moves a numpy array to the namespace and device under test."""
    name, dev, dtype = request.param
    if name == "array_api_strict":
        import array_api_strict as xp

        dev = xp.Device(dev)
    else:
        import torch as xp

    def to_xp(a):
        return xp.asarray(np.asarray(a, dtype=dtype), device=dev)

    with config_context(array_api_dispatch=True):
        yield to_xp, dtype


def _tol(dtype):
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-10, "atol": 1e-12}


def _data(dtype, n_rows=60, n_features=6, seed=0):
    """Positive data (every scaler's defaults accept it) with a few NaN."""
    rng = np.random.default_rng(seed)
    X = rng.gamma(2.0, 3.0, size=(n_rows, n_features)) + 0.5
    X[rng.random(X.shape) < 0.05] = np.nan
    X[:, 0] = 7.0  # a constant feature
    return X.astype(dtype)


def _assert_like(result, like):
    """Same namespace, device and dtype as ``like``."""
    assert get_namespace(result).__name__ == get_namespace(like).__name__
    assert device(result) == device(like)
    assert result.dtype == like.dtype


def _assert_learned_equal(est_xp, est_np, like, tol):
    assert est_xp.n_features_in_ == est_np.n_features_in_
    arrays = {k: v for k, v in vars(est_np).items() if isinstance(v, np.ndarray)}
    for name, expected in arrays.items():
        got = getattr(est_xp, name)
        assert get_namespace(got).__name__ == get_namespace(like).__name__, name
        assert device(got) == device(like), name
        assert to_numpy(got).dtype == expected.dtype, name  # float64: the widest here
        assert_allclose(to_numpy(got), expected, err_msg=name, **tol)


@pytest.mark.parametrize("est", ESTIMATORS, ids=repr)
def test_estimator_fit_transform_inverse(est, space):
    to_xp, dtype = space
    X = _data(dtype)
    X_xp = to_xp(X)
    est_np = clone(est).fit(X)
    est = clone(est).fit(X_xp)
    _assert_learned_equal(est, est_np, X_xp, _tol(dtype))
    Y = est.transform(X_xp)
    _assert_like(Y, X_xp)
    assert_allclose(to_numpy(Y), est_np.transform(X), **_tol(dtype))
    if hasattr(est, "inverse_transform"):
        back = est.inverse_transform(Y)
        _assert_like(back, X_xp)
        assert_allclose(to_numpy(back), X, rtol=1e-4 if dtype == "float32" else 1e-9)


@pytest.mark.parametrize("est", ESTIMATORS, ids=repr)
def test_estimator_partial_fit_equals_fit(est, space):
    to_xp, dtype = space
    X = _data(dtype)
    reference = clone(est).fit(X)
    est = clone(est)
    for part in (X[:25], X[25:]):
        est.partial_fit(to_xp(part))
    _assert_learned_equal(est, reference, to_xp(X), _tol(dtype))


@pytest.mark.parametrize("est", ESTIMATORS, ids=repr)
def test_estimator_nan_ignored_and_kept(est, space):
    to_xp, dtype = space
    X = _data(dtype)
    with_nan_rows = np.vstack([X, np.full((3, X.shape[1]), np.nan, dtype=dtype)])
    if "n_quantiles" in est.get_params():  # n_quantiles_ counts NaN rows, as scikit-learn
        est = clone(est).set_params(n_quantiles=5)
    reference = clone(est).fit(to_xp(X))
    est = clone(est).fit(to_xp(with_nan_rows))
    # rows of NaN change nothing that is learned from values
    for name, value in vars(reference).items():
        if hasattr(value, "__dlpack__") and name != "n_samples_seen_":
            assert_allclose(to_numpy(getattr(est, name)), to_numpy(value), err_msg=name)
    Y = to_numpy(est.transform(to_xp(X)))
    assert_allclose(np.isnan(Y[:, : X.shape[1]]), np.isnan(X))  # kept statistics follow
    if hasattr(est, "inverse_transform"):
        assert_allclose(np.isnan(to_numpy(est.inverse_transform(to_xp(Y)))), np.isnan(X))


@pytest.mark.parametrize("est", ESTIMATORS, ids=repr)
def test_estimator_rejects_infinity(est, space):
    to_xp, dtype = space
    X = _data(dtype)
    X[3, 2] = np.inf
    with pytest.raises(ValueError, match="infinite values in column 2"):
        clone(est).fit(to_xp(X))
    est = clone(est).fit(to_xp(_data(dtype)))
    with pytest.raises(ValueError, match="infinite values in column 2"):
        est.transform(to_xp(X))


def test_zscore_sample_weight_on_device(space):
    from sklearn_norm import ZScoreScaler

    to_xp, dtype = space
    X = _data(dtype)
    w = np.random.default_rng(1).integers(0, 4, X.shape[0]).astype(float)
    est = ZScoreScaler().fit(to_xp(X), sample_weight=to_xp(w))
    _assert_learned_equal(est, ZScoreScaler().fit(X, sample_weight=w), to_xp(X), _tol(dtype))


def test_logscaler_refuses_invalid_values_on_device(space):
    from sklearn_norm import LogScaler

    to_xp, dtype = space
    X = _data(dtype)
    est = LogScaler().fit(to_xp(X))
    X[5, 4] = -3.0
    with pytest.raises(ValueError, match="Negative values in data.*column 4"):
        est.transform(to_xp(X))


def test_logscaler_auto_offset_on_device_matches_numpy(space):
    to_xp, dtype = space
    X = _data(dtype) - 6.0  # negative minima: log1p(x - min) on the device
    est_np = sn.LogScaler(offset="auto").fit(X)
    est = sn.LogScaler(offset="auto").fit(to_xp(X))
    Y = est.transform(to_xp(X))
    _assert_like(Y, to_xp(X))
    assert_allclose(to_numpy(Y), est_np.transform(X), **_tol(dtype))
    assert bool((to_numpy(Y)[~np.isnan(X)] >= 0).all())
    back = est.inverse_transform(Y)
    assert_allclose(to_numpy(back), X, **_tol(dtype))
    with pytest.raises(ValueError, match="Negative values in data.*column 3"):
        est.transform(to_xp(np.where(np.arange(6) == 3, -1e3, X)))


def test_transform_refuses_another_namespace(space):
    from sklearn_norm import MinMaxScaler

    to_xp, dtype = space
    est = MinMaxScaler().fit(to_xp(_data(dtype)))
    with pytest.raises(ValueError, match="must use the same namespace"):
        est.transform(_data(dtype))


# -- functional ------------------------------------------------------------------------
def _calls(rng):
    """``name -> (args, kwargs)`` with numpy arrays; each function runs on them."""
    x2 = rng.gamma(2.0, 3.0, size=(8, 6)) + 0.1
    x3 = rng.normal(2.0, 3.0, size=(5, 4, 3))
    per_channel = rng.random(4) + 0.5
    return {
        "min_max_scale": ((x2, x2.min(axis=0) - 1, x2.max(axis=0) + 1), {}),
        "z_score": ((x2, x2.mean(axis=0), x2.std(axis=0)), {}),
        "robust_scale": ((x2, np.median(x2, axis=0), x2.std(axis=0)), {}),
        "power_transform": ((x2 - 3.0, [-1.5, 0.0, 0.5, 1.0, 2.0, 2.5]), {}),
        "decimal_scale": ((x2, [1, 0, -1, 2, 1, 0]), {}),
        "log_scale": ((x2,), {"base": 10.0}),
        "unit_norm": ((x2,), {"norm": "l1"}),
        "batch_norm": (
            (x3, per_channel, per_channel + 1),
            {"weight": per_channel, "bias": -per_channel},
        ),
        "instance_norm": ((x3,), {"weight": per_channel}),
        "layer_norm": ((x3, (3,)), {}),
        "group_norm": ((x3, 2), {"bias": per_channel}),
        "weight_standardize": ((x3,), {}),
        "weight_norm": ((x3,), {"g": rng.random(5) + 0.5}),
        "max_abs_scale": ((x2, np.nanmax(np.abs(x2), axis=0)), {}),
        "rms_norm": ((x3, (4, 3)), {"weight": rng.random((4, 3)) + 0.5}),
    }


def test_functional_table_covers_every_function():
    assert set(_calls(np.random.default_rng(0))) == set(functional.__all__)


@pytest.mark.parametrize("name", functional.__all__)
def test_functional_keeps_namespace_device_dtype(name, space):
    to_xp, dtype = space
    args, kwargs = _calls(np.random.default_rng(0))[name]

    def move(v):
        return to_xp(v) if isinstance(v, np.ndarray) else v

    func = getattr(functional, name)
    expected = func(
        *[np.asarray(a, dtype=dtype) if isinstance(a, np.ndarray) else a for a in args], **kwargs
    )
    result = func(*map(move, args), **{k: move(v) for k, v in kwargs.items()})
    x = move(args[0])
    _assert_like(result, x)
    assert_allclose(to_numpy(result), expected, **_tol(dtype))


def test_device_without_float64_learns_in_float32(monkeypatch):
    """On a device whose widest float is float32 (e.g. MPS) everything stays float32."""
    import array_api_strict as xp

    import sklearn_norm._array_api as adapter
    import sklearn_norm._xp_stats as xp_stats

    def float32_only(namespace, dev):
        return namespace.float32

    monkeypatch.setattr(adapter, "widest_float", float32_only)
    monkeypatch.setattr(xp_stats, "widest_float", float32_only)
    X = _data("float32")
    X_xp = xp.asarray(X)
    with config_context(array_api_dispatch=True):
        est = sn.ZScoreScaler().fit(X_xp)
        Y = est.transform(X_xp)
    assert est.mean_.dtype == xp.float32 and est.scale_.dtype == xp.float32
    _assert_like(Y, X_xp)
    assert_allclose(to_numpy(Y), sn.ZScoreScaler().fit_transform(X), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cuts", [[], [1, 2, 700, 701], list(range(50, 1000, 73))])
def test_array_api_large_mean_merges_match_fraction_reference(monkeypatch, cuts):
    # 1e9 ± 1e-3 summarised in many device blocks and partial_fit chunks: the device path
    # carries the two-part mean like the numpy path, so the merges lose nothing
    import array_api_strict as xp

    import sklearn_norm._xp_stats as xp_stats

    monkeypatch.setattr(xp_stats, "BLOCK_ELEMENTS", 2 * 37)  # blocks of 37 rows
    rng = np.random.default_rng(3)
    X = 1e9 + rng.uniform(-1e-3, 1e-3, size=(1000, 2))
    X[rng.random(X.shape) < 0.05] = np.nan
    est = sn.ZScoreScaler()
    edges = [0, *cuts, X.shape[0]]
    with config_context(array_api_dispatch=True):
        for a, b in zip(edges[:-1], edges[1:]):
            est.partial_fit(xp.asarray(X[a:b]))
    for j in range(X.shape[1]):
        values = [Fraction(float(v)) for v in X[~np.isnan(X[:, j]), j]]
        mean = sum(values) / len(values)
        var = sum((v - mean) ** 2 for v in values) / len(values)
        assert abs(Fraction(float(to_numpy(est.mean_)[j])) - mean) <= Fraction(np.spacing(1e9)) / 2
        assert abs(Fraction(float(to_numpy(est.var_)[j])) / var - 1) < 1e-12


def test_array_api_nothing_learned_still_checks_namespace():
    # ZScoreScaler(with_mean=False, with_std=False) learns no array: the namespace of fit
    # is recorded anyway, and a numpy partial_fit afterwards moves the estimator to numpy
    import array_api_strict as xp

    X = np.random.default_rng(0).normal(size=(20, 3))  # no NaN: n_samples_seen_ is an int
    est = sn.ZScoreScaler(with_mean=False, with_std=False)
    with config_context(array_api_dispatch=True):
        est.fit(xp.asarray(X))
        with pytest.raises(
            ValueError,
            match=r"same namespace.*ZScoreScaler\.transform\(\)|"
            r"ZScoreScaler\.transform\(\).*same namespace",
        ):
            est.transform(X)
        _assert_like(est.transform(xp.asarray(X)), xp.asarray(X))
        est.partial_fit(X)  # learned from numpy now, as an estimator with arrays would be
        assert_allclose(est.transform(X), X)


@pytest.mark.parametrize(
    "est",
    instances("on_device", defaults=False),
    ids=repr,
)
def test_samplewise_on_device_without_float64(est):
    """Row statistics accumulate in float32 where the device has no float64 (e.g. MPS)."""
    import array_api_strict as xp

    X = _data("float32")
    X_xp = xp.asarray(X, device=xp.Device("no_float64"))
    with config_context(array_api_dispatch=True):
        fitted = clone(est).fit(X_xp)
        Y = fitted.transform(X_xp)
        back = fitted.inverse_transform(Y) if hasattr(fitted, "inverse_transform") else None
    _assert_like(Y, X_xp)
    assert_allclose(to_numpy(Y), clone(est).fit_transform(X), rtol=1e-4, atol=1e-5)
    if back is not None:
        _assert_like(back, X_xp)
        assert_allclose(to_numpy(back), X, rtol=1e-4, atol=1e-5)


def test_fit_on_a_device_leaves_array_parameters_alone():
    """A numpy ``weight`` parameter is not moved to the device (fit changes no parameter)."""
    import array_api_strict as xp

    X = _data("float64")
    X_xp = xp.asarray(X, device=xp.Device("device1"))
    weight = np.arange(1.0, 7.0)
    est = sn.LayerNormScaler(keep_stats=True, weight=weight)
    with config_context(array_api_dispatch=True):
        Y = est.fit(X_xp).transform(X_xp)
        back = est.inverse_transform(Y)
    assert est.weight is weight
    assert_allclose(to_numpy(back), X, **_tol("float64"))


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch float16 only")
@pytest.mark.parametrize(
    "est, X",
    [
        (sn.DecimalScaler(), [[60000.0, 3.0], [100.0, 5.0]]),  # 10**5 is inf in float16
        (sn.MinMaxScaler(), [[0.0], [6e-8]]),  # factor 1.7e7 is inf in float16
        (sn.BatchNormScaler(weight=1000.0), [[1.0], [1.001], [1.0], [1.001]]),
        (sn.ZScoreScaler(), [[6e4], [6.5e4], [6.1e4]]),
    ],
    ids=repr,
)
def test_float16_tensors_give_the_numpy_float16_results(est, X):
    import torch

    X16 = np.asarray(X, dtype=np.float16)
    expected = clone(est).fit(X16).transform(X16)  # numpy: float64 inside, rounded once
    with config_context(array_api_dispatch=True):
        t = torch.asarray(X16)
        got = clone(est).fit(t).transform(t)
    assert got.dtype == torch.float16
    np.testing.assert_array_equal(got.numpy(), expected)
    assert np.isfinite(expected).all()
