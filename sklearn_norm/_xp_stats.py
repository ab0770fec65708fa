"""Statistics of an Array API array, computed on its own device.

:func:`stats_of` is :meth:`Stats.of <sklearn_norm._stats.Stats.of>` for torch, cupy,
array-api-strict … arrays. A CPU torch tensor is summarised by ``Stats.of`` itself, on
a numpy view of its memory (blocks and threads: 2-7 times faster than torch's own
column reductions, which are not vectorised across rows); elsewhere each block of rows
is summarised on the array's device in
the widest float it has (float64 where available), and only the per-feature summary
(a few vectors of ``n_features`` values) travels to the host, as a float64
:class:`~sklearn_norm._stats.Stats` that merges with any other exactly as usual: the
mean and its rounding correction come back as two vectors, joined on the host into the
two-part mean (``mean``, ``mean_lo``) that the numpy path carries.
"""

import numpy as np

from ._merge import merge
from ._stats import MOMENTS, RANGE, Stats, _two_sum
from ._xp import device, get_namespace, host_view, to_numpy, widest_float

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
    view = host_view(X)
    if view is not None:  # a CPU tensor: the numpy engine on its memory (2-7x torch's)
        weights = None if sample_weight is None else host_view(sample_weight)
        return Stats.of(view, weights, need)
    if sample_weight is None and _native_exact(X):
        return _native(X, need)
    return _blockwise(X, sample_weight, need)


def _blockwise(X, sample_weight, need):
    """The NaN-aware summary, block by block, in the widest float of the device."""
    n_rows, n_features = X.shape
    step = max(1, BLOCK_ELEMENTS // max(n_features, 1))
    total = None
    for start in range(0, n_rows, step):
        stop = min(start + step, n_rows)  # in bounds: the standard leaves the rest undefined
        w = None if sample_weight is None else sample_weight[start:stop]
        with np.errstate(all="ignore"):  # inf - inf on numpy-backed arrays: refused later
            part = _of_block(X[start:stop, ...], w, need)
        total = part if total is None else merge(total, part)
    return total


def _native_exact(X):
    """Whether torch's own reductions of ``X`` accumulate in float64.

    torch's CPU ``var_mean`` is Welford's method in double for every floating dtype
    (``aten/src/ATen/native/cpu/ReduceOpsKernel.cpp``, ``std_var_kernel_impl``:
    ``WelfordOps<scalar_t, double, ...>``); on CUDA it accumulates float32 in float32
    (``acc_type<float, true>``), so only float64 tensors qualify there. ``aminmax``
    is exact in any dtype.
    """
    module = type(X).__module__.split(".")[0]
    if module != "torch":
        return False
    import torch

    return X.dtype == torch.float64 or (X.dtype == torch.float32 and X.device.type == "cpu")


def _native(X, need):
    r"""The summary from torch's own one-pass reductions, NaN-aware by redoing columns.

    ``torch.var_mean`` (moments) and ``torch.aminmax`` (range) read ``X`` once each and
    propagate NaN and infinities: a column whose result is not finite is summarised
    again, alone, by the NaN-aware path (which also finds its infinities). Clean data
    costs no extra pass; the per-feature results cross to the host once.

    .. math:: \bar x_j = \frac{1}{n}\sum_i x_{ij}, \qquad
              M_{2,j} = \sum_i (x_{ij} - \bar x_j)^2 = n \operatorname{var}_j
    """
    import torch

    n_rows, n_features = X.shape
    parts = []
    if MOMENTS in need:
        var, mean = torch.var_mean(X, 0, correction=0)
        parts += [mean, var]
    if RANGE in need:
        parts += list(torch.aminmax(X, dim=0))
    host = _host(torch.stack(parts))
    stats = Stats(float(n_rows), np.full(n_features, float(n_rows)))
    stats.has_inf = np.zeros(n_features, dtype=bool)
    if MOMENTS in need:
        stats.mean, stats.mean_lo, stats.m2 = host[0], np.zeros(n_features), host[1] * n_rows
    if RANGE in need:
        stats.min, stats.max = host[-2], host[-1]
    bad = np.flatnonzero(~np.isfinite(host).all(axis=0))
    if bad.size:
        index = torch.as_tensor(bad, device=X.device)
        redone = _blockwise(torch.index_select(X, 1, index), None, need)
        for name in ("count", "mean", "mean_lo", "m2", "min", "max", "has_inf"):
            if getattr(stats, name) is not None:
                getattr(stats, name)[bad] = getattr(redone, name)
    return stats


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
