"""ONNX nodes of the quantile map (``_export.Quantiles``): interpolation and normal ppf.

ONNX has neither a sorted search nor the normal quantile function. The interpolation
finds, per value, the last quantile at or below it by binary lifting (``log2(Q)`` rounds
of ``GatherElements`` on the ``(Q, F)`` quantiles, never a ``(N, F, Q)`` tensor); the
normal quantile function is Wichura's AS 241 (relative error about 1e-16).
"""

import numpy as np

#: Wichura (1988), Algorithm AS 241, PPND16: numerator and denominator coefficients,
#: highest degree first, for |p - 0.5| <= 0.425, then r = sqrt(-log(min(p, 1 - p)))
#: - 1.6 for r <= 5, else r - 5 (as CPython's ``statistics.NormalDist.inv_cdf``).
AS241 = [
    (
        [2.5090809287301226727e3, 3.3430575583588128105e4, 6.7265770927008700853e4,
         4.5921953931549871457e4, 1.3731693765509461125e4, 1.9715909503065514427e3,
         1.3314166789178437745e2, 3.3871328727963666080e0],
        [5.2264952788528545610e3, 2.8729085735721942674e4, 3.9307895800092710610e4,
         2.1213794301586595867e4, 5.3941960214247511077e3, 6.8718700749205790830e2,
         4.2313330701600911252e1, 1.0],
    ),
    (
        [7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1,
         1.27045825245236838258e0, 3.64784832476320460504e0, 5.76949722146069140550e0,
         4.63033784615654529590e0, 1.42343711074968357734e0],
        [1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2,
         1.48103976427480074590e-1, 6.89767334985100004550e-1, 1.67638483018380384940e0,
         2.05319162663775882187e0, 1.0],
    ),
    (
        [2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3,
         2.65321895265761230930e-2, 2.96560571828504891230e-1, 1.78482653991729133580e0,
         5.46378491116411436990e0, 6.65790464350110377720e0],
        [2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5,
         7.86869131145613259100e-4, 1.48753612908506148525e-2, 1.36929880922735805310e-1,
         5.99832206555887937690e-1, 1.0],
    ),
]  # fmt: skip

F64 = np.float64


def quantile_map(g, d, x):
    """Nodes of ``d`` (a ``Quantiles``) on float64 ``x`` of shape ``(N, F)``."""
    q, r = d.quantiles, d.references
    increasing = np.all(q[1:] > q[:-1], axis=0)
    y = _interp(g, x, q, r)
    if not increasing.all():  # repeated quantiles: the mean of both directions
        down = g.op("Neg", _interp(g, g.op("Neg", x), -q[::-1], -r[::-1]))
        mean = g.op("Mul", g.op("Add", y, down), g.const(0.5, F64))
        y = g.where(g.const(increasing, np.bool_), y, mean)
    first, last = g.const(q[0], F64), g.const(q[-1], F64)
    if d.normal:
        margin = g.const(1e-7, F64)
        low = g.op("Less", g.op("Sub", x, margin), first)
        high = g.op("Greater", g.op("Add", x, margin), last)
    else:
        ties = g.const(~increasing, np.bool_)
        low = g.op("And", g.op("Equal", x, first), ties)
        high = g.op("And", g.op("Equal", x, last), ties)
    y = g.where(high, g.const(1.0, F64), y)
    y = g.where(low, g.const(0.0, F64), y)
    if not d.normal:
        return y
    y = _ndtri(g, y)
    bottom, top = (g.const(v, F64) for v in d.clip)
    y = g.where(g.op("Less", y, bottom), bottom, y)  # Where keeps NaN
    return g.where(g.op("Greater", y, top), top, y)


def _interp(g, x, q, r):
    """``numpy.interp`` per feature: ``x`` (N, F) on the knots ``q`` (Q, F) to ``r`` (Q,)."""
    n = q.shape[0]
    knots, refs = g.const(q, F64), g.const(r, F64)
    # k = the last index in [0, Q-2] with q[k] <= x (0 if none), by binary lifting
    k = g.op("Expand", g.const(0, np.int64), g.op("Shape", x))
    step = 1 << max(n - 2, 1).bit_length()
    while step:
        candidate = g.op("Add", k, g.const(step, np.int64))
        inside = g.op("LessOrEqual", candidate, g.const(n - 2, np.int64))
        safe = g.op("Min", candidate, g.const(n - 2, np.int64))
        below = g.op("LessOrEqual", g.op("GatherElements", knots, safe, axis=0), x)
        k = g.where(g.op("And", inside, below), candidate, k)
        step >>= 1
    k1 = g.op("Add", k, g.const(1, np.int64))
    qk, qk1 = (g.op("GatherElements", knots, i, axis=0) for i in (k, k1))
    rk, rk1 = (g.op("Gather", refs, i, axis=0) for i in (k, k1))
    width = g.op("Sub", qk1, qk)
    t = g.op("Div", g.op("Sub", x, qk), width)
    beyond = g.cast(g.op("GreaterOrEqual", x, qk), F64)  # equal knots: 0 before, 1 after
    t = g.where(g.op("Equal", width, g.const(0.0, F64)), beyond, t)
    t = g.where(g.op("Less", t, g.const(0.0, F64)), g.const(0.0, F64), t)
    t = g.where(g.op("Greater", t, g.const(1.0, F64)), g.const(1.0, F64), t)
    return g.op("Add", rk, g.op("Mul", t, g.op("Sub", rk1, rk)))


def _poly(g, coefficients, r):
    value = g.const(coefficients[0], F64)
    for c in coefficients[1:]:
        value = g.op("Add", g.op("Mul", value, r), g.const(c, F64))
    return value


def _ndtri(g, p):
    """The standard normal quantile of ``p`` (AS 241); -inf at 0, inf at 1, NaN kept."""
    half = g.op("Sub", p, g.const(0.5, F64))
    central = g.op("Sub", g.const(0.180625, F64), g.op("Mul", half, half))
    (a, b), (c, d), (e, f) = AS241
    inner = g.op("Div", g.op("Mul", half, _poly(g, a, central)), _poly(g, b, central))
    tail = g.op("Min", p, g.op("Sub", g.const(1.0, F64), p))
    r = g.op("Sqrt", g.op("Neg", g.op("Log", tail)))
    near = g.op("Sub", r, g.const(1.6, F64))
    far = g.op("Sub", r, g.const(5.0, F64))
    outer = g.where(
        g.op("LessOrEqual", r, g.const(5.0, F64)),
        g.op("Div", _poly(g, c, near), _poly(g, d, near)),
        g.op("Div", _poly(g, e, far), _poly(g, f, far)),
    )
    outer = g.where(g.op("Less", half, g.const(0.0, F64)), g.op("Neg", outer), outer)
    y = g.where(g.op("LessOrEqual", g.op("Abs", half), g.const(0.425, F64)), inner, outer)
    y = g.where(g.op("LessOrEqual", p, g.const(0.0, F64)), g.const(-np.inf, F64), y)
    return g.where(g.op("GreaterOrEqual", p, g.const(1.0, F64)), g.const(np.inf, F64), y)
