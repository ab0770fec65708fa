"""Exact merges of :class:`~._stats.Stats`: two summaries, many, or the features of a channel.

Chan, Golub & LeVeque's pairwise update on ``mean + mean_lo`` pairs, so summaries of
chunks, threads and dask blocks combine into the summary of one pass; features rescaled
by a power of two (``_stats_scaled``) are combined at a common one.
"""

import numpy as np

from . import _stats, _stats_scaled


def _mean_pair(stats):
    """``(mean, mean_lo)`` with 0 where no value was seen."""
    seen = stats.count > 0
    lo = 0.0 if stats.mean_lo is None else stats.mean_lo
    return np.where(seen, stats.mean, 0.0), np.where(seen, lo, 0.0)


def merge(a, b):
    """Combine two summaries of disjoint row sets into the summary of their union.

    Chan, Golub & LeVeque (1979): with ``n = n_a + n_b`` and ``d = mean_b - mean_a``,
    ``mean = mean_a + d n_b / n`` and ``m2 = m2_a + m2_b + d^2 n_a n_b / n``. The means
    are carried as ``mean + mean_lo`` pairs, so ``d`` is exact even when the means are
    large and close. Summaries of rescaled features, and sums that overflow, are
    merged at a common power of two (``_stats_scaled``).
    """
    if a.exp is None and b.exp is None:
        out = _merge(a, b)
        if not _stats_scaled.overflowed(out):
            return out
    if a.mean is None:
        return out
    exps = _stats_scaled.common_exponent((a, b))
    units = (_stats_scaled.in_units(part, exps) for part in (a, b))
    return _stats_scaled.from_units(_merge(*units), exps)


@np.errstate(over="ignore", invalid="ignore")  # huge values: see reject_overflow
def _merge(a, b):
    count = a.count + b.count
    out = _stats.Stats(a.n_rows + b.n_rows, count, has_inf=a.has_inf | b.has_inf)
    if a.mean is not None:
        mean_a, lo_a = _mean_pair(a)
        mean_b, lo_b = _mean_pair(b)
        delta = (mean_b - mean_a) + (lo_b - lo_a)
        share_b = np.divide(b.count, count, out=np.zeros_like(count), where=count > 0)
        hi, lo = _stats._two_sum(mean_a, lo_a + delta * share_b)
        seen_a = a.count > 0
        out.mean = np.where(count > 0, np.where(seen_a, hi, mean_b), np.nan)
        out.mean_lo = np.where(count > 0, np.where(seen_a, lo, lo_b), 0.0)
        out.m2 = a.m2 + b.m2 + delta * delta * a.count * share_b
    if a.min is not None:
        out.min = np.fmin(a.min, b.min)
        out.max = np.fmax(a.max, b.max)
    return out


def merge_all(parts):
    """The summary of the union of many disjoint summaries, pooled in one step.

    The same statistics as :func:`merge` applied in order (to rounding), in a few
    vectorised operations: each feature's parts are pooled as :func:`pool_channels`
    pools the features of a channel.
    """
    if len(parts) == 1:
        return parts[0]
    flat = _stats.Stats(float(sum(part.n_rows for part in parts)), parts[0].count)
    for name in ("count", "mean", "m2", "min", "max", "has_inf", "mean_lo", "exp"):
        values = [getattr(part, name) for part in parts]
        zero = {"mean_lo": 0.0, "exp": 0}.get(name)  # None counts as this
        if zero is not None and not (name == "exp" and all(v is None for v in values)):
            values = [np.full(p.count.shape, zero) if v is None else v
                      for p, v in zip(parts, values)]  # fmt: skip
        if values[0] is not None:  # each feature's parts side by side
            setattr(flat, name, np.stack(values, axis=1).reshape(-1))
    return pool_channels(flat, parts[0].count.size)


def pool_channels(stats, n_channels):
    """Pool per-feature statistics into per-channel ones, exactly.

    Features are grouped channels-first: feature ``f`` belongs to channel
    ``f // (n_features // n_channels)``. With per-feature counts :math:`n_f`, means
    :math:`\\mu_f` and :math:`m2_f`, a channel has :math:`n = \\sum n_f`,
    :math:`\\mu = \\sum n_f \\mu_f / n` and :math:`m2 = \\sum m2_f + n_f (\\mu_f - \\mu)^2`.
    Rescaled features, and sums that overflow, are pooled at a common power of two
    per channel (``_stats_scaled``).
    """
    if stats.exp is None:
        out = _pool_channels(stats, n_channels)
        if not _stats_scaled.overflowed(out):
            return out
    if stats.mean is None:
        return out
    group = stats.count.size // n_channels
    exps = _stats_scaled.common_exponent((stats,), group)
    pooled = _pool_channels(_stats_scaled.in_units(stats, exps), n_channels)
    return _stats_scaled.from_units(pooled, exps[::group] if group else exps[:0])


@np.errstate(over="ignore", invalid="ignore")  # huge values: see reject_overflow
def _pool_channels(stats, n_channels):

    def grouped(a):
        return None if a is None else a.reshape(n_channels, -1)

    count = grouped(stats.count)
    total = count.sum(axis=1)
    out = _stats.Stats(stats.n_rows, total, has_inf=grouped(stats.has_inf).any(axis=1))
    if stats.mean is not None:
        means, lows = (grouped(part) for part in _mean_pair(stats))
        mean = _stats._safe_mean((count * means).sum(axis=1), total)
        centre = np.where(total > 0, mean, 0.0)[:, None]
        # the rounding of the pooled mean, from the exact per-feature means
        resid = (count * ((means - centre) + lows)).sum(axis=1)
        seen = total > 0
        hi, lo = _stats._two_sum(centre[:, 0], _stats._safe_mean(resid, total, 0.0))
        devs = (means - hi[:, None]) + (lows - lo[:, None])  # finite: 0 where nothing seen
        out.mean = np.where(seen, hi, np.nan)
        out.mean_lo = np.where(seen, lo, 0.0)
        out.m2 = (grouped(stats.m2) + count * devs**2).sum(axis=1)
    if stats.min is not None:
        out.min = np.fmin.reduce(grouped(stats.min), axis=1)
        out.max = np.fmax.reduce(grouped(stats.max), axis=1)
    return out
