"""ONNX nodes for each export description (``_export``): standard operators, opset >= 18.

A :class:`Graph` wraps skl2onnx's scope and container: ``g.op("Sub", a, b)`` adds a node
and returns its output's name, ``g.const(values, dtype)`` an initializer's name. Only
:mod:`sklearn_norm.onnx` imports this module (skl2onnx is an optional dependency).
"""

import numpy as np
from onnx import TensorProto
from onnx.helper import np_dtype_to_tensor_dtype

from ._export import Affine, Groups, Log, Power, Quantiles, RowNorms, RowRMS
from ._onnx_quantile import quantile_map
from .functional._ops import split


class Graph:
    """Adds nodes to skl2onnx's ``container``, names from its ``scope``."""

    def __init__(self, scope, container):
        self.scope, self.container = scope, container

    def const(self, values, dtype):
        values = np.asarray(values, dtype=dtype)
        name = self.scope.get_unique_variable_name("c")
        proto = np_dtype_to_tensor_dtype(values.dtype)
        self.container.add_initializer(name, proto, list(values.shape), values.ravel().tolist())
        return name

    def op(self, op_type, *inputs, output=None, **attrs):
        output = output or self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type,
            list(inputs),
            [output],
            name=self.scope.get_unique_operator_name(op_type),
            **attrs,
        )
        return output

    def cast(self, x, dtype):
        return self.op("Cast", x, to=int(np_dtype_to_tensor_dtype(np.dtype(dtype))))

    def where(self, cond, a, b):
        return self.op("Where", cond, a, b)


def compute_dtype(proto_type):
    """The dtype the graph computes in for an input of ONNX element type ``proto_type``."""
    if proto_type == TensorProto.FLOAT:
        return np.dtype(np.float32)
    return np.dtype(np.float64)  # float64, and integers as transform converts them


def build(g, description, x, dtype, n_features):
    """Nodes computing ``description`` on ``x`` (2-D, ``dtype``); the output's name."""
    if isinstance(description, Affine):
        return _affine(g, description, x, dtype)
    if isinstance(description, Log):
        return _log(g, description, x, dtype)
    if isinstance(description, Groups):
        return _groups(g, description, x, dtype, n_features)
    if isinstance(description, RowNorms):
        return _row_norms(g, description, x, dtype)
    if isinstance(description, RowRMS):
        return _row_rms(g, description, x, dtype)
    if isinstance(description, Power):
        return _power(g, description, x, dtype)
    if isinstance(description, Quantiles):  # in float64, as transform computes it
        y = quantile_map(g, description, x if dtype == np.float64 else g.cast(x, np.float64))
        return y if dtype == np.float64 else g.cast(y, dtype)
    raise NotImplementedError(f"No ONNX graph for the description {description!r}.")


def _shift(g, x, centre, dtype):
    """``x - centre`` keeping a large centre's low bits in float32 (``_ops.split``)."""
    hi, lo = split(centre, dtype)
    y = g.op("Sub", x, g.const(hi, dtype))
    return y if lo is None else g.op("Sub", y, g.const(lo, dtype))


def _affine(g, d, x, dtype):
    y = x if d.centre is None else _shift(g, x, d.centre, dtype)
    if d.factor is not None:
        y = g.op("Div" if d.divide else "Mul", y, g.const(d.factor, dtype))
    if d.offset is not None:
        y = g.op("Add", y, g.const(d.offset, dtype))
    if d.clip is not None:  # Where keeps NaN (Min/Max need not)
        low, high = (g.const(v, dtype) for v in d.clip)
        y = g.where(g.op("Less", y, low), low, y)
        y = g.where(g.op("Greater", y, high), high, y)
    if d.kept is not None:
        kept = g.const(d.kept.reshape(1, -1), dtype)
        rows = g.op("Slice", g.op("Shape", x), *(g.const([v], np.int64) for v in (0, 1)))
        size = g.op("Concat", rows, g.const([d.kept.size], np.int64), axis=0)
        y = g.op("Concat", y, g.op("Expand", kept, size), axis=1)
    return y


def _log1p(g, t, dtype):
    """``log1p(t)`` to a few ulps without a Log1p operator (Goldberg's trick):
    ``u = 1 + t``; ``t`` where ``u == 1``, else ``log(u) * t / (u - 1)``."""
    u = g.op("Add", t, g.const(1.0, dtype))
    d = g.op("Sub", u, g.const(1.0, dtype))
    ratio = g.op("Div", g.op("Mul", g.op("Log", u), t), d)
    return g.where(g.op("Equal", d, g.const(0.0, dtype)), t, ratio)


def _expm1(g, z, dtype):
    """``expm1(z)`` to a few ulps without an Expm1 operator (Kahan's trick): ``u = e**z``;
    ``z`` where ``u == 1``, ``u - 1`` where that is -1 or an infinity, else
    ``(u - 1) * z / log(u)``."""
    u = g.op("Exp", z)
    d = g.op("Sub", u, g.const(1.0, dtype))
    ratio = g.op("Div", g.op("Mul", d, z), g.op("Log", u))
    exact = g.op("Or", g.op("Equal", d, g.const(-1.0, dtype)), g.op("IsInf", u))
    y = g.where(exact, d, ratio)
    return g.where(g.op("Equal", d, g.const(0.0, dtype)), z, y)


