"""Column-wise log scaling: :math:`\\log_b(x + c)` per feature, and its inverse.

The public function is stateless; its ``log_kernel`` twin (``kernel(x, out=None)``) is
what ``LogScaler`` runs block by block, and ``log_invalid`` tells which values it refuses.
"""

import math

import numpy as np

from .._xp import to_numpy
from . import _checks, _ops


def log_kernel(
    offset=1.0,
    base=math.e,
    signed=False,
    invalid_to_nan=False,
    inverse=False,
    centre=None,
    dtype=None,
):
    """Kernel of :func:`log_scale` and of its inverse.

    ``invalid_to_nan`` turns every value with ``x + offset <= 0`` into NaN (else the
    plain math: ``log(0) = -inf``, ``log`` of a negative is NaN), without warnings.
    ``x + offset`` keeps the offset's low bits (:func:`_ops.shift`): in float32,
    ``-1e8 + (1e8 + 1)`` is 1, not 0. With ``centre`` (per feature, float64) the map is
    :math:`\\log(1 + (x - m))`, the offset being :math:`1 - m`: ``LogScaler``'s
    ``offset="auto"``, whose training minimum :math:`m` then maps to exactly 0 and every
    value above it to 0 or more, whatever :math:`1 - m` rounds to. ``dtype`` (the
    numpy dtype the kernel will mostly see) is not used: the terms do not depend on it.
    """
    # log1p/expm1 everywhere (``unit``; without ``shifting`` straight into ``out``), or
    # log1p/expm1 where ``ones`` and log/exp elsewhere (``mixed``)
    shift, ones, floor, unit, shifting, mixed = _log_terms(offset, centre)
    log_base = math.log(base)
    largest_shift = float(np.max(np.abs(shift), initial=0.0))

    def may_overflow(xp, x):
        """Whether ``x - shift`` may overflow ``x``'s dtype (a shift within 2**-54 of its
        largest value), so the sum is also taken halved (see :func:`_beyond`)."""
        top = float(np.finfo(_ops.numpy_dtype(x)).max)
        return shifting and not signed and largest_shift > top * 2.0**-54

    def forward(xp, x, out):
        if signed:
            negative = x < 0
            y = _ops.unary(xp, "log1p", _abs(xp, x, out))
            y = _ops.negate_where(xp, y, negative)
        elif not shifting:
            bad = (x <= -1.0) if invalid_to_nan else None
            if out is not None and isinstance(x, np.ndarray):
                y = np.log1p(x, out=out)
            elif out is None:  # one pass into a new array (no copy first)
                y = xp.log1p(x)
            else:
                y = _ops.unary(xp, "log1p", _ops.copy_into(xp, x, out))
        else:
            beyond = may_overflow(xp, x)
            if beyond:  # kept for _beyond: ``out`` may be ``x``
                x = xp.asarray(x, copy=True)
            y = _ops.shift(xp, x, shift, out)
            bad = (y <= _ops.param(xp, floor, y)) if invalid_to_nan else None
            if mixed:
                y = _unary_where(xp, y, ones, "log1p", "log")
            else:
                y = _ops.unary(xp, "log1p" if unit else "log", y)
            if beyond:
                y = _beyond(xp, x, y, shift, inverse=False)
        if not signed and bad is not None:
            y = _ops.where_set(xp, y, bad, float("nan"))
        if base != math.e:
            y /= _ops.param(xp, log_base, y)
        return y

    def backward(xp, x, out):
        if log_base == 1.0 and out is None and not isinstance(x, np.ndarray):
            y = x  # base e: nothing to multiply; the next step makes the new array
        else:
            y = _ops.first(xp, "multiply", x, _ops.param(xp, log_base, x), out)
        if signed:
            negative = y < 0
            y = _ops.negate_where(xp, _ops.unary(xp, "expm1", _abs(xp, y, y)), negative)
            return y
        if may_overflow(xp, y):
            logs = xp.asarray(y, copy=True)
            return _beyond(xp, logs, _backward_steps(xp, y), shift, inverse=True)
        return _backward_steps(xp, y)

    def _backward_steps(xp, y):
        if mixed:
            y = _unary_where(xp, y, ones, "expm1", "exp")
        else:
            y = _ops.unary(xp, "expm1" if unit else "exp", y)
        return _ops.unshift(xp, y, shift) if shifting else y

    step = backward if inverse else forward

    def kernel(x, out=None):
        xp = _ops.get_namespace(x)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return step(xp, x, out)

    return _ops.half_in_wide(kernel)


