"""Quantiles and the quantile-based maps: robust scaling and the quantile transform.

Exact quantiles are :func:`numpy.nanpercentile`'s (``method="linear"``): the value at
the virtual rank :math:`h = p (n - 1)` among the :math:`n` sorted non-NaN values,
interpolated between the order statistics :math:`\\lfloor h \\rfloor` and
:math:`\\lfloor h \\rfloor + 1` (numpy's ``_lerp``). They are found per column by numpy's vectorised sort (faster than
:func:`numpy.partition` even for three quantiles), a few columns at a time, so the work
copy is a few columns long, never the size of ``X``.
"""

import numpy as np
from scipy import sparse, special

from .._chunks import map_items
from .._config import effective_n_threads
from .._xp import to_numpy
from . import _checks, _ops
from ._column import z_score_kernel

#: scikit-learn's ``BOUNDS_THRESHOLD`` of ``QuantileTransformer``.
BOUNDS_THRESHOLD = 1e-7
#: At most this many columns are copied (transposed) at once by :func:`column_quantiles`.
_GROUP = 8


def lerp(a, b, t):
    """``a + (b - a) t``, as numpy's percentile computes it (from ``b`` where ``t >= 0.5``)."""
    with np.errstate(over="ignore", invalid="ignore"):
        diff = np.subtract(b, a)
        out = np.add(a, diff * t)
        np.subtract(b, diff * (1 - t), out=out, where=t >= 0.5)
    wide = np.isinf(diff) & np.isfinite(a) & np.isfinite(b)
    if wide.any():  # b - a overflows (values near the largest float): weigh a and b
        out[wide] = (a * (1 - t) + b * t)[wide]
    return out


def _ranks(n, probabilities):
    """Lower and upper order statistics and the weight of the upper one, for ``n`` values."""
    h = (n - 1) * probabilities
    lo = np.floor(h)
    return lo.astype(np.int64), np.minimum(lo + 1, n - 1).astype(np.int64), h - lo


