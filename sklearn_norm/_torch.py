"""PyTorch adapter: fitted estimators as ``nn.Module`` and trained layers as estimators.

Imported lazily (by ``to_torch`` and ``from_torch``): torch is an optional dependency.
:func:`to_torch` reads the estimator's export description (``_export``). Where PyTorch
has a layer computing the same map (``BatchNorm1d``, ``InstanceNorm1d``, ``LayerNorm``,
``GroupNorm``), ``builtin=True`` returns it, with its parameters and running statistics,
wrapped to take and return rows of ``C * L`` values; the small modules below cover the
rest. They keep their parameters as float64 buffers and compute in float64, rounding once
to the input's dtype, as ``transform`` does, on any input dtype.
"""

import math

import numpy as np
import torch
from torch import nn

from ._export import (
    BOUNDS_THRESHOLD,
    Affine,
    Groups,
    Log,
    Power,
    Quantiles,
    RowNorms,
    RowRMS,
    describe,
)


def _buffer(values):
    values = np.zeros(0) if values is None else np.asarray(values, dtype=np.float64)
    return torch.as_tensor(values.copy(), dtype=torch.float64)


class AffineMap(nn.Module):
    """``y = (x - centre) * factor + offset`` per feature (``divide``: ``/ factor``), then
    clipped to ``[low, high]``; ``kept`` columns appended to every row."""

    def __init__(self, d: Affine):
        super().__init__()
        for name in ("centre", "factor", "offset", "kept"):
            self.register_buffer(name, _buffer(getattr(d, name)))
        self.divide = d.divide
        self.clip = d.clip is not None
        self.low, self.high = d.clip if d.clip is not None else (0.0, 0.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x.to(torch.float64)
        if self.centre.numel() > 0:
            y = y - self.centre
        if self.factor.numel() > 0:
            y = y / self.factor if self.divide else y * self.factor
        if self.offset.numel() > 0:
            y = y + self.offset
        if self.clip:  # where() keeps NaN
            y = torch.where(y < self.low, self.low, torch.where(y > self.high, self.high, y))
        if self.kept.numel() > 0:
            y = torch.cat([y, self.kept.expand(y.shape[0], self.kept.shape[0])], dim=1)
        return y.to(x.dtype)


class LogMap(nn.Module):
    """``t = x - shift``; ``log1p(t)`` where ``ones`` else ``log(t)``, NaN outside the
    domain, divided by ``log(base)``; or ``sign(x) * log1p(|x|) / log(base)``."""

    def __init__(self, d: Log):
        super().__init__()
        self.register_buffer("shift", _buffer(d.shift))
        self.register_buffer("ones", torch.as_tensor(d.ones.copy()))
        self.register_buffer("floor", _buffer(np.where(d.ones, -1.0, 0.0)))
        self.log_base = math.log(d.base)
        self.signed = d.signed

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x.to(torch.float64)
        if self.signed:
            y = torch.where(y < 0, -torch.log1p(-y), torch.log1p(y.abs()))
        else:
            t = y - self.shift
            y = torch.where(self.ones, torch.log1p(t), torch.log(t))
            y = torch.where(t <= self.floor, math.nan, y)
        return (y / self.log_base).to(x.dtype)


class GroupRows(nn.Module):
    """Each row as ``n_groups`` groups centred and scaled by their non-NaN values' mean and
    ``sqrt(var + eps)`` (1 where 0), then ``* weight + bias``; ``keep`` appends the G means
    and G stds."""

    def __init__(self, d: Groups):
        super().__init__()
        self.n_groups, self.eps, self.keep = d.n_groups, d.eps, d.keep
        self.register_buffer("weight", _buffer(d.weight))
        self.register_buffer("bias", _buffer(d.bias))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows, n_features = x.shape[0], x.shape[1]
        x3 = x.to(torch.float64).reshape(rows, self.n_groups, -1)
        mask = torch.isnan(x3)
        count = (~mask).sum(dim=-1, keepdim=True).to(torch.float64)
        mean = torch.where(mask, 0.0, x3).sum(dim=-1, keepdim=True) / count
        d = x3 - mean
        dz = torch.where(mask, 0.0, d)
        var = (dz * dz).sum(dim=-1, keepdim=True) / count
        std = torch.sqrt(var + self.eps)
        std = torch.where(std == 0.0, 1.0, std)
        y = (d / std).reshape(rows, n_features)
        if self.weight.numel() > 0:
            y = y * self.weight
        if self.bias.numel() > 0:
            y = y + self.bias
        if self.keep:
            y = torch.cat([y, mean.reshape(rows, -1), std.reshape(rows, -1)], dim=1)
        return y.to(x.dtype)


class RowNormMap(nn.Module):
    """Each row divided by the l1, l2 or max norm of its non-NaN values (1 where 0);
    ``keep`` appends the norm."""

    def __init__(self, d: RowNorms):
        super().__init__()
        self.norm, self.keep = d.norm, d.keep

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x.to(torch.float64)
        a = torch.where(torch.isnan(y), 0.0, y).abs()
        if self.norm == "l2":
            norm = torch.sqrt((a * a).sum(dim=1, keepdim=True))
        elif self.norm == "l1":
            norm = a.sum(dim=1, keepdim=True)
        else:
            norm = a.amax(dim=1, keepdim=True)
        y = y / torch.where(norm == 0.0, 1.0, norm)
        if self.keep:
            y = torch.cat([y, norm], dim=1)
        return y.to(x.dtype)


class RMSRows(nn.Module):
    """Each row divided by ``sqrt(mean(x**2) + eps)`` of its non-NaN values (1 where 0),
    then ``* weight``; ``keep`` appends the rms. ``eps=None``: the machine epsilon of
    float64 for float64 input, else of float32 (PyTorch's ``RMSNorm``)."""

    def __init__(self, d: RowRMS):
        super().__init__()
        self.default_eps = d.eps is None
        self.eps = 0.0 if d.eps is None else d.eps
        self.eps64 = float(np.finfo(np.float64).eps)
        self.eps32 = float(np.finfo(np.float32).eps)
        self.keep = d.keep
        self.register_buffer("weight", _buffer(d.weight))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x.to(torch.float64)
        mask = torch.isnan(y)
        count = (~mask).sum(dim=1, keepdim=True).to(torch.float64)
        a = torch.where(mask, 0.0, y)
        eps = self.eps
        if self.default_eps:
            eps = self.eps64 if x.dtype == torch.float64 else self.eps32
        rms = torch.sqrt((a * a).sum(dim=1, keepdim=True) / count + eps)
        rms = torch.where(rms == 0.0, 1.0, rms)
        y = y / rms
        if self.weight.numel() > 0:
            y = y * self.weight
        if self.keep:
            y = torch.cat([y, rms], dim=1)
        return y.to(x.dtype)


class PowerMap(nn.Module):
    """Yeo-Johnson or Box-Cox per feature with λ (``_export.Power``), then
    ``(y - mean) / scale`` where given; in float64."""

    def __init__(self, d: Power):
        super().__init__()
        self.box_cox = d.box_cox
        self.tiny = float(np.finfo(np.float64).eps)
        for name in ("lambdas", "mean", "scale"):
            self.register_buffer(name, _buffer(getattr(d, name)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x.to(torch.float64)
        negative = y < 0.0
        if self.box_cox:
            t = torch.log(y)
            a = self.lambdas.expand(y.shape)
        else:
            t = torch.log1p(y.abs())
            a = torch.where(negative, 2.0 - self.lambdas, self.lambdas)
        logarithmic = a.abs() < self.tiny
        safe = torch.where(logarithmic, 1.0, a)
        p = torch.where(logarithmic, t, torch.expm1(safe * t) / safe)
        if self.box_cox:  # no value (not the limit) for 0 and infinity
            p = torch.where((y > 0.0) & (y < math.inf), p, math.nan)
        else:
            p = torch.where(negative, -p, p)
        if self.mean.numel() > 0:
            p = (p - self.mean) / self.scale
        return p.to(x.dtype)


class QuantileMap(nn.Module):
    """Per feature, ``numpy.interp`` from the quantiles to the references (the mean of
    both directions where quantiles repeat), then the normal quantile function, clipped."""

    def __init__(self, d: Quantiles):
        super().__init__()
        q, r = d.quantiles, d.references
        self.register_buffer("up", _buffer(q.T))  # (F, Q), non-decreasing rows
        self.register_buffer("up_refs", _buffer(r))
        self.register_buffer("down", _buffer(-q[::-1].T))
        self.register_buffer("down_refs", _buffer(-r[::-1]))
        self.register_buffer("increasing", torch.as_tensor(np.all(q[1:] > q[:-1], axis=0)))
        self.normal, self.margin = d.normal, BOUNDS_THRESHOLD
        self.low, self.high = d.clip

    def _interp(self, x, knots, refs):
        n = knots.shape[1]
        k = torch.searchsorted(knots, x.T.contiguous(), right=True).T - 1  # last q[k] <= x
        k = k.clamp(0, n - 2)
        qk = torch.gather(knots.T, 0, k)
        qk1 = torch.gather(knots.T, 0, k + 1)
        width = qk1 - qk
        t = torch.where(width == 0.0, (x >= qk).to(x.dtype), (x - qk) / width)
        t = torch.where(t < 0.0, 0.0, torch.where(t > 1.0, 1.0, t))
        rk, rk1 = refs[k], refs[k + 1]
        return rk + t * (rk1 - rk)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x64 = x.to(torch.float64)
        y = self._interp(x64, self.up, self.up_refs)
        down = -self._interp(-x64, self.down, self.down_refs)
        y = torch.where(self.increasing, y, 0.5 * (y + down))
        first, last = self.up[:, 0], self.up[:, -1]
        if self.normal:
            low = x64 - self.margin < first
            high = x64 + self.margin > last
        else:
            low = (x64 == first) & ~self.increasing
            high = (x64 == last) & ~self.increasing
        y = torch.where(low, 0.0, torch.where(high, 1.0, y))
        if self.normal:
            y = torch.special.ndtri(y)
            y = torch.where(y < self.low, self.low, torch.where(y > self.high, self.high, y))
        return y.to(x.dtype)


class Channels(nn.Module):
    """Rows of ``C * L`` values through a layer that takes ``(N, C, L)``."""

    def __init__(self, layer: nn.Module, n_channels: int):
        super().__init__()
        self.layer, self.n_channels = layer, n_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(x.reshape(x.shape[0], self.n_channels, -1)).reshape(x.shape)


_MODULES = {
    Affine: AffineMap,
    Log: LogMap,
    Groups: GroupRows,
    RowNorms: RowNormMap,
    Quantiles: QuantileMap,
    RowRMS: RMSRows,
    Power: PowerMap,
}


def to_torch(estimator, builtin=True, dtype=None):
    """The eval-mode module computing ``estimator.transform`` (see the methods' docs)."""
    dtype = torch.get_default_dtype() if dtype is None else dtype
    description = describe(estimator)
    module = _builtin(estimator, dtype) if builtin else None
    if module is None:
        module = _MODULES[type(description)](description)
    return module.eval()


def _builtin(est, dtype):
    """PyTorch's own layer where it computes ``transform``'s map exactly (else None).

    Not with kept statistics, nor with a zero denominator (``eps=0`` on a constant group
    or channel), where PyTorch divides by zero and ``transform`` by 1.
    """
    name = type(est).__name__
    eps = getattr(est, "eps", None)
    if getattr(est, "keep_stats", False) or (eps is not None and eps <= 0.0):
        return None
    n_features = est.n_features_in_
    if name == "RMSNormScaler":  # eps=None: PyTorch's default, as the scaler's
        weight = est._layout.weight
        layer = nn.RMSNorm(n_features, eps=eps, elementwise_affine=weight is not None, dtype=dtype)
        if weight is not None:
            with torch.no_grad():
                layer.weight.copy_(_as(weight))
        return layer
    if name == "BatchNormScaler":
        n_channels, _, weight, bias = est._layout(n_features)
        if np.any(np.asarray(est.running_var_) + est.eps <= 0.0):
            return None
        layer = nn.BatchNorm1d(n_channels, eps=est.eps, dtype=dtype)
        _set_running(layer, est.running_mean_, est.running_var_, est.num_batches_tracked_)
        _set_affine(layer, weight, bias)
        return Channels(layer, n_channels)
    if name == "LayerNormScaler":
        layer = nn.LayerNorm(n_features, eps=est.eps, dtype=dtype)
        _set_affine(layer, est._layout.weight, est._layout.bias)
        return layer
    if name in ("InstanceNormScaler", "GroupNormScaler"):
        n_channels = est._layout.n_groups if name == "InstanceNormScaler" else None
        n_channels = n_channels or (est.n_channels or n_features)
        length = n_features // n_channels
        weight, bias = (
            None if v is None else np.asarray(v).reshape(n_channels, length)[:, 0]
            for v in (est._layout.weight, est._layout.bias)
        )
        if name == "GroupNormScaler":
            layer = nn.GroupNorm(est.n_groups, n_channels, eps=est.eps, dtype=dtype)
        elif est.track_running_stats:
            layer = nn.InstanceNorm1d(
                n_channels, eps=est.eps, affine=True, track_running_stats=True, dtype=dtype
            )
            mean, var, n_batches = est._running_state()
            _set_running(layer, mean, var, n_batches)
        elif length > 1:
            layer = nn.InstanceNorm1d(n_channels, eps=est.eps, affine=True, dtype=dtype)
        else:
            return None  # PyTorch refuses one value per channel
        _set_affine(layer, weight, bias)
        return Channels(layer, n_channels)
    return None


def _set_running(layer, mean, var, n_batches):
    with torch.no_grad():
        layer.running_mean.copy_(torch.as_tensor(np.asarray(mean, dtype=np.float64)))
        layer.running_var.copy_(torch.as_tensor(np.asarray(var, dtype=np.float64)))
        layer.num_batches_tracked.fill_(int(n_batches))


def _set_affine(layer, weight, bias):
    with torch.no_grad():
        layer.weight.fill_(1.0) if weight is None else layer.weight.copy_(_as(weight))
        layer.bias.fill_(0.0) if bias is None else layer.bias.copy_(_as(bias))


def _as(values):
    return torch.as_tensor(np.asarray(values, dtype=np.float64).reshape(-1))


# -- from PyTorch layers -------------------------------------------------------------------
#: The layers each scaler is built from.
LAYERS = {
    "BatchNormScaler": (nn.modules.batchnorm._BatchNorm,),
    "InstanceNormScaler": (nn.modules.instancenorm._InstanceNorm,),
    "LayerNormScaler": (nn.LayerNorm,),
    "GroupNormScaler": (nn.GroupNorm,),
    "RMSNormScaler": (nn.RMSNorm,),
}


def _numpy(tensor):
    return None if tensor is None else tensor.detach().cpu().to(torch.float64).numpy().copy()


def layer_state(cls, layer):
    """The layer's state as plain numbers (:func:`._torch_state.from_state` reads it)."""
    kinds = LAYERS.get(cls.__name__, ())
    if not isinstance(layer, kinds):
        expected = " or ".join(k.__name__.lstrip("_") for k in kinds) or "normalisation"
        raise TypeError(
            f"{cls.__name__}.from_torch takes a torch.nn {expected} layer, got "
            f"{type(layer).__module__}.{type(layer).__name__}."
        )
    affine = getattr(layer, "affine", getattr(layer, "elementwise_affine", False))
    state = {
        "eps": layer.eps,
        "weight": _numpy(layer.weight) if affine else None,
        "bias": _numpy(getattr(layer, "bias", None)) if affine else None,
    }
    for name in ("num_features", "num_groups", "num_channels", "momentum"):
        if hasattr(layer, name):
            state[name] = getattr(layer, name)
    if hasattr(layer, "normalized_shape"):
        state["normalized_shape"] = tuple(layer.normalized_shape)
    if getattr(layer, "running_mean", None) is not None:
        state["running_mean"] = _numpy(layer.running_mean)
        state["running_var"] = _numpy(layer.running_var)
        state["num_batches_tracked"] = int(layer.num_batches_tracked)
    return state
