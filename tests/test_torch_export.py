"""``to_torch`` and ``from_torch`` against ``transform`` and PyTorch's own layers.

Needs torch (``make test-torch``); without it this file is not collected (conftest) and
``test_torch_state.py`` checks ``from_torch``'s mapping on stored layer states.
"""

import numpy as np
import pytest
import torch
from _export_cases import TOLERANCE, data, power_branches, variant_id, variants
from sklearn.exceptions import NotFittedError

import sklearn_norm as sn

VARIANTS = variants()
#: Compiling is slow: every estimator's defaults, and the kept-statistics modules.
COMPILED = [(cls, {}) for cls in sn.all_estimators()] + [
    (sn.LayerNormScaler, {"keep_stats": True}),
    (sn.UnitNormScaler, {"keep_norm": True}),
    (sn.RMSNormScaler, {"keep_stats": True, "weight": np.linspace(-1, 2, 6)}),
    (sn.MinMaxScaler, {"clip": True}),
    (sn.InstanceNormScaler, {"n_channels": 2, "track_running_stats": True, "keep_stats": True}),
]
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}
#: PyTorch's built-in layers take float32 statistics in float32 (sklearn_norm: float64):
#: near a constant row with eps=1e-5 their mean's rounding is amplified ~300 times.
BUILTIN_TOLERANCE = {np.float32: 1e-4, np.float64: 1e-12}


def out(module, X):
    with torch.no_grad():
        return module(torch.as_tensor(X)).numpy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", VARIANTS, ids=variant_id)