def sorted_quantiles(values, probabilities, summary_error=None):
    """Quantiles of one column, sorted in place (NaN values sort last).

    With ``summary_error`` also a compact summary of the column: the middle value of
    each run of ``max(1, floor(summary_error * n))`` consecutive sorted values, weighted
    by the run's length, so that any rank read from it is off by at most
    ``summary_error / 2`` of ``n`` (exact, every value with weight 1, on small columns).

    Returns
    -------
    quantiles : ndarray
    summary : tuple (values, weights) or None
    """
    values.sort()  # numpy's vectorised sort: faster than a partition here
    n = int(values.size - np.count_nonzero(np.isnan(values)))
    if n == 0:
        empty = (np.empty(0), np.empty(0, dtype=np.int64))
        return np.full(probabilities.shape, np.nan), empty if summary_error else None
    lo, hi, t = _ranks(n, probabilities)
    quantiles = lerp(values[lo], values[hi], t)
    if not summary_error:
        return quantiles, None
    run = max(1, int(summary_error * n))
    starts = np.arange(0, n, run)
    weights = np.minimum(starts + run, n) - starts
    return quantiles, (values[starts + weights // 2].copy(), weights.astype(np.int64))


def weighted_quantiles(values, weights, probabilities):
    """Quantiles of sorted ``values`` each repeated ``weights`` times (a sketch's items).

    With unit weights this is :func:`numpy.nanpercentile` (``method="linear"``).
    """
    if values.size == 0:
        return np.full(np.shape(probabilities), np.nan)
    ends = np.cumsum(weights)  # value i holds the ranks ends[i-1] .. ends[i] - 1
    at = lambda rank: values[np.searchsorted(ends, rank, side="right")]  # noqa: E731
    return interpolated(at, int(ends[-1]), np.asarray(probabilities, dtype=np.float64))


def interpolated(at, n, probabilities):
    """Linear-interpolation quantiles of ``n`` values, ``at(ranks)`` giving order statistics."""
    lo, hi, t = _ranks(n, probabilities)
    return lerp(at(lo), at(hi), t)


def column_quantiles(X, probabilities, summary_error=None):
    """Exact per-column quantiles of ``X`` (dense or sparse), NaN ignored.

    Sparse matrices count their implicit zeros. Columns are processed a few at a time
    on the thread pool, each group copied (transposed) into float64 work memory.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    probabilities : array-like of shape (n_quantiles,)
        In [0, 1].
    summary_error : float or None
        Also return each column's compact summary (see :func:`sorted_quantiles`).

    Returns
    -------
    quantiles : ndarray of shape (n_quantiles, n_features)
        NaN for a column without values.
    summaries : list of (values, weights) or of None
        One per column.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    n_rows, n_features = X.shape
    # every thread copies `width` columns: together at most about a third of X
    width = int(np.clip(n_features // (3 * effective_n_threads()), 1, _GROUP))
    if sparse.issparse(X):
        X = sparse.csc_array(X)
        X.sum_duplicates()

        def group(start):
            columns = np.zeros((min(start + width, n_features) - start, n_rows))
            for i, column in enumerate(columns):
                j = start + i
                data = X.data[X.indptr[j] : X.indptr[j + 1]]
                column[: data.size] = data
            return [sorted_quantiles(c, probabilities, summary_error) for c in columns]
    else:

        def group(start):
            block = X[:, start : start + width]
            columns = np.empty((block.shape[1], n_rows))
            np.copyto(columns, block.T)
            return [sorted_quantiles(c, probabilities, summary_error) for c in columns]

    parts = map_items(group, list(range(0, n_features, width)), n_rows * n_features * 8)
    result = [q for part in parts for q in part]
    if not result:
        return np.empty((probabilities.size, 0)), []
    return np.stack([q for q, _ in result], axis=1), [summary for _, summary in result]


# -- robust scaling -------------------------------------------------------------------
def robust_scale(x, center, scale):
    """Centre and scale each feature by robust statistics: :math:`y = (x - c) / s`.

    With :math:`c` the median and :math:`s` the inter-quartile range (or another
    quantile range) this is scikit-learn's ``RobustScaler`` map.

    Parameters
    ----------
    x : array of shape (..., n_features)
        Data, any Array API array.
    center : array-like of shape (n_features,) or None
        Centre :math:`c`; ``None`` does not centre.
    scale : array-like of shape (n_features,) or None
        Scale :math:`s`; ``None`` does not scale. A zero scale (a constant feature)
        counts as 1, as in ``RobustScaler``.

    Returns
    -------
    y : array like ``x``
        Scaled data, same namespace, device and floating dtype.

    Examples
    --------
    >>> from sklearn_norm.functional import robust_scale
    >>> robust_scale([[1.0], [5.0]], center=[3.0], scale=[4.0]).tolist()
    [[-0.5], [0.5]]
    """
    xp, x = _ops.float_array(x)
    center = _checks.per_feature("center", center, x)
    scale = _checks.per_feature("scale", scale, x)
    if scale is not None:
        scale = np.where(scale == 0.0, 1.0, scale)  # a constant feature: divide by 1
    return z_score_kernel(center, scale)(x)


# -- the quantile transform -------------------------------------------------------------
def _clip_bounds():
    low = special.ndtri(BOUNDS_THRESHOLD - np.spacing(1))
    return low, special.ndtri(1 - (BOUNDS_THRESHOLD - np.spacing(1)))


def _interp_sorted(x, xp, fp, both=False):
    """``np.interp(x, xp, fp)`` run on ``x`` sorted, then put back in place.

    Sorted queries make the search's guesses hit (2-3x faster on this machine than random
    ones). ``both`` averages with the descending interpolation (repeated ``xp``).
    """
    order = np.argsort(x)
    xs = x[order]
    ys = np.interp(xs, xp, fp)
    if both:
        ys -= np.interp(-xs, -xp[::-1], -fp[::-1])
        ys *= 0.5
    y = np.empty_like(ys)
    y[order] = ys
    return y


def _scaled_up(x, q):
    """``x`` and ``q`` times ``2**k`` (exact) where the quantiles lie below ``2**-900``:
    their gaps may be subnormal and ``np.interp``'s slope ``1 / gap`` beyond float64
    (quantiles 5e-324 apart). Scaled so that the largest is about ``2**-100``: every
    value stays as close to the others relative to ``BOUNDS_THRESHOLD``."""
    top = np.max(np.abs(q)) if q.size else 0.0
    if not 0.0 < top < 2.0**-900:
        return x, q
    k = -100 - int(np.frexp(top)[1])
    with np.errstate(over="ignore"):  # a new value far beyond the quantiles: inf, mapped to 1
        return np.ldexp(x, k), np.ldexp(q, k)


def _column_forward(x, q, references, normal, increasing):
    """scikit-learn's ``QuantileTransformer._transform_col`` of one float64 column (on
    tiny quantiles, of its exact multiple: :func:`_scaled_up`)."""
    with np.errstate(invalid="ignore"):
        if normal:
            low, high = x - BOUNDS_THRESHOLD < q[0], x + BOUNDS_THRESHOLD > q[-1]
        elif not increasing:
            low, high = x == q[0], x == q[-1]
    # NaN stays NaN; repeated quantiles: average both directions
    y = _interp_sorted(*_scaled_up(x, q), references, both=not increasing)
    if normal or not increasing:
        y[high] = 1.0
        y[low] = 0.0
    if q.size < 2:  # np.interp on one point maps NaN to it too
        np.copyto(y, np.nan, where=np.isnan(x))
    if normal:
        with np.errstate(divide="ignore"):
            special.ndtri(y, out=y)
        np.clip(y, *_clip_bounds(), out=y)
    return y


def _column_inverse(x, q, references, normal):
    if normal:
        x = special.ndtr(x)
        with np.errstate(invalid="ignore"):
            low, high = x - BOUNDS_THRESHOLD < 0, x + BOUNDS_THRESHOLD > 1
    y = _interp_sorted(x, references, q)
    if q.size < 2:
        np.copyto(y, np.nan, where=np.isnan(x))
    if normal:
        y[high] = q[-1]
        y[low] = q[0]
    return y


def quantile_kernel(quantiles, references, output_distribution="uniform", inverse=False):
    """Kernel ``kernel(x, out=None)`` of the quantile transform of 2-D blocks of rows.

    Forward, each value goes to its interpolated rank among the quantiles (the mean of
    the ascending and descending interpolations where quantiles repeat), then through
    the normal quantile function for ``output_distribution="normal"``; the inverse
    interpolates back. Non-numpy arrays are mapped on the host.
    """
    quantiles = np.asarray(to_numpy(quantiles), dtype=np.float64)
    references = np.asarray(to_numpy(references), dtype=np.float64)
    normal = output_distribution == "normal"
    increasing = np.all(quantiles[1:] > quantiles[:-1], axis=0)

    def numpy_kernel(x, out):
        out = np.empty_like(x) if out is None else out
        for j in range(x.shape[1]):
            column = np.asarray(x[:, j], dtype=np.float64)
            if inverse:
                out[:, j] = _column_inverse(column, quantiles[:, j], references, normal)
            else:
                y = _column_forward(column, quantiles[:, j], references, normal, increasing[j])
                out[:, j] = y
        return out

    def kernel(x, out=None):
        if isinstance(x, np.ndarray):
            return numpy_kernel(x, out)
        xp = _ops.get_namespace(x)
        host = np.asarray(to_numpy(x))
        y = numpy_kernel(host, None)
        return xp.asarray(y, dtype=x.dtype, device=_ops._device(x))

    return kernel
