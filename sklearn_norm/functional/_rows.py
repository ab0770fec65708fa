"""Row kernels of the deep-learning normalisations, shared by the functions and estimators.

A 2-D array whose rows are split into ``G`` contiguous groups of ``M`` values is centred
and scaled per (row, group): :func:`group_moments`, then :func:`scale_groups`;
:func:`unscale_groups` undoes it given the statistics. Statistics are float64 and NaN-aware; results are written in the input's
dtype, into ``out`` when given (numpy), so the chunk engine makes no temporaries beyond
one float64 block.
"""

import math

import numpy as np

from .._chunks import BLOCK_BYTES, map_blocks, scratch, work_block_bytes
from .._stats import HUGE
from . import _ops
from ._arrays import _all, _cast, _safe_divide, _to64, quiet


# -- row kernels ---------------------------------------------------------------------
@quiet
def group_moments(x, n_groups, ddof=0):
    """Centred values, mean and variance of each (row, group) of a 2-D array, in float64.

    Row ``i`` is split into ``n_groups`` contiguous groups of ``M`` values. With the
    :math:`n` non-NaN values :math:`x_j` of a group, shifted by one of them,
    :math:`s` (the first, or the smallest where a value is missing), a corrected
    two-pass sum (Chan, Golub & LeVeque) of :math:`x_j - s` gives
    :math:`\\mu = \\frac{1}{n}\\sum_j x_j` and
    :math:`\\sigma^2 = \\frac{1}{n - \\mathrm{ddof}}\\sum_j (x_j - \\mu)^2`, as PyTorch
    defines them, however small the spread: no variance is rounded to 0, and a constant
    group has exactly ``d = 0`` and ``var = 0`` (its deviations from :math:`s` are 0).

    Parameters
    ----------
    x : array of shape (n_rows, n_groups * M)
    n_groups : int
    ddof : int, default=0

    Returns
    -------
    d : float64 array of shape (n_rows, n_groups, M)
        ``x - mean``, NaN where ``x`` is NaN.
    mean, var : float64 arrays of shape (n_rows, n_groups)
        NaN where a group has no value (``var``: not more than ``ddof`` values).
    count : float or float64 array of shape (n_rows, n_groups)
        Number of non-NaN values per group.
    """
    xp = _ops.get_namespace(x)
    rows, n_features = x.shape
    d = xp.reshape(_to64(xp, x), (rows, n_groups, n_features // n_groups))
    total = xp.sum(d, axis=-1)
    mask = None
    if _all(xp, xp.isfinite(total)):
        count = float(d.shape[-1])
        shift = d[..., 0]
    else:
        mask = xp.isnan(d)
        count = xp.sum(xp.astype(~mask, d.dtype), axis=-1)
        shift = xp.min(xp.where(mask, math.inf, d), axis=-1)
    shift = xp.where(xp.isfinite(shift), shift, 0.0)  # a new array, never a view of d
    d -= xp.expand_dims(shift, axis=-1)
    dz = d if mask is None else xp.where(mask, 0.0, d)
    centre = _safe_divide(xp, xp.sum(dz, axis=-1), count, math.nan)
    d -= xp.expand_dims(centre, axis=-1)
    dz = d if mask is None else xp.where(mask, 0.0, d)
    resid = xp.sum(dz, axis=-1)
    if xp is np:
        m2 = np.einsum("ijk,ijk->ij", dz, dz)
    else:
        m2 = xp.sum(dz * dz, axis=-1)
    correction = _safe_divide(xp, resid, count, 0.0)
    mean = shift + (centre + correction)
    d -= xp.expand_dims(correction, axis=-1)
    m2 = m2 - resid * correction
    # NaN stays NaN (squares that overflowed: ``scaled_moments`` rescales those groups)
    var = _safe_divide(xp, xp.where(m2 < 0.0, 0.0, m2), count - ddof, math.nan)
    return d, mean, var, count


def group_std(var, eps, unit=None):
    """The denominator :math:`\\sqrt{\\sigma^2 + \\epsilon}`, 1 where it would be 0.

    With ``unit`` (from :func:`scaled_moments`), ``var`` is in units of ``unit**2`` and
    the result in units of ``unit``; below 1 (tiny groups, small ``eps``) it is
    :math:`\\mathrm{hypot}(\\sigma, \\sqrt{\\epsilon} / u)`, as ``eps / unit**2`` may
    overflow.
    """
    xp = _ops.get_namespace(var)
    if unit is None:
        std = xp.sqrt(var + eps)
    else:
        std = xp.sqrt(var + eps / unit / unit)  # unit**2 may overflow
        tiny = unit < 1.0
        if _all(xp, ~tiny):
            return xp.where(std == 0.0, 1.0, std)
        std = xp.where(tiny, xp.hypot(xp.sqrt(var), math.sqrt(eps) / unit), std)
    return xp.where(std == 0.0, 1.0, std)


#: An l2 norm below this may have lost squares to underflow: it is recomputed rescaled.
_TINY = 2.0**-500
#: An ``eps`` below this does not hide a variance lost to underflow (squares below
#: float64's normal range, about ``n * 2**-1022``): :func:`scaled_moments` rescales
#: tiny groups for it.
SMALL_EPS = 2.0**-969


@quiet
def scaled_moments(x, n_groups, ddof=0, eps=None):
    """:func:`group_moments` that cannot overflow: ``d, mean, var, count, unit``.

    A group whose squares may overflow (values beyond about 1e150), or, for an ``eps``
    below :data:`SMALL_EPS`, underflow (values below ``2**-500``: ``eps`` does not hide
    what they lose), is divided by a power of two ``unit`` near its largest magnitude
    (exact) before its moments are taken, and
    its ``d`` is returned in units of ``unit`` and its ``var`` in units of ``unit**2``
    (``mean`` is not scaled); ``unit`` is 1 elsewhere, so ordinary data gives
    :func:`group_moments` bit for bit. ``group_std(var, eps, unit)`` is then in units of
    ``unit`` too (``d / std`` is the normalised value, ``std * unit`` the real one).
    """
    xp = _ops.get_namespace(x)
    d, mean, var, count = group_moments(x, n_groups, ddof)
    unit = xp.ones_like(mean)
    small = eps is not None and eps < SMALL_EPS
    # else the squares, or the deviations from the shift (``x - s``), overflowed
    if _all(xp, xp.isfinite(var) & xp.isfinite(mean)) and not (
        small and bool(xp.any((var < _TINY) & (xp.abs(mean) < _TINY)))
    ):
        return d, mean, var, count, unit
    rows, n_features = x.shape
    x3 = xp.reshape(_to64(xp, x), (rows, n_groups, n_features // n_groups))
    a = xp.abs(x3)
    top = xp.max(xp.where(xp.isnan(a), 0.0, a), axis=-1)
    big = xp.isfinite(top) & (top > HUGE)
    if small:  # named big: rescaled (up, here)
        big = big | ((top > 0.0) & (top < _TINY))
    if not bool(xp.any(big)):
        return d, mean, var, count, unit
    power = xp.floor(xp.log2(xp.where(big, top, 1.0)))
    unit = xp.where(big, 2.0 ** xp.where(power > 1023.0, 1023.0, power), 1.0)  # log2(max) = 1024
    x3 /= xp.expand_dims(unit, axis=-1)
    d_s, mean_s, var_s, _ = group_moments(xp.reshape(x3, (rows, n_features)), n_groups, ddof)
    d = xp.where(xp.expand_dims(big, axis=-1), d_s, d)
    mean = xp.where(big, mean_s * unit, mean)
    var = xp.where(big, var_s, var)
    return d, mean, var, count, unit


@quiet
def scale_groups(d, std, weight=None, bias=None, dtype=None, out=None):
    """:math:`y = d / s \\cdot w + b`, from centred values ``d`` (modified in place).

    Parameters
    ----------
    d : float64 array of shape (n_rows, G, M)
    std : float64 array of shape (n_rows, G) or (1, G)
    weight, bias : float64 array of shape (G * M,) or None
        Per-feature affine parameters (same namespace as ``d``).
    dtype : dtype, default=None
        dtype of the result (float64 when None).
    out : numpy array of shape (n_rows, G * M) or None
        Where to write the result.
    """
    xp = _ops.get_namespace(d)
    d /= xp.expand_dims(std, axis=-1)
    y = xp.reshape(d, (d.shape[0], d.shape[1] * d.shape[2]))
    if weight is not None:
        y *= weight
    if bias is not None:
        y += bias
    return _cast(xp, y, d.dtype if dtype is None else dtype, out)


@quiet
def unscale_groups(y, mean, std, weight=None, bias=None, out=None):
    """The inverse of :func:`scale_groups`: :math:`x = (y - b) / w \\cdot s + \\mu`.

    ``mean`` and ``std`` have shape (n_rows, G) or (1, G); the result has ``y``'s dtype.
    """
    xp = _ops.get_namespace(y)
    rows, n_features = y.shape
    g = mean.shape[-1]
    x = _to64(xp, y)
    if bias is not None:
        x -= bias
    if weight is not None:
        x /= weight
    x3 = xp.reshape(x, (rows, g, n_features // g))
    x3 *= xp.expand_dims(std, axis=-1)
    x3 += xp.expand_dims(mean, axis=-1)
    return _cast(xp, xp.reshape(x3, (rows, n_features)), y.dtype, out)


# -- numpy block kernels of the chunk engine -------------------------------------------
#: A row (group) whose squared mean exceeds this many variances has its statistics
#: recomputed by the exact two-pass :func:`group_moments` (the one-pass variance
#: ``E[x^2] - E[x]^2`` then loses about ``log2(1 + this)`` bits; well below that it is
#: as good as the two-pass one).
ONE_PASS_COND = 64.0


def rounded_once(call, x, out, kept=None):
    """``call(x, out, kept)``, a block kernel; a float16 block runs in float32.

    float16 holds too few bits for the kernels' intermediate steps (``x - mean``, the
    reciprocal of the norm, their product: each rounded to float16 would put the result
    up to 2 ulps off), so a float16 block is widened to float32, normalised there, and
    rounded to float16 once (``out`` and ``kept`` are written only then, so ``out`` may
    be ``x``).
    """
    if x.dtype != np.float16:
        return call(x, out, kept)
    wide = np.empty(x.shape, np.float32)
    wide_kept = None if kept is None else np.empty(kept.shape, np.float32)
    result = call(x.astype(np.float32), wide, wide_kept)
    with np.errstate(over="ignore"):  # beyond float16: inf, quietly
        np.copyto(out, wide, casting="same_kind")
        if kept is not None:
            np.copyto(kept, wide_kept, casting="same_kind")
    return result


def blockwise(kernel, x, *args):
    """``kernel(x[rows], *args, out=y[rows])`` on the chunk engine's row blocks of ``x``.

    ``x`` is a 2-D numpy array; ``y`` a new one like it. The estimators call the same
    kernels on the same blocks, so a function and its estimator give the same values.
    """
    out = np.empty_like(x)

    def one(start, stop):
        rounded_once(lambda a, o, _: kernel(a, *args, out=o), x[start:stop], out[start:stop])

    size = work_block_bytes(x.size, BLOCK_BYTES, x.itemsize)
    map_blocks(one, x.shape[0], x.shape[1] * x.itemsize, block_bytes=size)
    return out


#: A narrow block is widened to float64 this many bytes at a time (the scratch of a
#: thread): half of L2 (512 KiB slices cost 8-10 % more in numpy calls).
WIDE_BYTES = 1 << 20


def row_dots(x, n_groups=1, sums=True):
    """Float64 sums of squares and sums of each (row, group) of a numpy block.

    ``x`` of shape (n_rows, n_groups * M); a float32/float16 block is widened in slices of
    at most :data:`WIDE_BYTES` (the thread's reused scratch), so no float64 copy of the
    whole block is made. Returns ``(s2, total)``, each (n_rows, n_groups); ``total`` is
    None without ``sums``.
    """
    rows, n_features = x.shape
    m = n_features // n_groups
    ones = np.ones(m)
    if x.dtype == np.float64:
        w = x.reshape(rows, n_groups, m)
        return np.vecdot(w, w), (np.vecdot(w, ones) if sums else None)
    s2 = np.empty((rows, n_groups))
    total = np.empty((rows, n_groups)) if sums else None
    step = max(1, WIDE_BYTES // (8 * max(n_features, 1)))
    for start in range(0, rows, step):
        stop = min(start + step, rows)
        w = scratch((stop - start, n_features))
        np.copyto(w, x[start:stop])
        w = w.reshape(stop - start, n_groups, m)
        np.vecdot(w, w, out=s2[start:stop])
        if sums:
            np.vecdot(w, ones, out=total[start:stop])
    return s2, total


def one_pass_moments(x, n_groups):
    """Mean and biased variance of each (row, group) of a numpy block, in one pass.

    From float64 sums and sums of squares (per-row dot products: a fixed order of sums
    for each row); a row with a NaN has its NaN left out (zeroed and counted on a copy
    of that row). Returns ``mean, var, s2, count, ok, nonfinite``: ``count`` the values
    per group (a float, or an array where some row has a NaN), ``ok`` False where the
    one-pass variance cannot be trusted (below :data:`ONE_PASS_COND` times the squared
    mean, zero, NaN, or squares that overflowed), ``nonfinite`` whether the block holds
    a NaN or an infinity (or its squares overflow).
    """
    rows, n_features = x.shape
    m = n_features // n_groups
    ones = np.ones(m)
    s2, total = row_dots(x, n_groups)
    count = float(m)
    nonfinite = not np.isfinite(np.add.reduce(s2, axis=None))
    if nonfinite:  # NaN (missing) or infinity: sums of the rows with NaN without them
        nan_rows = np.flatnonzero(np.isnan(s2).any(axis=1))
        if len(nan_rows):  # a float64 copy: x itself is never written
            part = x[nan_rows].astype(np.float64, copy=False).reshape(len(nan_rows), n_groups, m)
            nan = np.isnan(part)
            np.copyto(part, 0.0, where=nan)
            s2[nan_rows], total[nan_rows] = np.vecdot(part, part), np.vecdot(part, ones)
            count = np.full(s2.shape, float(m))
            count[nan_rows] -= nan.sum(axis=-1)
    mean = total / count
    square = mean * mean
    var = s2 / count
    var -= square
    ok = var * ONE_PASS_COND > square  # False for NaN (no value), for var <= 0, and ...
    if nonfinite:  # ... for infinity: squares that overflowed
        ok &= np.isfinite(s2)
    return mean, var, s2, count, ok, nonfinite


@quiet
def group_norm_block(x, n_groups, eps, weight=None, bias=None, out=None, kept=None):
    """:func:`scale_groups` of :func:`group_moments` on a numpy block, fast where finite.

    Float64 statistics in one pass (sums and sums of squares, ``einsum``); a row with a
    group whose variance is small next to its squared mean (:data:`ONE_PASS_COND`) or
    zero, or with a NaN or an infinity, is recomputed by the exact, NaN-aware two-pass
    path, so a row's result depends on that row alone. The output is written once, in
    ``x``'s dtype: ``(x - hi) / std - lo / std`` with the float64 mean split as
    ``hi + lo`` in that dtype, so a float32 block needs no float64 output.

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_groups * M)
    n_groups : int
    eps : float
    weight, bias : float64 ndarray of shape (n_groups * M,) or None
    out : ndarray like ``x``
        Where the result goes (may be ``x``).
    kept : ndarray of shape (n_rows, 2 * n_groups) or None
        Where the means then the stds go, in ``out``'s dtype.

    Returns
    -------
    nonfinite : bool
        Whether some row holds a NaN or an infinity (or its squares overflow).
    """
    rows, n_features = x.shape
    m = n_features // n_groups
    mean, var, s2, _, ok, nonfinite = one_pass_moments(x, n_groups)
    if x.dtype != np.float64:  # ... and where ``x - mean`` or ``1 / std`` could overflow
        top = float(np.finfo(x.dtype).max)  # a narrow dtype
        ok &= (s2 <= (top / 2) ** 2) & (var + eps >= top**-2)
    exact = np.flatnonzero(~ok.all(axis=1)) if nonfinite or not ok.all() else ()
    std = np.sqrt(np.add(var, eps, out=var), out=var)
    if len(exact):  # before ``out``, which may be ``x``, is written
        d, mean_exact, var_exact, _, unit = scaled_moments(x[exact], n_groups, eps=eps)
        std_exact = group_std(var_exact, eps, unit)  # in units of ``unit``, as ``d``
        mean[exact], std[exact] = mean_exact, std_exact * unit
    dtype = x.dtype
    hi = mean.astype(dtype)[..., None]
    y = np.reshape(out, (rows, n_groups, m), copy=False)
    if dtype == np.float64:
        np.subtract(x.reshape(rows, n_groups, m), hi, out=y)
    else:  # narrow rows: a copy and an in-place step beat one two-input step
        np.copyto(out, x)
        np.subtract(y, hi, out=y)
    np.multiply(y, (1.0 / std).astype(dtype)[..., None], out=y)
    if dtype != np.float64:
        np.subtract(y, ((mean - hi[..., 0]) / std).astype(dtype)[..., None], out=y)
    if weight is not None:
        np.multiply(out, weight.astype(dtype), out=out)
    if bias is not None:
        np.add(out, bias.astype(dtype), out=out)
    if len(exact):
        out[exact] = scale_groups(d, std_exact, weight, bias, dtype)
    if kept is not None:
        np.copyto(kept[:, :n_groups], mean, casting="same_kind")
        np.copyto(kept[:, n_groups:], std, casting="same_kind")
    return nonfinite