def _log_terms(offset, centre):
    """``(shift, ones, floor, unit, shifting, mixed)`` of :func:`log_kernel` and
    :func:`log_invalid` (read-only arrays).

    The logarithm's argument is ``t = x - shift``: ``log1p(t)`` where ``ones`` holds
    (offset 1, or every feature with ``centre``), ``log(t)`` elsewhere; ``t <= floor``
    (-1 for log1p, 0 for log) is outside the domain. ``unit``: log1p everywhere;
    ``shifting``: some shift is not 0; ``mixed``: log1p on some features, log on others.
    """
    offset = np.asarray(to_numpy(offset), dtype=np.float64)
    if centre is not None:  # log1p(x - m)
        shift = np.asarray(centre, dtype=np.float64)
        ones = np.ones(shift.shape, dtype=bool)
    else:  # log(x + offset), log1p(x) where the offset is 1
        ones = offset == 1.0
        shift = -np.where(ones, 0.0, offset)
    terms = [np.array(a) for a in (shift, ones, np.where(ones, -1.0, 0.0))]
    for array in terms:  # copies (0-d parameters give numpy scalars above), read-only
        array.flags.writeable = False
    shift, ones, floor = terms
    unit = bool(ones.all())
    shifting = not unit or bool(shift.any())
    return shift, ones, floor, unit, shifting, not unit and bool(ones.any())


def log_invalid(x, offset, centre=None):
    """Where ``x + offset <= 0`` (``x <= -1`` for an offset of 1; ``x - centre <= -1``
    with ``centre``), as :func:`log_kernel` computes it in ``x``'s dtype (numpy): the
    values it refuses, or maps to NaN."""
    x = np.asarray(x)
    if x.dtype == np.float16:  # as _ops.half_in_wide runs the kernel
        x = x.astype(np.float64)
    shift, _, floor, *_ = _log_terms(offset, centre)
    with np.errstate(invalid="ignore", over="ignore"):
        return _ops.shift(np, x, shift, None) <= floor


def _beyond(xp, x, y, shift, inverse):
    """``y`` with its results beyond ``x``'s dtype taken on halved values, exact to rounding.

    Forward, where ``t = x - shift`` overflowed (``y`` is +inf, ``x`` finite),
    :math:`\\log t = \\log(x/2 - s/2) + \\log 2` (and :math:`\\log(1 + t)` is
    :math:`\\log t` to rounding there, :math:`t > 2^{1023}`); inverse, where
    :math:`e^y` overflowed (``x`` the natural logs), :math:`2 (e^{y - \\log 2} + s/2)`.
    """
    over = xp.isinf(y) & xp.isfinite(x) & (y > 0)
    if not bool(xp.any(over)):
        return y
    half = np.asarray(shift, dtype=np.float64) / 2
    if inverse:
        fixed = _ops.unshift(xp, xp.exp(x - math.log(2.0)), half) * 2.0
    else:
        fixed = xp.log(_ops.shift(xp, x * 0.5, half, None)) + math.log(2.0)
    if isinstance(y, np.ndarray):
        np.copyto(y, fixed, where=over, casting="same_kind")
        return y
    return xp.where(over, xp.astype(fixed, y.dtype), y)


def _unary_where(xp, y, mask, name, other):
    """``name(y)`` on the features where ``mask`` holds, ``other(y)`` elsewhere."""
    if isinstance(y, np.ndarray):
        getattr(np, name)(y, out=y, where=mask)
        return getattr(np, other)(y, out=y, where=~mask)
    chosen = _ops.param(xp, mask.astype(np.float64), y) == 1
    return xp.where(chosen, getattr(xp, name)(y), getattr(xp, other)(y))


def _abs(xp, x, out):
    if isinstance(out, np.ndarray):
        return np.abs(x, out=out)
    return xp.abs(x)


def log_scale(x, base=math.e, offset=1.0, signed=False):
    """Log scaling: :math:`y = \\log_b(x + c)`.

    ``log1p`` is used when the offset :math:`c` is 1, so small values keep their
    precision. ``signed=True`` gives :math:`y = \\mathrm{sign}(x) \\log_b(1 + |x|)`,
    defined on the whole real line.

    Parameters
    ----------
    x : array of shape (..., n_features)
        Data, any Array API array.
    base : float, default=e
        Base :math:`b` of the logarithm.
    offset : float or array-like of shape (n_features,), default=1.0
        Offset :math:`c`, per feature or for all; not used when ``signed=True``.
    signed : bool, default=False
        Use the signed log :math:`\\mathrm{sign}(x) \\log_b(1 + |x|)`.

    Returns
    -------
    y : array like ``x``
        Scaled data, same namespace, device and floating dtype; ``log(0) = -inf``
        and the log of a negative is NaN.

    Examples
    --------
    >>> from sklearn_norm.functional import log_scale
    >>> log_scale([[0.0, 9.0]], base=10).tolist()
    [[0.0, 1.0]]
    >>> log_scale([[-9.0]], base=10, signed=True).tolist()
    [[-1.0]]
    """
    xp, x = _ops.float_array(x)
    offset = _checks.per_feature("offset", offset, x)
    return log_kernel(offset, _checks.log_base(base), signed)(x)
