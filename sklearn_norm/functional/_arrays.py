"""Array helpers of the row kernels: float64 copies and casts in any Array API namespace,
guarded division, and the checks of the deep normalisations' parameters."""

import math

import numpy as np

from .. import _xp

#: Decorator: run a function without numpy floating-point warnings (every division is
#: guarded, and NaN/infinity propagate as in PyTorch).
quiet = np.errstate(invalid="ignore", over="ignore", divide="ignore")


def _to64(xp, x):
    """A float64 copy of ``x`` in its own namespace (float32 where the device lacks float64)."""
    if xp is np:
        return np.array(x, dtype=np.float64)
    return xp.astype(x, _xp.widest_float(xp, _xp.device(x)), copy=True)


def as64(xp, values, like):
    """``values`` (array-like or an array of any namespace) as float64 on ``like``'s device."""
    if values is None:
        return None
    values = np.asarray(_xp.to_numpy(values), dtype=np.float64)
    if xp is np:
        return values
    dev = _xp.device(like)
    return xp.asarray(values, dtype=_xp.widest_float(xp, dev), device=dev)


def _cast(xp, y, dtype, out):
    """``y`` (float64) in ``dtype``: written into ``out`` when given (numpy)."""
    if out is not None:
        np.copyto(out, y, casting="same_kind")
        return out
    if y.dtype == dtype:
        return y
    return y.astype(dtype) if xp is np else xp.astype(y, dtype)


def _all(xp, mask):
    return bool(xp.all(mask))


def _safe_divide(xp, a, b, fill):
    """``a / b`` where ``b > 0``, ``fill`` elsewhere, without warnings."""
    if not hasattr(b, "shape"):  # a Python count
        return a / b if b > 0 else a * 0.0 + fill
    ok = b > 0
    return xp.where(ok, a / xp.where(ok, b, 1.0), fill)


def check_eps(eps):
    """Raise a ValueError unless ``eps >= 0``."""
    if not eps >= 0:
        raise ValueError(f"eps must be a number >= 0, got eps={eps!r}.")


def expand_channels(name, values, n_channels, length):
    """Per-channel ``values`` repeated ``length`` times each: per-feature, float64 numpy."""
    if values is None:
        return None
    arr = np.asarray(as64(np, values, None)).reshape(-1)
    if arr.shape[0] != n_channels:
        raise ValueError(
            f"{name} has {arr.shape[0]} values but the input has {n_channels} channels; "
            "give one value per channel."
        )
    return np.repeat(arr, length)


def channels_view(xp, x):
    """``x`` of shape (N, C, *spatial) or (N, C) as (N, C * S), with C and S."""
    if x.ndim < 2:
        raise ValueError(f"expected input of shape (N, C, *spatial) or (N, C), got {x.shape}.")
    n, c = x.shape[0], x.shape[1]
    s = math.prod(x.shape[2:])
    return xp.reshape(x, (n, c * s)), c, s
