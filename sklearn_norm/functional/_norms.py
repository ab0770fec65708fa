"""Row norms and unit-norm scaling (l1, l2, max), dense, sparse and per numpy block.

:func:`row_norms` and :func:`divide_rows` (and their sparse twins) scale rows to unit
norm; norms are float64 and NaN-aware, and rows whose squares over- or underflow are
rescaled instead of losing their direction.
"""

import numpy as np

from .._chunks import scratch
from . import _ops
from ._arrays import _all, _cast, _to64, quiet
from ._rows import _TINY, row_dots

_NORMS = ("l1", "l2", "max")
#: No bad rows.
_NONE = np.empty(0, dtype=np.intp)


def check_norm(norm):
    """Raise a ValueError unless ``norm`` is "l1", "l2" or "max"."""
    if norm not in _NORMS:
        raise ValueError(f"norm must be one of 'l1', 'l2', 'max', got norm={norm!r}.")


@quiet
def row_norms(x, norm="l2", axis=-1):
    """The l1, l2 or max norm along ``axis`` of the non-NaN values, float64, keeping dims.

    0 where there is no non-NaN value. The l2 norm of huge values is rescaled by the
    largest one instead of overflowing.
    """
    xp = _ops.get_namespace(x)
    a = xp.abs(_to64(xp, x))
    if a.shape[axis] == 0:  # no value: norm 0
        return xp.sum(a, axis=axis, keepdims=True)
    if norm == "max":
        if not _all(xp, ~xp.isnan(a)):
            a = xp.where(xp.isnan(a), 0.0, a)
        return xp.max(a, axis=axis, keepdims=True)
    r = xp.sum(a if norm == "l1" else a * a, axis=axis, keepdims=True)
    if not _all(xp, ~xp.isnan(r)):
        a = xp.where(xp.isnan(a), 0.0, a)
        r = xp.sum(a if norm == "l1" else a * a, axis=axis, keepdims=True)
    if norm == "l1":
        return r
    r = xp.sqrt(r)
    if not _all(xp, ~xp.isinf(r) & ~(r < _TINY)):  # squares over/underflowed: rescale
        top = xp.max(a, axis=axis, keepdims=True)
        safe = xp.where((top > 0.0) & xp.isfinite(top), top, 1.0)
        scaled = xp.sqrt(xp.sum((a / safe) ** 2, axis=axis, keepdims=True)) * safe
        r = xp.where(xp.isfinite(top), scaled, r)
    return r


@quiet
def divide_rows(x, norms, out=None, norm=None, axis=-1):
    """``x / norms`` in ``x``'s dtype, dividing by 1 where the norm is 0.

    With ``norm`` (the kind of ``norms``), a finite row whose norm exceeds float64 (inf)
    is divided by the norm of the row scaled by 2**-64, so its direction is kept.
    """
    xp = _ops.get_namespace(x)
    safe = xp.where(norms == 0.0, 1.0, norms)
    if norm is not None and not _all(xp, ~xp.isinf(norms)):
        x64 = _to64(xp, x)
        small = x64 * 2.0**-64
        small /= xp.where(xp.isinf(norms), row_norms(small, norm, axis), safe * 2.0**-64)
        return _cast(xp, xp.where(xp.isinf(norms), small, x64 / safe), x.dtype, out)
    if out is not None or xp is np:
        y = np.divide(x, safe, out=out, casting="same_kind")
        return y if out is not None else y.astype(x.dtype, copy=False)
    return xp.astype(_to64(xp, x) / safe, x.dtype)