def _log(g, d, x, dtype):
    if d.signed:
        y = _log1p(g, g.op("Abs", x), dtype)
        y = g.where(g.op("Less", x, g.const(0.0, dtype)), g.op("Neg", y), y)
    else:
        t = x if not d.shift.any() else _shift(g, x, d.shift, dtype)
        if d.ones.all():
            y = _log1p(g, t, dtype)
        elif not d.ones.any():
            y = g.op("Log", t)
        else:
            ones = g.const(d.ones, np.bool_)
            y = g.where(ones, _log1p(g, t, dtype), g.op("Log", t))
        floor = g.const(np.where(d.ones, -1.0, 0.0), dtype)
        bad = g.op("LessOrEqual", t, floor)  # outside the domain: NaN, as handle_invalid="nan"
        y = g.where(bad, g.const(np.nan, dtype), y)
    if d.base != np.e:
        y = g.op("Div", y, g.const(np.log(d.base), dtype))
    return y


def _nan_free(g, x):
    """``(mask, x with 0 for NaN, count of non-NaN values along the last axis)``."""
    mask = g.op("IsNaN", x)
    zero = g.where(mask, g.const(0.0, np.float64), x)
    count = _sum(g, g.cast(g.op("Not", mask), np.float64))
    return mask, zero, count


def _sum(g, x, op="ReduceSum"):
    return g.op(op, x, g.const([-1], np.int64), keepdims=1)


def _groups(g, d, x, dtype, n_features):
    f64 = np.float64
    x64 = x if dtype == f64 else g.cast(x, f64)
    size = n_features // d.n_groups
    x3 = g.op("Reshape", x64, g.const([-1, d.n_groups, size], np.int64))
    mask, zero, count = _nan_free(g, x3)
    mean = g.op("Div", _sum(g, zero), count)
    centred = g.op("Sub", x3, mean)
    dz = g.where(mask, g.const(0.0, f64), centred)
    var = g.op("Div", _sum(g, g.op("Mul", dz, dz)), count)
    std = g.op("Sqrt", g.op("Add", var, g.const(d.eps, f64)))
    std = g.where(g.op("Equal", std, g.const(0.0, f64)), g.const(1.0, f64), std)
    y = g.op("Div", centred, std)
    if d.weight is not None:
        y = g.op("Mul", y, g.const(d.weight.reshape(d.n_groups, size), f64))
    if d.bias is not None:
        y = g.op("Add", y, g.const(d.bias.reshape(d.n_groups, size), f64))
    y = g.op("Reshape", y, g.const([-1, n_features], np.int64))
    if d.keep:
        flat = g.const([-1, d.n_groups], np.int64)
        stats = [g.op("Reshape", s, flat) for s in (mean, std)]
        y = g.op("Concat", y, *stats, axis=1)
    return y if dtype == f64 else g.cast(y, dtype)


def _row_norms(g, d, x, dtype):
    f64 = np.float64
    x64 = x if dtype == f64 else g.cast(x, f64)
    _, zero, _ = _nan_free(g, x64)
    if d.norm == "l2":
        norm = g.op("Sqrt", _sum(g, g.op("Mul", zero, zero)))
    else:
        norm = _sum(g, g.op("Abs", zero), "ReduceSum" if d.norm == "l1" else "ReduceMax")
    safe = g.where(g.op("Equal", norm, g.const(0.0, f64)), g.const(1.0, f64), norm)
    y = g.op("Div", x64, safe)
    if d.keep:
        y = g.op("Concat", y, norm, axis=1)
    return y if dtype == f64 else g.cast(y, dtype)


def _row_rms(g, d, x, dtype):
    f64 = np.float64
    x64 = x if dtype == f64 else g.cast(x, f64)
    _, zero, count = _nan_free(g, x64)
    mean_square = g.op("Div", _sum(g, g.op("Mul", zero, zero)), count)
    eps = d.eps if d.eps is not None else float(np.finfo(dtype).eps)  # float32 or float64
    rms = g.op("Sqrt", g.op("Add", mean_square, g.const(eps, f64)))
    rms = g.where(g.op("Equal", rms, g.const(0.0, f64)), g.const(1.0, f64), rms)
    y = g.op("Div", x64, rms)
    if d.weight is not None:
        y = g.op("Mul", y, g.const(d.weight, f64))
    if d.keep:
        y = g.op("Concat", y, rms, axis=1)
    return y if dtype == f64 else g.cast(y, dtype)


def _power(g, d, x, dtype):
    """Yeo-Johnson or Box-Cox in float64, as ``transform`` computes it (``_export.Power``)."""
    f64 = np.float64
    x64 = x if dtype == f64 else g.cast(x, f64)
    zero = g.const(0.0, f64)
    if d.box_cox:
        t, a = g.op("Log", x64), g.const(d.lambdas, f64)
    else:
        negative = g.op("Less", x64, zero)
        t = _log1p(g, g.op("Abs", x64), f64)
        a = g.where(negative, g.const(2.0 - d.lambdas, f64), g.const(d.lambdas, f64))
    logarithmic = g.op("Less", g.op("Abs", a), g.const(np.finfo(f64).eps, f64))
    safe = g.where(logarithmic, g.const(1.0, f64), a)
    y = g.op("Div", _expm1(g, g.op("Mul", safe, t), f64), safe)
    y = g.where(logarithmic, t, y)
    if d.box_cox:  # no value (not the limit) for 0 and infinity
        inside = g.op("And", g.op("Greater", x64, zero), g.op("Less", x64, g.const(np.inf, f64)))
        y = g.where(inside, y, g.const(np.nan, f64))
    else:
        y = g.where(negative, g.op("Neg", y), y)
    if d.mean is not None:
        y = g.op("Div", g.op("Sub", y, g.const(d.mean, f64)), g.const(d.scale, f64))
    return y if dtype == f64 else g.cast(y, dtype)
