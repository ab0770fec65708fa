"""The column-wise base: fit / partial_fit / transform / inverse_transform in one place.

A scaler supplies which statistics it needs (``_need``), how to derive its learned
attributes from them (``_learn``) and its forward and inverse kernels (``_kernel``).
"""

import functools

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin

from ._chunks import apply_rows, col_min, finite_sum, fold, map_blocks, output_for
from ._engines import engine_for, forget
from ._export import ExportMixin
from ._kernel_memo import kept_kernels
from ._sklearn_compat import CachedParamNames, _fit_context
from ._stats import MOMENTS, Stats, merge
from ._validation import (
    check_weights,
    check_X,
    ensure_fitted,
    inf_columns,
    reject_inf,
    reject_overflow,
    sparse_columns,
    sparse_inf_columns,
)


def atomic(method):
    """Restore the estimator's state if ``method`` raises: a failed fit changes nothing."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        state = self.__dict__.copy()
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    return wrapper


def checked_input(estimator, X, copy, names=True):
    """The numpy path's start of ``transform``: fitted, ``copy`` resolved, ``X`` validated.

    Returns ``(X, copy)``; ``copy=None`` takes the estimator's ``copy`` parameter.
    ``names=False`` checks the number of columns only (``inverse_transform``).
    """
    ensure_fitted(estimator)
    copy = estimator.copy if copy is None else copy
    sparse_reason = estimator._sparse_reason()
    return check_X(estimator, X, reset=False, sparse_reason=sparse_reason, names=names), copy


class ColumnScaler(
    ExportMixin, OneToOneFeatureMixin, TransformerMixin, CachedParamNames, BaseEstimator
):
    """Base of the scalers that learn per-feature statistics from the training rows."""

    _need = (MOMENTS,)
    #: ``_kernel`` passes every per-feature parameter through ``take``, so the chunk
    #: engine may run it on folded rows with tiled parameters (see ``_chunks.fold``).
    _foldable = False
    #: Keep the kernels between transforms (``_kernel_memo``): worth it where building
    #: one costs more than comparing the estimator's state (about 5-15 µs).
    _keep_kernels = True

    # -- what a scaler supplies ------------------------------------------------------
    def _sparse_reason(self):
        """``None`` when sparse input is kept sparse, else why it is refused."""
        return "the transform would turn zeros into non-zeros"

    def _check_params(self):
        """Checks between parameters that ``_parameter_constraints`` cannot express."""

    def _learn(self, stats):
        """Learned attributes (name -> value) derived from the merged statistics."""
        raise NotImplementedError

    def _check_values(self, X, stats):
        """Refuse training values the transform cannot take (see ``LogScaler``)."""

    def _kernel(self, inverse=False, take=None):
        """The functional kernel of the learned map; ``take`` gathers per-feature params."""
        raise NotImplementedError

    def _check_transform_values(self, X):
        """Refuse values the transform cannot take, before anything is written."""

    def _keeps_nonfinite(self, inverse):
        """Whether the kernel maps every infinite or NaN input to an infinite or NaN output.

        Then the chunk engine tests each block's output, still in cache, for infinities
        in the input (and re-reads the input only where the output is not finite).
        """
        return False

    def _refused_below(self):
        """Per-feature limits: ``transform`` refuses values ``<=`` them (``None``: no limit).

        Where this is not ``None``, ``_check_transform_values`` raises for such values and
        the forward kernel maps them, and infinities, to non-finite values, so that the
        chunk engine can test a whole block at once on its output.
        """
        return None

    # -- fitting ---------------------------------------------------------------------
    def _reset(self):
        forget(self)
        self.__dict__.pop("_stats", None)

    @atomic
    def _fit(self, X, sample_weight=None, reset=True):
        engine = engine_for(X)  # dask and Array API inputs: see _engines
        if engine is not None:
            return engine.fit(self, X, sample_weight, reset)
        if reset:
            self._reset()
        self._check_params()
        first = not hasattr(self, "_stats")
        X = check_X(self, X, reset=first, sparse_reason=self._sparse_reason())
        weights = check_weights(sample_weight, X)
        self._absorb(X, Stats.of(X, weights, self._need), first)
        self.__dict__.pop("_fit_space_", None)  # learned on numpy now (see _array_api)
        return self

    def _absorb(self, X, stats, first):
        """Learn from ``stats``, the summary of ``X``: refuse, merge, derive, set.

        The dask and Array API adapters compute ``stats`` their own way and call this.
        """
        reject_inf(self, stats.has_inf)
        reject_overflow(self, stats)
        self._check_values(X, stats)
        total = stats if first else merge(self._stats, stats)
        reject_overflow(self, total)  # two large, opposite chunks
        learned = self._learn(total)
        self._stats = total
        for name, value in learned.items():
            setattr(self, name, value)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the per-feature statistics of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN values are ignored.
        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted scaler.
        """
        return self._fit(X)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Update the statistics with one more chunk of rows.

        Any chunking of the training data gives the same result as one ``fit``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            Updated scaler.
        """
        return self._fit(X, reset=False)

    # -- transforming ----------------------------------------------------------------
    def _apply(self, X, copy, inverse):
        engine = engine_for(X, self)
        if engine is not None:
            return engine.apply(self, X, copy, inverse)
        X, copy = checked_input(self, X, copy, names=not inverse)
        if sparse.issparse(X):
            return self._apply_sparse(X, copy, inverse)
        out = output_for(X, copy)
        k = fold(X.shape[1]) if X.ndim == 2 else 1
        k = k if self._foldable and 1 < k <= X.shape[0] else None
        if self._keep_kernels:
            kernel, wide = kept_kernels(self, (inverse, k), lambda: self._kernels(inverse, k))
        else:
            kernel, wide = self._kernels(inverse, k)
        below = None if inverse else self._refused_below()
        limit = None if below is None else float(below.max())
        # test each block's output, just written and in cache, when that is enough
        on_output = limit is not None or self._keeps_nonfinite(inverse)

        def check(x, y):
            """``None`` when the block is fine, else which columns are bad (exactly)."""
            with np.errstate(over="ignore", invalid="ignore"):
                if y is not None:
                    ok = finite_sum(y)
                else:
                    ok = finite_sum(x)
                    ok = ok and (limit is None or np.minimum.reduce(x, axis=None) > limit)
            if ok:
                return None  # else a NaN (allowed), an infinity or a value too low
            has_inf = inf_columns(x, nonfinite=True)
            has_inf = np.zeros(x.shape[1], dtype=bool) if has_inf is None else has_inf
            low = np.zeros_like(has_inf) if below is None else col_min(x) <= below
            return (has_inf, low) if has_inf.any() or low.any() else None

        if out is X:  # in place: refuse bad input before writing anything
            rows = X.shape[1] * X.itemsize if X.ndim == 2 else X.itemsize
            self._raise_for(X, map_blocks(lambda a, b: check(X[a:b], None), X.shape[0], rows))
            return apply_rows(kernel, X, out, wide)
        flags = apply_rows(kernel, X, out, wide, check=check, check_output=on_output)
        self._raise_for(X, flags)
        return out

    def _kernels(self, inverse, k):
        """The kernel, and with ``k`` the same map for rows folded by ``k`` (tiled)."""
        kernel = self._kernel(inverse=inverse)
        if k is None:
            return kernel, None
        return kernel, self._kernel(inverse=inverse, take=lambda p: np.tile(np.asarray(p), k))

    def _raise_for(self, X, flags):
        """Raise for the bad blocks ``check`` found: invalid values first, then infinities."""
        flags = [f for f in flags if f is not None]
        if not flags:
            return
        if any(low.any() for _, low in flags):
            self._check_transform_values(X)
        reject_inf(self, np.logical_or.reduce([has_inf for has_inf, _ in flags]))

    def _apply_sparse(self, X, copy, inverse):
        """CSR and CSC stay in their format (as in scikit-learn); others become CSR."""
        if X.format not in ("csr", "csc"):
            X = X.tocsr()  # a new matrix
        elif copy:
            X = X.copy()
        reject_inf(self, sparse_inf_columns(X))
        if not inverse:
            self._check_transform_values(X)
        columns = sparse_columns(X)
        kernel = self._kernel(inverse=inverse, take=lambda p: np.asarray(p)[columns])
        kernel(X.data, out=X.data)
        return X

    def transform(self, X, copy=None):
        """Apply the learned map to ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data; NaN values stay NaN.
        copy : bool or None, default=None
            Copy ``X`` (``None`` uses the constructor's ``copy``).

        Returns
        -------
        X_tr : ndarray or sparse matrix of shape (n_samples, n_features)
            Transformed data, in the input's floating dtype.
        """
        return self._apply(X, copy, inverse=False)

    def inverse_transform(self, X, copy=None):
        """Undo :meth:`transform`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Transformed data.
        copy : bool or None, default=None
            Copy ``X`` (``None`` uses the constructor's ``copy``).

        Returns
        -------
        X_original : ndarray or sparse matrix of shape (n_samples, n_features)
            Data in the original units.
        """
        return self._apply(X, copy, inverse=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.array_api_support = True
        tags.input_tags.sparse = self._sparse_reason() is None
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class WeightedFitMixin:
    """``fit``/``partial_fit`` taking frequency weights (``sample_weight``)."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Learn the per-feature statistics of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN values are ignored.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights: a weight of 2 counts a row twice, 0 leaves it out.

        Returns
        -------
        self : object
            Fitted scaler.
        """
        return self._fit(X, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Update the statistics with one more chunk of rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of training data.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights of the chunk's rows.

        Returns
        -------
        self : object
            Updated scaler.
        """
        return self._fit(X, sample_weight, reset=False)
