"""Moments of features whose squares leave float64's range, taken on rescaled values.

Values beyond about 1e154 square to infinity, values below about 1e-154 to subnormals
or 0: the sums of squares of such a feature overflow or lose their bits (and
differences of values near 1e308 overflow). Such a feature's moments are taken on
:math:`x / 2^e`, an exact scaling, with :math:`e` the exponent of its largest
:math:`|x|` (the scaled values lie within 1 in magnitude), and the summary keeps
:math:`e` per feature (``Stats.exp``): its ``m2`` is then in units of :math:`4^e`, its
``mean`` and ``mean_lo`` are not scaled. Merging and pooling summaries bring their
parts to a common exponent first (that of the largest mean or spread among them).

Ordinary data never comes here: its summaries are computed bit for bit as before, and
only a feature whose sums came out non-finite, or whose mean and spread are both below
:math:`2^{-450}`, is read again.
"""

import numpy as np
from scipy import sparse

#: A feature whose |mean| is below 2**-LIMIT and variance below 4**-LIMIT may have lost
#: squares to underflow (a feature with a larger value has a larger mean or spread).
LIMIT = 450
_NONE = -(1 << 20)  # the exponent of "no magnitude" (a feature of zeros or no values)


_MAX = float(np.finfo(np.float64).max)
_SMALL = 2.0**-LIMIT


def suspects(stats):
    """Features whose float64 moments may have overflowed or lost squares to underflow
    (a boolean mask, or None for none)."""
    # the common case in a few small steps: every |mean| and m2 finite (NaN propagates),
    # and for each feature one of them at least 2**-LIMIT (then its variance is at least
    # 2**-LIMIT / count, far above 4**-LIMIT)
    larger = np.maximum(np.abs(stats.mean), stats.m2)
    if larger.size and _SMALL <= np.minimum.reduce(larger) and np.maximum.reduce(larger) <= _MAX:
        return None  # none
    seen = (stats.count > 0) & ~stats.has_inf
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        var = stats.m2 / np.where(seen, stats.count, 1.0)
        over = ~(np.isfinite(stats.mean) & np.isfinite(stats.m2))
        under = (var < 4.0**-LIMIT) & (np.abs(stats.mean) < 2.0**-LIMIT)
    return seen & (over | under)


def rescue(stats, X, sample_weight, moments_of):
    """``stats`` with the moments of its :func:`suspects` taken again on rescaled values.

    ``moments_of(X, sample_weight)`` summarises the moments of a float64 block (never
    called when no feature is suspect). ``stats`` is updated and returned.
    """
    mask = None if stats.mean is None else suspects(stats)
    if mask is None or not mask.any():
        return stats
    cols = np.flatnonzero(mask)
    exps = np.frexp(_largest_magnitudes(X, cols))[1].astype(np.int64)  # 0 for all zeros
    cols, exps = cols[exps != 0], exps[exps != 0]  # unscaled: nothing to gain
    if not cols.size:
        return stats
    part = moments_of(_scaled_columns(X, cols, exps), sample_weight)
    stats.exp = np.zeros(stats.count.shape, np.int64) if stats.exp is None else stats.exp
    stats.mean_lo = np.zeros_like(stats.mean) if stats.mean_lo is None else stats.mean_lo
    with np.errstate(under="ignore"):
        stats.mean[cols] = np.ldexp(part.mean, exps)
        stats.mean_lo[cols] = np.ldexp(_lo(part), exps)
    stats.m2[cols], stats.count[cols], stats.exp[cols] = part.m2, part.count, exps
    return stats


def _lo(stats):
    return np.zeros_like(stats.mean) if stats.mean_lo is None else stats.mean_lo


def _largest_magnitudes(X, cols):
    """Largest :math:`|x|` of the non-NaN values of the columns ``cols`` of ``X``."""
    if sparse.issparse(X):
        sub = sparse.csr_array(X)[:, cols].tocoo()
        sub.sum_duplicates()  # a cell is the sum of its stored entries
        top = np.zeros(cols.size)
        np.fmax.at(top, sub.col, np.abs(sub.data).astype(np.float64))
        return top
    return np.fmax.reduce(np.abs(np.asarray(X)[:, cols]), axis=0).astype(np.float64)


def _scaled_columns(X, cols, exps):
    """The columns ``cols`` of ``X`` divided by ``2**exps`` (exact), as float64."""
    if sparse.issparse(X):
        sub = sparse.csr_array(X)[:, cols].tocoo().astype(np.float64)
        sub.sum_duplicates()
        with np.errstate(under="ignore"):
            sub.data = np.ldexp(sub.data, -exps[sub.col])
        return sub.tocsr()
    with np.errstate(under="ignore"):
        return np.ldexp(np.asarray(X)[:, cols].astype(np.float64), -exps)


def overflowed(stats):
    """Whether a merged or pooled summary lost a feature's moments to overflow."""
    if stats.mean is None or (np.isfinite(stats.m2).all() and np.isfinite(stats.mean).all()):
        return False
    seen = (stats.count > 0) & ~stats.has_inf
    return not (np.isfinite(stats.m2[seen]).all() and np.isfinite(stats.mean[seen]).all())


def _magnitude(stats):
    """Per feature, the binary exponent of the larger of its |mean| and its spread."""
    exp = 0 if stats.exp is None else stats.exp
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        mean = np.where(np.isfinite(stats.mean), np.abs(stats.mean), 0.0)
        m2 = np.where(np.isfinite(stats.m2), stats.m2, 0.0)
    of_mean = np.where(mean > 0, np.frexp(mean)[1], _NONE)
    of_spread = np.where(m2 > 0, exp + (np.frexp(m2)[1] + 1) // 2, _NONE)
    return np.maximum(of_mean, of_spread).astype(np.int64)


def common_exponent(parts, group=1):
    """Per feature (per group of ``group`` consecutive features), an exponent above the
    magnitude of every part, 0 where no part has one."""
    top = np.max([_magnitude(part) for part in parts], axis=0)
    if group > 1:
        top = np.repeat(top.reshape(-1, group).max(axis=1), group)
    return np.where(top == _NONE, 0, top + 1)


def in_units(stats, exps):
    """A copy of ``stats`` whose moments are those of :math:`x / 2^e`, ``e = exps``."""
    out = type(stats)(**vars(stats))
    own = 0 if stats.exp is None else stats.exp
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        out.mean = np.ldexp(stats.mean, -exps)
        out.mean_lo = np.ldexp(_lo(stats), -exps)
        out.m2 = np.ldexp(stats.m2, 2 * (own - exps))
    out.exp = None
    return out


def from_units(stats, exps):
    """``stats`` (moments of :math:`x / 2^e`) with the mean unscaled and ``exp`` set."""
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        stats.mean = np.ldexp(stats.mean, exps)
        stats.mean_lo = np.ldexp(_lo(stats), exps)
    stats.exp = exps
    return stats
