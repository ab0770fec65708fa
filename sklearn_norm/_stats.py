"""Mergeable per-feature statistics: the core every column-wise scaler learns from.

One :class:`Stats` summarises a chunk of rows: weighted count, mean and sum of squared
deviations (``m2``) of the non-NaN values, their minimum and maximum, and which columns
hold an infinity. ``Stats.of`` summarises one chunk, ``merge`` combines two summaries
exactly (Chan, Golub & LeVeque's pairwise update, :mod:`._merge`), so fitting in one pass, in chunks
(``partial_fit``), on threads or on dask blocks all give the same result.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from . import _chunks, _merge, _stats_scaled
from ._chunks import colreduce, colwise, fold, map_items, row_blocks, scratch
from ._validation import inf_columns

MOMENTS = "moments"
RANGE = "range"
#: A block's shifted sums are kept when the sum of squared deviations from the shift is at
#: most this many times ``m2`` (at most 4 bits cancel); else the block takes two passes.
SHIFT_CANCELLATION = 16.0
#: Blocks whose shift is beyond this take two passes (their sums may overflow, as
#: ``reject_overflow`` expects); ``functional._rows`` rescales groups of rows beyond it.
HUGE = 2.0**500
_SMALL, _MAX = 2.0**-_stats_scaled.LIMIT, float(np.finfo(np.float64).max)


@dataclass
class Stats:
    """Per-feature summary of a set of rows, all arrays float64 of shape (n_features,).

    Attributes
    ----------
    n_rows : float
        Number of rows seen (sum of the sample weights when weighted).
    count : ndarray
        Weighted number of non-NaN values per feature.
    mean, m2 : ndarray or None
        Mean and sum of weighted squared deviations from it (``None`` unless moments
        were asked for). ``m2 / (count - ddof)`` is the variance.
    min, max : ndarray or None
        Smallest and largest non-NaN value (``None`` unless the range was asked for).
    has_inf : ndarray of bool
        Whether the feature held an infinite value.
    mean_lo : ndarray or None
        Low-order part of the mean (``None``: 0): ``mean + mean_lo`` is exact to about
        float64 precision squared, so merging summaries of ``1e9 ± 1e-3`` loses nothing.
    exp : ndarray of int or None
        Per feature, the power of two :math:`e` of a feature whose squares leave
        float64's range (``_stats_scaled``): its ``m2`` is that of :math:`x / 2^e`, in
        units of :math:`4^e` (``mean`` and ``mean_lo`` are not scaled); ``None`` counts
        as 0.
    """

    n_rows: float
    count: np.ndarray
    mean: np.ndarray | None = None
    m2: np.ndarray | None = None
    min: np.ndarray | None = None
    max: np.ndarray | None = None
    has_inf: np.ndarray | None = None
    mean_lo: np.ndarray | None = None
    exp: np.ndarray | None = None

    @classmethod
    def of(cls, X, sample_weight=None, need=(MOMENTS, RANGE), rescaled=True):
        """Summarise the rows of ``X`` (dense or scipy sparse), in cache-sized blocks.

        Blocks run on the thread pool and merge in block order, so the result does not
        depend on the number of threads. Unweighted moments take one pass per block over
        the deviations from its first row (:func:`_shifted_sums`, on the threads), judged
        for all blocks at once (:func:`_from_shifted`); others take two passes
        (:func:`_of_dense`). With ``rescaled``, features whose squares overflow or
        underflow float64 are summarised again on exactly rescaled values
        (``_stats_scaled``).
        """
        if sparse.issparse(X):
            stats = _of_sparse(sparse.csr_array(X), sample_weight, need)
        else:
            X = np.asarray(X)
            n_rows, n_features = X.shape
            if n_rows == 0:
                return cls.empty(n_features, need)
            # moments work on a float64 copy of the block: its size is what the block bounds
            size = _chunks.FIT_BLOCK_BYTES  # the least block size: small data is one block
            if X.nbytes > size * X.itemsize // 8:
                size = _chunks.work_block_bytes(X.size, size)
            size = max(1, size * X.itemsize // 8) if MOMENTS in need else size
            moments_only = sample_weight is None and tuple(need) == (MOMENTS,)
            k = fold(n_features) if moments_only else 1
            blocks = [(0, n_rows)]  # one block: no pool, nothing to merge
            if X.nbytes > size:
                blocks = row_blocks(n_rows, n_features * X.itemsize, k, block_bytes=size)
            w = sample_weight
            if moments_only:  # the threads only sum, the vector work runs once for all
                if len(blocks) == 1:
                    sums = [_shifted_sums(X, k)]
                else:
                    sums = map_items(lambda b: _shifted_sums(X[slice(*b)], k), blocks, X.nbytes)
                parts = _from_shifted(X, blocks, sums, need)
            elif len(blocks) == 1:
                parts = [_of_dense(X, w, need)]
            else:
                parts = map_items(
                    lambda b: _of_dense(X[slice(*b)], None if w is None else w[slice(*b)], need),
                    blocks,
                    X.nbytes,
                )
            stats = parts[0] if len(parts) == 1 else _merge.merge_all(parts)
        if stats.mean is None or not rescaled:
            return stats
        # ordinary data in a few steps: every |mean| and m2 finite, for each feature one
        # of them at least 2**-LIMIT (then no square was lost to underflow)
        with np.errstate(invalid="ignore"):
            larger = np.maximum(np.abs(stats.mean), stats.m2)
        if larger.size and _SMALL <= larger.min() and larger.max() <= _MAX:
            return stats
        return _stats_scaled.rescue(
            stats, X, sample_weight, lambda Y, w: cls.of(Y, w, (MOMENTS,), rescaled=False)
        )

    @classmethod
    def empty(cls, n_features, need=(MOMENTS, RANGE)):
        """The summary of no rows: the identity of :func:`merge`."""
        stats = cls(0.0, np.zeros(n_features), has_inf=np.zeros(n_features, dtype=bool))
        if MOMENTS in need:
            stats.mean, stats.m2 = np.full(n_features, np.nan), np.zeros(n_features)
            stats.mean_lo = np.zeros(n_features)
        if RANGE in need:
            stats.min, stats.max = np.full(n_features, np.nan), np.full(n_features, np.nan)
        return stats

    def variance(self, ddof=0):
        """``m2 / (count - ddof)``, 0 where fewer than ``ddof + 1`` values were seen
        (infinite where the variance itself is beyond float64)."""
        scaled = self.variance_in_units(ddof)
        if self.exp is None:
            return scaled
        with np.errstate(over="ignore", under="ignore"):
            return np.ldexp(scaled, 2 * self.exp)

    def std(self, ddof=0):
        """The square root of :meth:`variance`, finite where the variance is not."""
        root = np.sqrt(self.variance_in_units(ddof))
        if self.exp is None:
            return root
        with np.errstate(over="ignore", under="ignore"):
            return np.ldexp(root, self.exp)

    def variance_in_units(self, ddof=0):
        """:meth:`variance` in units of ``4**exp`` (see ``exp``)."""
        dof = self.count - ddof
        return np.divide(self.m2, dof, out=np.zeros_like(self.m2), where=dof > 0)

    def mean_in_units(self):
        """``mean`` in units of ``2**exp`` (see ``exp``)."""
        if self.exp is None:
            return self.mean
        with np.errstate(under="ignore"):
            return np.ldexp(self.mean, -self.exp)


def _safe_mean(total, count, fill=np.nan):
    """``total / count``, ``fill`` where nothing was counted (no warning)."""
    return np.divide(total, count, out=np.full_like(total, fill), where=count > 0)


@np.errstate(over="ignore", invalid="ignore")  # huge values: see reject_overflow
def _of_dense(X, w, need, shifted=True):
    """Summary of one block of rows (sums, minima and maxima on folded rows); moments in
    one pass over deviations from a shift where exact enough (and ``shifted``), else two."""
    n_features = X.shape[1]
    k = fold(n_features) if w is None else 1
    stats = None
    if MOMENTS in need and w is None and shifted:
        stats = _from_shifted(X, [(0, X.shape[0])], [_shifted_sums(X, k)], (MOMENTS,))[0]
    if stats is None:
        n_rows = float(X.shape[0] if w is None else w.sum())
        has_inf = np.zeros(n_features, dtype=bool)
        stats = Stats(n_rows, np.full(n_features, n_rows), has_inf=has_inf)
        if MOMENTS in need:  # weighted sums: their rounding grows with the shift
            _two_pass_moments(stats, X, w, k)
    if RANGE in need:
        stats.min = colreduce(np.fmin, X, k).astype(np.float64, copy=False)
        stats.max = colreduce(np.fmax, X, k).astype(np.float64, copy=False)
        stats.has_inf |= np.isinf(stats.min) | np.isinf(stats.max)
        if MOMENTS not in need and np.isnan(stats.min).any():
            stats.count = _wsum((~np.isnan(X)).astype(np.float64), w, 1)
    return stats


@np.errstate(over="ignore", invalid="ignore")  # huge values: see reject_overflow
def _shifted_sums(X, k):
    """``(s, sum d, sum d^2, missing)`` per column of a block, :math:`d = x - s`, one pass.

    The shift :math:`s` is the block's first row as float64, 0 where not finite. The
    deviations go into the thread's float64 scratch block and are summed on rows folded
    by ``k`` (``k`` rows viewed as one long row: few numpy calls per block, each one
    releases the GIL and takes it again; the partial sums of the ``k`` row positions are
    added in a fixed order, as :func:`~._chunks.colreduce` does). NaN deviations are
    zeroed and counted per column in ``missing`` (None when the block has none); an
    infinity leaves the sums non-finite, and the block is refused.
    """
    rows, cols = X.shape
    shift = np.asarray(X[0], dtype=np.float64)
    shift = np.where(np.isfinite(shift), shift, 0.0)
    diff = scratch(X.shape)
    src = X
    if X.dtype != np.float64:  # widen first: a mixed-dtype ufunc is slow
        np.copyto(diff, X)
        src = diff
    main = rows - rows % k if k > 1 else 0  # the folded rows (the scratch is C-contiguous)
    wide = diff[:main].reshape(-1, k * cols)
    if main and src.flags.c_contiguous:
        np.subtract(src[:main].reshape(-1, k * cols), np.tile(shift, k), out=wide)
        np.subtract(src[main:], shift, out=diff[main:])
    else:
        np.subtract(src, shift, out=diff)
    missing = None
    for _ in range(2):  # a second time with NaN deviations zeroed
        if not main:
            resid, squares = np.add.reduce(diff, axis=0), np.einsum("ij,ij->j", diff, diff)
        else:
            resid = np.add.reduce(np.add.reduce(wide, axis=0).reshape(k, cols), axis=0)
            squares = np.add.reduce(np.einsum("ij,ij->j", wide, wide).reshape(k, cols), axis=0)
            if main < rows:
                resid = np.add(resid, np.add.reduce(diff[main:], axis=0))
                squares += np.einsum("ij,ij->j", diff[main:], diff[main:])
        if missing is not None or np.isfinite(resid).all():
            return shift, resid, squares, missing
        nan = np.isnan(diff)  # NaN, or an infinity (or an overflow)
        np.copyto(diff, 0.0, where=nan)
        missing = colreduce(np.add, nan, k).astype(np.float64)


@np.errstate(over="ignore", invalid="ignore", divide="ignore")
def _from_shifted(X, blocks, sums, need):
    """Per-block :class:`Stats` of ``X`` from the blocks' shifted sums, in block order.

    Vectorised over blocks. With :math:`c = \\sum d / n` the mean is :math:`s + c` (a
    two-part sum) and :math:`m2 = \\sum d^2 - c \\sum d`: the corrected two-pass formula
    with the shift as centre. A block is refused where a sum is not finite, where the
    shift is beyond :data:`HUGE`, or where :math:`\\sum d^2 > 16\\, m2` (the shift lies
    far from the mean: the subtraction would cancel more than 4 bits); refused blocks
    are summarised again by two passes, on the thread pool.
    """
    n_features = X.shape[1]
    shift, resid, squares, missing = zip(*sums)
    shift, resid, squares = np.array(shift), np.array(resid), np.array(squares)
    bounds = np.array(blocks)
    n_rows = (bounds[:, 1] - bounds[:, 0]).astype(np.float64)
    count = np.repeat(n_rows[:, None], n_features, axis=1)
    for i, gone in enumerate(missing):
        if gone is not None:
            count[i] -= gone
    correction = resid / count  # count 0: NaN, refused
    m2 = squares - resid * correction
    ok = (squares <= SHIFT_CANCELLATION * m2).all(axis=1)  # also refuses NaN and inf
    ok &= (np.abs(shift) < HUGE).all(axis=1) & np.isfinite(resid).all(axis=1)
    mean, mean_lo = _two_sum(shift, correction)
    m2 = np.maximum(m2, 0.0)
    parts = [None] * len(blocks)
    for i in np.flatnonzero(ok).tolist():
        has_inf = np.zeros(n_features, dtype=bool)
        parts[i] = Stats(
            float(n_rows[i]), count[i], mean[i], m2[i], None, None, has_inf, mean_lo[i]
        )
    redo = np.flatnonzero(~ok).tolist()
    if redo:
        again = map_items(
            lambda i: _of_dense(X[blocks[i][0] : blocks[i][1]], None, need, shifted=False),
            redo,
            int(n_rows[redo].sum()) * n_features * X.itemsize,
        )
        for i, part in zip(redo, again):
            parts[i] = part
    return parts


def _two_pass_moments(stats, X, w, k):
    """Mean, then ``m2`` of the deviations from it (in a float64 scratch block); NaN
    ignored, infinity flagged; the mean's rounding removed by the corrected two-pass
    formula (Chan, Golub & LeVeque)."""
    X64 = X
    if X.dtype != np.float64:
        X64 = scratch(X.shape)
        np.copyto(X64, X)
    mask = None
    with np.errstate(invalid="ignore"):  # inf - inf: the columns are refused below
        total = _wsum(X64, w, k)
    if not np.isfinite(total).all():
        mask = ~np.isfinite(X64)  # NaN is missing; inf is flagged and refused
        inf = inf_columns(X64, nonfinite=True)
        if inf is not None:
            stats.has_inf |= inf
        if mask.any():
            if X64 is X:  # zeros go into a copy, never into the caller's data
                X64 = scratch(X.shape)
                np.copyto(X64, X)
            np.copyto(X64, 0.0, where=mask)
            if w is None:  # integers: count the missing values, exactly
                stats.count = stats.count - colreduce(np.add, mask, k)
            else:  # the weights of the present values, summed as scikit-learn does
                stats.count = _wsum((~mask).astype(np.float64), w, k)
            total = _wsum(X64, w, k)
        else:
            mask = None
    stats.mean = _safe_mean(total, stats.count)
    centre = np.where(stats.count > 0, stats.mean, 0.0)
    diff = colwise(np.subtract, X64, centre, scratch(X.shape), k)
    if mask is not None:
        np.copyto(diff, 0.0, where=mask)
    resid = _wsum(diff, w, k)
    stats.m2 = _wsumsq(diff, w, k)
    correction = _safe_mean(resid, stats.count, 0.0)
    stats.mean, stats.mean_lo = _two_sum(stats.mean, correction)
    stats.m2 = np.maximum(stats.m2 - resid * correction, 0.0)


def _wsum(X, w, k=1):
    return colreduce(np.add, X, k) if w is None else np.einsum("i,ij->j", w, X)


def _wsumsq(D, w, k=1):
    """Weighted column sums of squares, on rows folded by ``k`` (one pass, no temporary)."""
    if w is not None:
        return np.einsum("i,ij,ij->j", w, D, D)
    rows, cols = D.shape
    main = rows - rows % k if k > 1 and D.flags.c_contiguous else 0
    if not main:
        return np.einsum("ij,ij->j", D, D)
    head = D[:main].reshape(-1, k * cols)
    total = np.add.reduce(np.einsum("ij,ij->j", head, head).reshape(k, cols), axis=0)
    if main < rows:
        total += np.einsum("ij,ij->j", D[main:], D[main:])
    return total


@np.errstate(over="ignore", invalid="ignore")  # huge values: see reject_overflow
def _of_sparse(X, w, need):
    """Summary of a CSR matrix: sums per column by ``np.bincount`` over stored values."""
    n_rows, n_features = X.shape
    cols, data = X.indices, X.data.astype(np.float64)

    def colsum(values):  # float64 (``np.bincount`` of no entries is int64)
        return np.bincount(cols, values, minlength=n_features).astype(np.float64, copy=False)

    w_row = np.ones(n_rows) if w is None else np.asarray(w, dtype=np.float64)
    w_entry = w_row[np.repeat(np.arange(n_rows), np.diff(X.indptr))]
    nan = np.isnan(data)
    has_inf = np.bincount(cols[np.isinf(data)], minlength=n_features) > 0
    total_w = w_row.sum()
    count = total_w - colsum(w_entry * nan)
    # weight of the implicit zeros: exactly 0 where every row stores a value (the two sums
    # round differently, and a constant column would get a variance of their difference)
    implicit = np.bincount(cols, minlength=n_features) < n_rows
    zeros_w = np.where(implicit, total_w - colsum(w_entry), 0.0)
    stats = Stats(float(total_w), count, has_inf=has_inf)
    values = np.where(nan, 0.0, data)
    if MOMENTS in need:
        mean = _safe_mean(colsum(w_entry * values), count)
        centre = np.where(count > 0, mean, 0.0)
        dev = np.where(nan, 0.0, values - centre[cols])
        m2 = colsum(w_entry * dev * dev) + zeros_w * centre * centre
        resid = colsum(w_entry * dev) - zeros_w * centre
        correction = _safe_mean(resid, count, 0.0)
        stats.mean, stats.mean_lo = _two_sum(mean, correction)
        stats.m2 = np.maximum(m2 - resid * correction, 0.0)
    if RANGE in need:
        stats.min = np.where(implicit, 0.0, np.nan)
        stats.max = stats.min.copy()
        np.fmin.at(stats.min, cols, data)
        np.fmax.at(stats.max, cols, data)
    return stats


def _two_sum(a, b):
    """``(s, e)`` with ``s = fl(a + b)`` and ``s + e == a + b`` exactly (Knuth); NaN -> 0."""
    s = a + b
    b_virtual = s - a
    e = (a - (s - b_virtual)) + (b - b_virtual)
    return s, np.where(np.isfinite(e), e, 0.0)