def test_to_torch_every_estimator_equals_transform(case, dtype):
    cls, params = case
    X = data(dtype)
    est = cls(**params).fit(X)
    module = est.to_torch(builtin=False)
    assert not module.training
    got, expected = out(module, X), est.transform(X)
    assert got.dtype == expected.dtype and np.isnan(expected).any()
    np.testing.assert_allclose(got, expected, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])
    finite = X[~np.isnan(X).any(axis=1)]  # built-in layers: rows without NaN
    builtin = est.to_torch(dtype=TORCH_DTYPE[dtype])
    tol = BUILTIN_TOLERANCE[dtype]
    np.testing.assert_allclose(out(builtin, finite), est.transform(finite), rtol=tol, atol=tol)


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
@pytest.mark.parametrize("method", ["yeo-johnson", "box-cox"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_to_torch_power_scaler_takes_every_branch_as_transform(dtype, method):
    est, X = power_branches(dtype, method)
    module = est.to_torch()
    expected = est.transform(X)
    assert np.isnan(expected).any()
    for compiled in (module, torch.jit.script(module)):
        got = out(compiled, X)
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


# torch 2.13 deprecates TorchScript (still supported); the contract asks for it
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
@pytest.mark.parametrize("builtin", [True, False])
@pytest.mark.parametrize("case", COMPILED, ids=variant_id)
def test_to_torch_modules_script_and_export(case, builtin):
    cls, params = case
    X = data(np.float64)
    X = X if not builtin else X[~np.isnan(X).any(axis=1)]
    est = cls(**params).fit(X)
    module = est.to_torch(builtin=builtin, dtype=torch.float64)
    expected = est.transform(X)
    scripted = torch.jit.script(module)
    exported = torch.export.export(module, (torch.as_tensor(X),)).module()
    for compiled in (scripted, exported):
        np.testing.assert_allclose(out(compiled, X), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "est, layer",
    [
        (sn.BatchNormScaler(), torch.nn.BatchNorm1d),
        (sn.BatchNormScaler(n_channels=3), torch.nn.BatchNorm1d),
        (sn.LayerNormScaler(), torch.nn.LayerNorm),
        (sn.GroupNormScaler(n_groups=2), torch.nn.GroupNorm),
        (sn.InstanceNormScaler(n_channels=2), torch.nn.InstanceNorm1d),
        (sn.InstanceNormScaler(n_channels=3, track_running_stats=True), torch.nn.InstanceNorm1d),
        (sn.RMSNormScaler(), torch.nn.RMSNorm),
        (sn.RMSNormScaler(eps=1e-3, weight=np.arange(6.0)), torch.nn.RMSNorm),
    ],
    ids=repr,
)
def test_to_torch_uses_the_built_in_layer(est, layer):
    X = data(np.float64)
    module = est.fit(X).to_torch()
    assert isinstance(getattr(module, "layer", module), layer)


def test_to_torch_built_in_layer_turns_a_row_with_nan_into_nan():
    # the documented difference: builtin=False leaves NaN out of the row's statistics
    X = np.array([[1.0, 2.0, np.nan, 4.0], [1.0, 5.0, 2.0, 0.0]])
    est = sn.LayerNormScaler().fit(X)
    assert np.isnan(out(est.to_torch(dtype=torch.float64), X)[0]).all()
    np.testing.assert_allclose(out(est.to_torch(builtin=False), X), est.transform(X), rtol=1e-15)
    assert np.isfinite(est.transform(X)[0, [0, 1, 3]]).all()


def test_to_torch_needs_a_fitted_estimator():
    with pytest.raises(NotFittedError):
        sn.ZScoreScaler().to_torch()


def _trained(layer, shape, seed=0):
    """``layer`` after a few training steps, with a random affine part, in eval mode."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name in ("weight", "bias"):
            if getattr(layer, name, None) is not None:
                getattr(layer, name).normal_(generator=gen)
        layer.train()
        for _ in range(3):
            layer(torch.randn(*shape, generator=gen, dtype=torch.float64) * 3 + 1)
    return layer.eval()


F64 = {"dtype": torch.float64}
#: (scaler class, a factory of a fresh layer, the shape of its input)
LAYERS = [
    (sn.BatchNormScaler, lambda: torch.nn.BatchNorm1d(4, **F64), (9, 4)),
    (sn.BatchNormScaler, lambda: torch.nn.BatchNorm1d(3, momentum=None, **F64), (9, 3, 5)),
    (sn.BatchNormScaler, lambda: torch.nn.BatchNorm2d(3, affine=False, **F64), (9, 3, 2, 2)),
    (sn.LayerNormScaler, lambda: torch.nn.LayerNorm(6, **F64), (9, 6)),
    (sn.LayerNormScaler, lambda: torch.nn.LayerNorm((2, 3), bias=False, **F64), (9, 2, 3)),
    (sn.GroupNormScaler, lambda: torch.nn.GroupNorm(2, 4, **F64), (9, 4, 3)),
    (sn.InstanceNormScaler, lambda: torch.nn.InstanceNorm1d(3, affine=True, **F64), (9, 3, 4)),
    (
        sn.InstanceNormScaler,
        lambda: torch.nn.InstanceNorm1d(3, affine=True, track_running_stats=True, **F64),
        (9, 3, 4),
    ),
    (sn.RMSNormScaler, lambda: torch.nn.RMSNorm(6, **F64), (9, 6)),
    (sn.RMSNormScaler, lambda: torch.nn.RMSNorm((2, 3), eps=1e-3, **F64), (9, 2, 3)),
    (sn.RMSNormScaler, lambda: torch.nn.RMSNorm(5, elementwise_affine=False, **F64), (9, 5)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "cls, make, shape", LAYERS, ids=[repr(m()).replace(" ", "") for _, m, _ in LAYERS]
)
def test_from_torch_transform_equals_the_layer_in_eval_mode(cls, make, shape, dtype):
    layer = _trained(make(), shape)
    X = torch.randn(*shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    X = (2 * X + 0.5).numpy().astype(dtype)
    n_features = int(np.prod(shape[1:]))
    est = cls.from_torch(layer, n_features=n_features)
    with torch.no_grad():
        expected = layer.to(TORCH_DTYPE[dtype])(torch.as_tensor(X)).numpy()
    got = est.transform(X.reshape(shape[0], -1))
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(got, expected.reshape(shape[0], -1), rtol=tol, atol=tol)


def test_from_torch_takes_every_part_of_the_state():
    bn = _trained(torch.nn.BatchNorm1d(4, eps=1e-3, momentum=0.3, **F64), (9, 4))
    est = sn.BatchNormScaler.from_torch(bn)
    assert est.eps == 1e-3 and est.momentum == 0.3 and est.num_batches_tracked_ == 3
    for mine, theirs in [
        (est.running_mean_, bn.running_mean),
        (est.running_var_, bn.running_var),
        (est.weight, bn.weight),
        (est.bias, bn.bias),
    ]:
        np.testing.assert_array_equal(mine, theirs.detach().numpy())


def test_from_torch_partial_fit_continues_the_layers_training():
    bn = _trained(torch.nn.BatchNorm1d(4, momentum=0.2, **F64), (9, 4))
    est = sn.BatchNormScaler.from_torch(bn)
    batch = np.random.default_rng(5).normal(2.0, 3.0, (16, 4))
    est.partial_fit(batch)
    bn.train()(torch.as_tensor(batch))
    np.testing.assert_allclose(est.running_mean_, bn.running_mean.numpy(), rtol=1e-13)
    np.testing.assert_allclose(est.running_var_, bn.running_var.numpy(), rtol=1e-13)
    assert est.num_batches_tracked_ == int(bn.num_batches_tracked) == 4


@pytest.mark.parametrize(
    "est",
    [sn.BatchNormScaler(n_channels=2), sn.GroupNormScaler(n_groups=3), sn.RMSNormScaler(eps=0.1)],
)
def test_from_torch_of_to_torch_is_the_same_map(est):
    X = data(np.float64)
    X = X[~np.isnan(X).any(axis=1)]
    est.fit(X)
    module = est.to_torch(dtype=torch.float64)
    back = type(est).from_torch(getattr(module, "layer", module), n_features=X.shape[1])
    np.testing.assert_allclose(back.transform(X), est.transform(X), rtol=1e-12, atol=1e-12)


def test_from_torch_refuses_other_layers_and_untracked_batch_norm():
    with pytest.raises(TypeError, match="BatchNormScaler.from_torch takes a torch.nn BatchNorm"):
        sn.BatchNormScaler.from_torch(torch.nn.LayerNorm(3))
    with pytest.raises(ValueError, match="track_running_stats=True"):
        sn.BatchNormScaler.from_torch(torch.nn.BatchNorm1d(3, track_running_stats=False))
    with pytest.raises(ValueError, match="normalises 6 values per row"):
        sn.LayerNormScaler.from_torch(torch.nn.LayerNorm(6), n_features=5)
