"""Mergeable quantile sketches: one Apache DataSketches KLL sketch per feature.

:class:`QuantileSketch` is to the quantile-based scalers what :class:`~._stats.Stats` is
to the others: ``QuantileSketch.of(X, k)`` summarises a chunk of rows, ``merge``
combines two summaries (of ``partial_fit`` calls, threads or dask blocks), and
:meth:`QuantileSketch.quantiles` reads the learned quantiles. While a feature's sketch
still holds every value it saw (fewer than about ``k``), its quantiles are exactly
:func:`numpy.nanpercentile`'s; beyond, every quantile's normalised rank error is within
:attr:`QuantileSketch.rank_error` (KLL's a-priori bound, at 99 % confidence).

An exact ``fit`` hands its sorted columns over as *summaries*
(:meth:`QuantileSketch.from_summaries`): the middle value of each run of
``floor(e * n)`` sorted values, weighted by the run's length, with ``e`` half the KLL
bound, so a later ``partial_fit`` continues from them; their rank error adds at most
``e / 2``. Reading a feature unites its KLL items and its summary (both weighted).

The public, small API other scalers build on (e.g. ``PowerScaler`` streamed):
``of``, ``merge``, ``quantiles``, ``items`` (a feature's retained values and weights),
``n_rows``, ``count``, ``rank_error``, ``has_inf``.
"""

import numpy as np
from scipy import sparse

#: Default ``sketch_size`` (KLL's ``k``): a rank error bound of 0.0028 (≤ 0.005).
DEFAULT_SKETCH_SIZE = 1000
#: Rows of a dense chunk fed to the sketches at a time (each column copied contiguously).
_FEED_ROWS = 65536


def _kll():
    import datasketches

    return datasketches.kll_doubles_sketch


def rank_error_bound(k):
    """KLL's bound on the normalised rank error of a quantile query for ``sketch_size=k``.

    Parameters
    ----------
    k : int
        The sketch size.

    Returns
    -------
    bound : float
        ``kll_doubles_sketch.get_normalized_rank_error(k, False)``.
    """
    return float(_kll().get_normalized_rank_error(int(k), False))


def _feedable(values):
    """A writeable, contiguous float64 copy (what the library's ``update`` takes)."""
    return np.array(values, dtype=np.float64, order="C", copy=True)


