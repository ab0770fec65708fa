"""Element-wise building blocks shared by every kernel, on any Array API namespace.

A *kernel* is ``kernel(x, out=None)``: it computes the normalised array from ``x``. On
numpy with ``out`` given, it writes into ``out`` with ufuncs (``out`` may be ``x``), so
the chunk engine makes no temporaries; elsewhere it returns a new array. Only the first
operation of a kernel reads ``x``; later ones work in place on the result it owns.
"""

import numpy as np

from .._xp import (
    get_namespace,  # noqa: F401  (re-exported to kernels)
    is_array_api,
    to_numpy,
)


def first(xp, name, x, other, out):
    """``name(x, other)`` into ``out`` (numpy) or as a new array.

    On numpy ``x`` is copied into ``out`` and the operation runs in place there: one
    stream in and one out per step is faster than two in and one out, same values.
    """
    if out is not None:
        return getattr(np, name)(copy_into(np, x, out), other, out=out)
    return getattr(xp, name)(x, other)


def unary(xp, name, y):
    """``name(y)`` in place on a numpy array, else a new array."""
    if isinstance(y, np.ndarray):
        return getattr(np, name)(y, out=y)
    return getattr(xp, name)(y)


def copy_into(xp, x, out):
    """``x`` copied into ``out`` (numpy) or as a new array of the namespace."""
    if out is not None:
        if out is not x:
            np.copyto(out, x)
        return out
    return xp.asarray(x, copy=True)


def numpy_dtype(x):
    """The numpy dtype matching the floating dtype of any Array API array."""
    if isinstance(x, np.ndarray):
        return x.dtype
    return np.dtype(str(x.dtype).rsplit(".", 1)[-1])


def param(xp, values, like):
    """Per-feature parameters as an array of ``like``'s namespace, dtype and device."""
    values = np.asarray(to_numpy(values), dtype=numpy_dtype(like))
    if isinstance(like, np.ndarray):
        return values
    from .._xp import device

    return xp.asarray(values, device=device(like))


def cast(values, dtype):
    """Parameters as a numpy array of ``dtype``."""
    return np.asarray(to_numpy(values), dtype=dtype)


def holds(values, dtype):
    """Whether ``dtype`` holds every float64 value of ``values`` to its relative precision.

    A value beyond its range (rounded to infinity) or below its normal range (rounded to
    a subnormal or 0: a float32 scale of 2.5 subnormals becomes 2, 25% off) is not held.
    """
    wide = cast(values, np.float64)
    with np.errstate(over="ignore", under="ignore"):
        narrow = cast(wide, dtype)
    beyond = np.isinf(narrow) & np.isfinite(wide)
    below = (np.abs(narrow) < np.finfo(dtype).tiny) & (wide != 0) & np.isfinite(wide)
    return not np.any(beyond | below)


def factor_for(scale, dtype):
    """``scale`` as ``dtype``, or as float64 where ``dtype`` cannot hold it (:func:`holds`).

    A float16 feature with a range below 1/65504 has a min-max factor above float16's
    largest value, a float32 feature spread over subnormals a divisor that float32 holds
    only as a subnormal; multiplying (dividing) by the float64 value rounds once instead.
    """
    wide = cast(scale, np.float64)
    return cast(wide, dtype) if holds(wide, dtype) else wide


def split(centre, dtype):
    """``(hi, lo)``: ``hi`` the centre rounded to ``dtype``, ``lo`` the rest (``None`` if 0).

    The numpy arrays :func:`shift` and :func:`unshift` use, computed once per kernel.
    """
    centre = cast(centre, np.float64)
    hi = centre.astype(dtype)
    lo = centre - hi.astype(np.float64)
    return hi, (cast(lo, dtype) if np.any(lo) else None)


def shift(xp, x, centre, out):
    """``x - centre`` without losing the low bits of a large centre in low precision.

    In float32/float16 the centre is split into ``hi + lo`` (:func:`split`): ``x - hi``
    is exact for ``x`` near ``hi`` (Sterbenz), so subtracting ``lo`` afterwards keeps
    the centre's full float64 value.
    """
    hi, lo = split(centre, numpy_dtype(x))
    y = first(xp, "subtract", x, param(xp, hi, x), out)
    if lo is not None:
        y -= param(xp, lo, x)
    return y


def float_array(x):
    """``x`` as an array of a floating dtype of its own namespace (ints become float64)."""
    xp = get_namespace(x)
    if not is_array_api(x):
        x = np.asarray(x)
        if x.dtype.kind != "f":
            x = x.astype(np.float64)
        return np, x
    if not xp.isdtype(x.dtype, "real floating"):
        from .._xp import device, widest_float

        x = xp.asarray(x, dtype=widest_float(xp, device(x)), device=device(x))
    return xp, x


def unshift(xp, y, centre):
    """``y += centre`` in place, the inverse of :func:`shift` (``hi`` then ``lo``)."""
    hi, lo = split(centre, numpy_dtype(y))
    y += param(xp, hi, y)
    if lo is not None:
        y += param(xp, lo, y)
    return y


def half_in_wide(kernel):
    """``kernel`` taking float16 input through a wider float, rounded once at the end.

    float16 holds neither every parameter nor every intermediate (a centre of 7e4, a
    factor of 1e5, a difference of two values near 6e4): the map runs in float64
    (float32 on a device without float64) and only the result is rounded to float16.
    """

    def wrapped(x, out=None):
        if isinstance(x, np.ndarray):
            if x.dtype != np.float16:
                return kernel(x, out)
        elif str(x.dtype).rsplit(".", 1)[-1] != "float16":
            return kernel(x, out)
        with np.errstate(over="ignore"):  # results beyond float16 become inf, quietly
            if isinstance(x, np.ndarray):
                y = kernel(x.astype(np.float64))
                if out is None:
                    return y.astype(x.dtype)
                np.copyto(out, y, casting="same_kind")
                return out
            from .._xp import device, widest_float

            xp = get_namespace(x)
            y = kernel(xp.astype(x, widest_float(xp, device(x))))
            return xp.astype(y, x.dtype)

    return wrapped


def where_set(xp, y, mask, value):
    """``y[mask] = value`` in place on numpy, else ``where`` into a new array."""
    if isinstance(y, np.ndarray):
        np.copyto(y, value, where=mask)
        return y
    return xp.where(mask, xp.asarray(value, dtype=y.dtype, device=_device(y)), y)


def negate_where(xp, y, mask):
    """``-y`` where ``mask`` holds, in place on numpy."""
    if isinstance(y, np.ndarray):
        return np.negative(y, out=y, where=mask)
    return xp.where(mask, -y, y)


def clip(xp, y, low, high):
    """``y`` clipped to ``[low, high]``, in place on numpy."""
    if isinstance(y, np.ndarray):
        return np.clip(y, low, high, out=y)
    return xp.clip(y, low, high)


def _device(x):
    from .._xp import device

    return device(x)
