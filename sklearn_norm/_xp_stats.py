"""Statistics of an Array API array, computed on its own device.

:func:`stats_of` is :meth:`Stats.of <sklearn_norm._stats.Stats.of>` for torch, cupy,
array-api-strict … arrays: each block of rows is summarised on the array's device in
the widest float it has (float64 where available), and only the per-feature summary
(a few vectors of ``n_features`` values) travels to the host, as a float64
:class:`~sklearn_norm._stats.Stats` that merges with any other exactly as usual: the
mean and its rounding correction come back as two vectors, joined on the host into the
two-part mean (``mean``, ``mean_lo``) that the numpy path carries.
"""

import numpy as np

from ._stats import MOMENTS, RANGE, Stats, _two_sum, merge
from ._xp import device, get_namespace, to_numpy, widest_float

#: Elements of one block of rows summarised at once (bounds the device temporaries).
BLOCK_ELEMENTS = 1 << 24


def stats_of(X, sample_weight=None, need=(MOMENTS, RANGE)):
    """Summarise the rows of an Array API array ``X``, block by block, on its device.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Any Array API array of a floating dtype.
    sample_weight : array of shape (n_samples,) or None
        Frequency weights, in ``X``'s namespace and device.
    need : tuple
        Which statistics to compute (``MOMENTS``, ``RANGE``).

    Returns
    -------
    stats : Stats
        float64 numpy summary, equal to ``Stats.of`` of the same data.
    """
    n_rows, n_features = X.shape
    if n_rows == 0:
        return Stats.empty(n_features, need)
    step = max(1, BLOCK_ELEMENTS // max(n_features, 1))
    total = None
    for start in range(0, n_rows, step):
        stop = min(start + step, n_rows)  # in bounds: the standard leaves the rest undefined
        w = None if sample_weight is None else sample_weight[start:stop]
        with np.errstate(all="ignore"):  # inf - inf on numpy-backed arrays: refused later
            part = _of_block(X[start:stop, ...], w, need)
        total = part if total is None else merge(total, part)
    return total


def _of_block(X, w, need):
    xp = get_namespace(X)
    dev = device(X)
    acc = widest_float(xp, dev)
    X = xp.astype(X, acc)
    w = None if w is None else xp.reshape(xp.astype(w, acc), (-1, 1))
    n_rows = float(X.shape[0] if w is None else to_numpy(xp.sum(w)))
    nan = xp.isnan(X)
    some_nan = bool(xp.any(nan))
    stats = Stats(n_rows, np.full(X.shape[1], n_rows))
    stats.has_inf = to_numpy(xp.any(xp.isinf(X), axis=0)).astype(bool)
    if some_nan:
        valid = xp.astype(~nan, acc)
        weights = valid if w is None else valid * w
        stats.count = _host(xp.sum(weights, axis=0))
        X = xp.where(nan, xp.zeros_like(X), X)
    else:
        weights = w
    if MOMENTS in need:
        count = xp.asarray(stats.count, dtype=acc, device=dev)
        safe = xp.where(count > 0, count, xp.ones_like(count))
        mean = _wsum(xp, X, weights) / safe
        diff = X - mean
        if some_nan:
            diff = xp.where(nan, xp.zeros_like(diff), diff)
        m2 = _wsum(xp, diff * diff, weights)
        resid = _wsum(xp, diff, weights)
        correction = resid / safe  # corrected two-pass (Chan, Golub & LeVeque)
        # the two-part mean of the numpy path, formed on the host from the two vectors
        hi, stats.mean_lo = _two_sum(_host(mean), _host(correction))
        stats.mean = np.where(stats.count > 0, hi, np.nan)
        stats.m2 = np.maximum(_host(m2 - resid * correction), 0.0)
    if RANGE in need:
        seen = _host(xp.sum(xp.astype(~nan, acc), axis=0)) > 0
        inf = xp.asarray(float("inf"), dtype=acc, device=dev)
        low = xp.min(xp.where(nan, inf, X), axis=0) if some_nan else xp.min(X, axis=0)
        high = xp.max(xp.where(nan, -inf, X), axis=0) if some_nan else xp.max(X, axis=0)
        stats.min = np.where(seen, _host(low), np.nan)
        stats.max = np.where(seen, _host(high), np.nan)
    return stats


def _wsum(xp, values, weights):
    return xp.sum(values if weights is None else values * weights, axis=0)


def _host(x):
    return np.asarray(to_numpy(x), dtype=np.float64)


def column_min(X):
    """The NaN-ignoring minimum of each column of an Array API array, as numpy float64."""
    return stats_of(X, need=(RANGE,)).min
