"""The base of the quantile-based column-wise scalers: exact in ``fit``, sketched when streamed.

``fit`` finds the exact quantiles of the training data (``numpy.nanpercentile``'s, see
:func:`~sklearn_norm.functional._quantile.column_quantiles`) and sets
``rank_error_ = 0``; it keeps a compact summary of the sorted columns, so that a later
``partial_fit`` continues from it. ``partial_fit`` and dask input keep one mergeable KLL sketch per
feature (:class:`~sklearn_norm._sketch.QuantileSketch`), merged chunk after chunk like
:class:`~sklearn_norm._stats.Stats`; the quantiles are read from the merged sketch and
``rank_error_`` is its bound. A scaler supplies the probabilities it needs
(``_probabilities``) and what it learns from their quantiles (``_learn_quantiles``);
one that learns otherwise from the data overrides ``_learn_exact`` and
``_learn_sketch`` (the sketch's ``items(j)`` are its weighted values).
"""

from numbers import Integral

from scipy import sparse
from sklearn import get_config

from . import _chunks
from ._base import ColumnScaler, forget, is_dask
from ._sketch import QuantileSketch, merge, summary_error_for
from ._sklearn_compat import Interval
from ._validation import check_X, inf_columns, reject_inf, sparse_inf_columns
from ._xp import is_array_api
from .functional._quantile import column_quantiles

#: ``sketch_size``: KLL's ``k`` (the library accepts 8 to 65535).
SKETCH_SIZE_CONSTRAINT = [Interval(Integral, 8, 65535, closed="both")]


class QuantileColumnScaler(ColumnScaler):
    """Base of the scalers that learn per-feature quantiles."""

    _need = ()

    def _probabilities(self, n_rows):
        """The probabilities (in [0, 1]) whose quantiles the scaler learns."""
        raise NotImplementedError

    def _learn_quantiles(self, quantiles, n_rows):
        """Learned attributes from ``quantiles`` (one row per probability)."""
        raise NotImplementedError

    def _check_sketch_values(self, X):
        """Refuse training values before anything is learned (``QuantileScaler``: sparse)."""

    def _fit(self, X, sample_weight=None, reset=True, transform=False):
        """``fit`` or ``partial_fit``; a call that raises changes nothing."""
        state = self.__dict__.copy()
        try:
            if is_dask(X):
                from . import _dask

                return _dask.fit_sketch(self, X, reset)
            device = None
            if get_config()["array_api_dispatch"] and is_array_api(X):
                from . import _array_api

                X, device = _array_api.to_host_for_fit(self, X)
            if reset:
                forget(self)
            elif getattr(self, "_sketch", "") is None:  # a fit that kept no summary
                raise ValueError(
                    f"{type(self).__name__}.partial_fit cannot add to this fit, which kept no "
                    "quantile summary (see the class's Notes); stream every chunk through "
                    "partial_fit, or fit again."
                )
            if self._check_params is not None:
                self._check_params()
            first = not hasattr(self, "n_features_in_")
            X = check_X(self, X, reset=first)
            self._check_sketch_values(X)
            if reset:
                has_inf = sparse_inf_columns(X) if sparse.issparse(X) else inf_columns(X)
                reject_inf(self, has_inf)
                learned, summaries = self._learn_exact(X)
                self._set_learned(learned, 0.0)
                self._sketch = (
                    None
                    if summaries is None
                    else QuantileSketch.from_summaries(summaries, X.shape[0], self.sketch_size)
                )
            else:
                self._absorb_sketch(QuantileSketch.of(X, self.sketch_size), first)
            if device is not None:
                device(self)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise
        return _chunks.run(self, X, None, inverse=False, checked=True) if transform else self

    def _learn_exact(self, X):
        """Learned attributes from all of ``X``, and each column's summary for the sketch
        (``None``: none kept, and a later ``partial_fit`` is refused).

        The exact quantiles (``_learn_quantiles``) here; a scaler that learns otherwise
        from the data (e.g. a power transform) overrides this and :meth:`_learn_sketch`.
        """
        n_rows = X.shape[0]
        quantiles, summaries = column_quantiles(
            X, self._probabilities(n_rows), summary_error_for(self.sketch_size)
        )
        return self._learn_quantiles(quantiles, n_rows), summaries

    def _learn_sketch(self, sketch):
        """Learned attributes from the merged sketch of every row seen."""
        n_rows = sketch.n_rows
        return self._learn_quantiles(sketch.quantiles(self._probabilities(n_rows)), n_rows)

    def _absorb_sketch(self, sketch, first):
        """Learn from ``sketch`` merged into the one kept (the dask adapter calls this)."""
        reject_inf(self, sketch.has_inf)
        total = sketch if first else merge(self._sketch, sketch)
        self._set_learned(self._learn_sketch(total), total.rank_error)
        self._sketch = total
        return self

    def _set_learned(self, learned, rank_error):
        for name, value in learned.items():
            setattr(self, name, value)
        self.rank_error_ = rank_error