class QuantileSketch:
    """One KLL sketch per feature, mergeable, picklable.

    Parameters
    ----------
    sketches : list of datasketches.kll_doubles_sketch
        One per feature (of the same ``k``).
    n_rows : float
        Number of rows summarised.
    has_inf : ndarray of bool
        Whether each feature held an infinite value (the scalers refuse those).
    summaries : list of (values, weights) or None
        Per feature, weighted values summarising rows seen by an exact ``fit``.
    summary_error : float
        Bound on the normalised rank error of the summaries (0: exact).
    """

    def __init__(self, sketches, n_rows, has_inf, summaries=None, summary_error=0.0):
        self.sketches = list(sketches)
        self.n_rows = float(n_rows)
        self.has_inf = np.asarray(has_inf, dtype=bool)
        self.summaries = summaries
        self.summary_error = float(summary_error)

    # -- building ------------------------------------------------------------------
    @classmethod
    def empty(cls, n_features, k=DEFAULT_SKETCH_SIZE):
        """The summary of no rows: the identity of :func:`merge`."""
        kll = _kll()
        return cls([kll(int(k)) for _ in range(n_features)], 0, np.zeros(n_features, bool))

    @classmethod
    def of(cls, X, k=DEFAULT_SKETCH_SIZE):
        """Summarise the rows of ``X`` (dense or scipy sparse); NaN values are skipped.

        Sparse input counts its implicit zeros as values (as scikit-learn's quantiles do).
        """
        n_rows, n_features = X.shape
        out = cls.empty(n_features, k)
        if sparse.issparse(X):
            X = sparse.csc_array(X)
            X.sum_duplicates()
            for j, sketch in enumerate(out.sketches):
                values = _feedable(X.data[X.indptr[j] : X.indptr[j + 1]])
                out.has_inf[j] = bool(np.isinf(values).any())
                sketch.update(values)
                sketch.update(np.zeros(n_rows - values.size))
        else:
            X = np.asarray(X)
            for start in range(0, n_rows, _FEED_ROWS):
                block = X[start : start + _FEED_ROWS]
                for j, sketch in enumerate(out.sketches):
                    column = _feedable(block[:, j])
                    with np.errstate(over="ignore", invalid="ignore"):
                        total = column.sum()
                    if not np.isfinite(total):
                        out.has_inf[j] |= bool(np.isinf(column).any())
                    sketch.update(column)
        out.n_rows = n_rows
        return out

    @classmethod
    def from_summaries(cls, summaries, n_rows, k=DEFAULT_SKETCH_SIZE):
        """The sketch of rows an exact ``fit`` summarised (see :func:`summary_error_for`)."""
        out = cls.empty(len(summaries), k)
        out.n_rows = n_rows
        out.summaries = [
            (np.asarray(v, np.float64), np.asarray(w, np.int64)) for v, w in summaries
        ]
        counts = [max(int(w.sum()), 1) for _, w in out.summaries]
        runs = [int(w.max()) if w.size else 1 for _, w in out.summaries]
        out.summary_error = max([(r // 2) / c for r, c in zip(runs, counts) if r > 1], default=0.0)
        return out

    # -- reading -------------------------------------------------------------------
    @property
    def k(self):
        """The sketch size (KLL's ``k``)."""
        return self.sketches[0].k if self.sketches else DEFAULT_SKETCH_SIZE

    @property
    def count(self):
        """Number of non-NaN values seen per feature (float64 array)."""
        return np.array([float(self.items(j)[1].sum()) for j in range(len(self))])

    @property
    def rank_error(self):
        """Bound on the normalised rank error of the quantiles; 0 while all are exact."""
        exact = not any(s.is_estimation_mode() for s in self.sketches)
        return max(0.0 if exact else rank_error_bound(self.k), self.summary_error)

    def items(self, j):
        """Feature ``j``'s retained values, sorted, and their integer weights.

        Each value stands for ``weight`` values of the data; the weights sum to
        ``count[j]``. While the sketch is exact, these are the values seen, weight 1.

        Returns
        -------
        values : ndarray of float64
        weights : ndarray of int64
        """
        sketch = self.sketches[j]
        values = np.empty(0)
        weights = np.empty(0, dtype=np.int64)
        if not sketch.is_empty():
            # the weights come from the sketch's own ranks: its iterator reports weight 1
            # for every item of a merged sketch (datasketches 5.2.0)
            values = np.unique(np.fromiter((v for v, _ in sketch), np.float64))
            below = np.asarray(sketch.get_cdf(values.tolist(), True))[:-1] * sketch.n
            weights = np.diff(np.rint(below).astype(np.int64), prepend=0)
        if self.summaries is not None:
            values = np.concatenate([self.summaries[j][0], values])
            weights = np.concatenate([self.summaries[j][1], weights])
        order = np.argsort(values, kind="stable")
        return values[order], weights[order]

    def quantiles(self, probabilities):
        """Quantiles at ``probabilities`` (in [0, 1]) per feature, linearly interpolated.

        Ranks are counted over the values a sketch retains, each repeated ``weight``
        times; an exact sketch gives :func:`numpy.nanpercentile` (``method="linear"``).

        Returns
        -------
        quantiles : ndarray of shape (len(probabilities), n_features)
            NaN for a feature with no values.
        """
        from .functional._quantile import weighted_quantiles

        probabilities = np.asarray(probabilities, dtype=np.float64)
        if self.summaries is not None:  # KLL items and a fit's summary together
            columns = [weighted_quantiles(*self.items(j), probabilities) for j in range(len(self))]
        else:
            columns = [_kll_quantiles(s, probabilities) for s in self.sketches]
        return np.stack(columns, axis=1) if columns else np.empty((probabilities.size, 0))

    def __len__(self):
        return len(self.sketches)

    # -- persistence: KLL sketches serialise to bytes ------------------------------
    def __getstate__(self):
        return {
            "sketches": [bytes(s.serialize()) for s in self.sketches],
            "n_rows": self.n_rows,
            "has_inf": self.has_inf.tolist(),
            "summaries": None
            if self.summaries is None
            else [(v.tolist(), w.tolist()) for v, w in self.summaries],
            "summary_error": self.summary_error,
        }

    def __setstate__(self, state):
        kll = _kll()
        self.sketches = [kll.deserialize(blob) for blob in state["sketches"]]
        self.n_rows = float(state["n_rows"])
        self.has_inf = np.asarray(state["has_inf"], dtype=bool)
        summaries = state["summaries"]
        self.summaries = (
            None
            if summaries is None
            else [(np.asarray(v, np.float64), np.asarray(w, np.int64)) for v, w in summaries]
        )
        self.summary_error = float(state["summary_error"])

    def copy(self):
        """A deep copy (merging never changes its inputs)."""
        new = QuantileSketch.__new__(QuantileSketch)
        new.__setstate__(self.__getstate__())
        return new


def _kll_quantiles(sketch, probabilities):
    """:func:`~.functional._quantile.weighted_quantiles` of one KLL sketch, by its own
    (vectorised) queries: the value of rank ``i`` (0-based) is the smallest one whose
    inclusive normalised rank reaches ``(i + 0.5) / n``."""
    from .functional._quantile import interpolated

    if sketch.is_empty():
        return np.full(probabilities.shape, np.nan)
    n = sketch.n
    at = lambda ranks: np.asarray(sketch.get_quantiles(((ranks + 0.5) / n).tolist(), True))  # noqa: E731
    return interpolated(at, n, probabilities)


def merge(a, b):
    """The sketch of the rows of ``a`` and ``b`` together (``a`` and ``b`` unchanged)."""
    if len(a) != len(b):
        raise ValueError(f"Cannot merge sketches of {len(a)} and {len(b)} features.")
    out = a.copy()
    for mine, theirs in zip(out.sketches, b.sketches):
        mine.merge(theirs)
    out.n_rows = a.n_rows + b.n_rows
    out.has_inf = a.has_inf | b.has_inf
    if b.summaries is not None:
        mine = out.summaries or [(np.empty(0), np.empty(0, np.int64))] * len(b)
        out.summaries = [
            (np.concatenate([v, bv]), np.concatenate([w, bw]))
            for (v, w), (bv, bw) in zip(mine, b.summaries)
        ]
    # each part's absolute rank error adds up: bounded by the larger normalised one
    out.summary_error = max(a.summary_error, b.summary_error)
    return out


def join_columns(parts):
    """The sketch of all features from sketches of consecutive column chunks."""
    joined = QuantileSketch.__new__(QuantileSketch)
    joined.sketches = [s for p in parts for s in p.sketches]
    joined.n_rows = parts[0].n_rows
    joined.has_inf = np.concatenate([p.has_inf for p in parts])
    joined.summaries = None
    joined.summary_error = 0.0
    return joined


def summary_error_for(k):
    """The ``summary_error`` an exact ``fit`` summarises with: half the KLL bound of ``k``."""
    return rank_error_bound(k) / 2