@quiet
def sparse_row_norms(X, norm="l2"):
    """Row norms of a CSR matrix's non-NaN stored values, float64 of shape (n_rows,)."""
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    a = np.abs(X.data.astype(np.float64))
    a[np.isnan(a)] = 0.0
    if norm == "max":
        r = np.zeros(X.shape[0])
        np.maximum.at(r, rows, a)
        return r
    if norm == "l1":
        return np.bincount(rows, a, minlength=X.shape[0])
    top = np.zeros(X.shape[0])
    np.maximum.at(top, rows, a)
    safe = np.where((top > 0.0) & np.isfinite(top), top, 1.0)
    scaled = a / safe[rows]
    return np.sqrt(np.bincount(rows, scaled * scaled, minlength=X.shape[0])) * safe


def divide_sparse_rows(X, norms, norm=None):
    """Divide the stored values of the CSR matrix ``X`` by their row's norm, in place.

    With ``norm`` (the kind of ``norms``), a row whose norm exceeds float64 (inf) is
    scaled by 2**-64 first and divided by its norm then, so its direction is kept.
    """
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    huge = np.isinf(norms)
    if norm is not None and huge.any():
        X.data[huge[rows]] *= 2.0**-64
        norms = np.where(huge, sparse_row_norms(X, norm), norms)
    safe = np.where(norms == 0.0, 1.0, norms)
    np.divide(X.data, safe[rows], out=X.data, casting="same_kind")
    return X


@quiet
def unit_norm_block(x, norm, out, kept=None):
    """:func:`divide_rows` by :func:`row_norms` on a numpy block, fast where finite.

    Float64 sums; a row with a NaN or an infinity, or whose squares overflow, takes the
    NaN-aware, rescaling :func:`row_norms`, so a row's result depends on that row alone.

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_features)
    norm : {"l1", "l2", "max"}
    out : ndarray like ``x``
        Where the result goes (may be ``x``).
    kept : ndarray of shape (n_rows, 1) or None
        Where the norms go, in ``out``'s dtype.

    Returns
    -------
    nonfinite : bool
        Whether some row holds a NaN or an infinity (or its squares overflow).
    """
    if x.shape[1] == 0:  # rows without values: nothing to divide
        if kept is not None:
            kept[:] = 0.0
        return False
    wide = None if x.dtype == np.float64 else np.float64
    # x is read from memory once: into ``out``, where the rest works in cache (float32
    # UnitNorm transform of 1e6 x 50: 0.100-0.150 s -> 0.092-0.126 s; float64 the same)
    src = x
    if out is not x:
        np.copyto(out, x)
        src = out
    if norm == "l2":
        norms = np.sqrt(row_dots(src, sums=False)[0][:, 0])
    else:
        a = np.abs(src, out=scratch(x.shape, x.dtype))
        reduce = np.add.reduce if norm == "l1" else np.maximum.reduce
        norms = reduce(a, axis=1, dtype=wide)
    # non-finite rows, and norms beyond a narrow dtype's range (float16 rows of 6e4s)
    # or below its normal range (float16 rows of 1e-7s: the rounded norm would be off),
    # which are divided in float64:
    info = np.finfo(x.dtype)
    if norms.size and norms.min() >= max(_TINY, info.tiny) and norms.max() <= info.max:
        bad = _NONE  # every norm positive, normal, finite (two reductions): the usual block
        safe = norms
    else:
        bad = ~(norms <= info.max)
        if wide is not None:
            bad |= (norms > 0.0) & (norms < info.tiny)
        if norm == "l2":  # and rows whose squares underflowed
            small = np.flatnonzero(norms < _TINY)
            bad[small[np.any(x[small], axis=1)]] = True
        bad = np.flatnonzero(bad)
        if bad.size:  # ``x`` as given: ``out`` (which may be ``x``) is not yet divided
            rough = x[bad]
            norms[bad] = row_norms(rough, norm)[:, 0]
        safe = np.where(norms == 0.0, 1.0, norms)
    np.divide(src, safe.astype(x.dtype, copy=False)[:, None], out=out)
    if bad.size:
        out[bad] = divide_rows(rough, norms[bad, None], norm=norm)
    if kept is not None:
        np.copyto(kept[:, 0], norms, casting="same_kind")
    return bool(bad.size)
