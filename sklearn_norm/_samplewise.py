"""The sample-wise base: statistics of each row, taken at transform time.

A scaler supplies its :class:`Layout` (parameters checked against the number of
features) and its row kernels; the base owns validation, ``fit``/``partial_fit``, the
chunked ``transform`` into a preallocated output, the kept-statistics columns and their
names, and the ``available_if`` inverse. :class:`GroupedScaler` is the common part of
layer, instance and group normalisation: each row is ``G`` contiguous groups, centred and
scaled by their own mean and standard deviation.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn import get_config
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted

from ._base import CachedParamNames, adapter_for, forget
from ._chunks import BLOCK_BYTES, map_blocks, work_block_bytes
from ._export import ExportMixin
from ._sklearn_compat import _fit_context
from ._validation import check_X, inf_columns, reject_inf, sparse_inf_columns
from ._xp import device, get_namespace, widest_float
from .functional._arrays import as64, quiet
from .functional._rows import (
    group_norm_block,
    group_std,
    rounded_once,
    scale_groups,
    scaled_moments,
    unscale_groups,
)


@dataclass
class Layout:
    """How a row of ``n_features`` values is normalised, with checked parameters: ``G``
    groups with their own statistics (``n_groups``), the affine ``weight`` and ``bias``
    (float64, one value per feature, or None), the base names of the kept-statistics
    columns (``kept``, before the clash rule) and whatever else a scaler needs
    (``extra``, e.g. channel-level parameters)."""

    n_groups: int
    weight: np.ndarray | None = None
    bias: np.ndarray | None = None
    kept: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def _can_inverse(estimator):
    return estimator._invertible()


class SampleScaler(
    ExportMixin, OneToOneFeatureMixin, TransformerMixin, CachedParamNames, BaseEstimator
):
    """Base of the scalers whose statistics come from each sample itself."""

    # -- what a scaler supplies --------------------------------------------------------
    def _sparse_reason(self):
        """``None`` when sparse input is kept sparse, else why it is refused."""
        return "the transform centres each row, which fills in the zeros"

    def _make_layout(self, n_features):
        """The :class:`Layout` for rows of ``n_features`` values; raises on bad params."""
        raise NotImplementedError

    def _keep(self):
        """Whether the per-sample statistics are appended as columns."""
        return False

    #: Optional hook, called only where a scaler defines it (with ``_learn(sums, reset,
    #: partial)``, the learned attributes, as a dict): ``_batch_sums(X)``, additive
    #: statistics of the rows (None: none learned), summed block by block by the adapters.
    _batch_sums = None

    def _absorb(self, sums, reset, partial):
        """Learn from ``sums`` (the adapters compute them their own way and call this)."""
        for name, value in self._learn(sums, reset, partial).items():
            setattr(self, name, value)

    def _forward(self, x, out=None):
        """Normalise a block of rows; return ``(y, stats)``, ``stats`` a list of arrays."""
        raise NotImplementedError

    def _backward(self, y, stats, out=None):
        """Undo :meth:`_forward` on a block, given the kept statistics (or None)."""
        raise NotImplementedError

    def _forward_block(self, x, out, kept):
        """Fast :meth:`_forward` of a numpy block into ``out`` (kept statistics into ``kept``).

        Returns whether the block holds a NaN or an infinity (the caller then tests it for
        infinities), or None, having written nothing, where the scaler has no such kernel.
        """
        return None

    def _invertible(self):
        """Whether ``inverse_transform`` is possible with the current parameters."""
        return self._keep() and _nonzero(getattr(self, "weight", None))

    # -- fitting -----------------------------------------------------------------------
    def _fit(self, X, reset, partial):
        """Record the features, check the parameters against them, refuse infinities, learn
        the running statistics where kept; a call that raises changes nothing."""
        state = self.__dict__.copy()
        try:
            if type(X) is not np.ndarray:
                engine = adapter_for(X)  # dask and Array API inputs
                if engine is not None:
                    return engine.fit_rows(self, X, reset, partial)
            if reset and "n_features_in_" in state:  # a fitted estimator
                forget(self)
            X = check_X(self, X, reset=reset)
            self._layout = self._make_layout(X.shape[1])
            self._refuse_inf(X)
            sums = None if self._batch_sums is None else self._batch_sums(X)
            if sums is not None:  # running statistics (as the adapters do)
                self._absorb(sums, reset, partial)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and record the features of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted scaler.
        """
        return self._fit(X, reset=True, partial=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Like :meth:`fit` on the first call; later calls check ``X`` against it.

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
        return self._fit(X, reset=not hasattr(self, "n_features_in_"), partial=True)

    def _refuse_inf(self, X):
        if sparse.issparse(X):
            reject_inf(self, sparse_inf_columns(X))
            return
        if not isinstance(X, np.ndarray):
            return
        bad = None
        for mask in map_blocks(lambda a, b: inf_columns(X[a:b]), len(X), X.shape[1] * X.itemsize):
            if mask is not None:
                bad = mask if bad is None else bad | mask
        if bad is not None:
            reject_inf(self, bad)

    # -- transforming ------------------------------------------------------------------
    def transform(self, X, copy=None):
        """Normalise each row of ``X`` with its own statistics.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data; NaN values are left out of a row's statistics and stay NaN.
        copy : bool or None, default=None
            Copy ``X`` (``None`` uses the constructor's ``copy``).

        Returns
        -------
        X_tr : ndarray of shape (n_samples, n_features + n_kept)
            Normalised data in the input's floating dtype, then the kept statistics.
        """
        if type(X) is not np.ndarray or get_config()["array_api_dispatch"]:
            engine = adapter_for(X, self)  # dask and Array API inputs
            if engine is not None:
                return engine.apply_rows(self, X, copy, inverse=False)
        if not hasattr(self, "n_features_in_"):  # set by every fit
            check_is_fitted(self)
        copy = self.copy if copy is None else copy
        X = check_X(self, X, reset=False)
        if sparse.issparse(X):
            return self._transform_sparse(X, copy)
        n_kept = len(self._layout.kept) if self._keep() else 0
        if not isinstance(X, np.ndarray):  # another Array API namespace: one block
            y, stats = self._forward(X)
            return _append(y, stats if n_kept else [])
        n, n_features = X.shape
        in_place = not copy and not n_kept and X.flags.writeable  # else into a new array
        out = X if in_place else np.empty((n, n_features + n_kept), dtype=X.dtype)
        if in_place:  # refuse bad input before writing anything
            self._refuse_inf(X)

        def block(start, stop):
            x, y = X[start:stop], out[start:stop, :n_features]
            kept = out[start:stop, n_features:] if n_kept else None
            if x.dtype == np.float16:  # widened, rounded once
                nonfinite = rounded_once(self._forward_block, x, y, kept)
            else:
                nonfinite = self._forward_block(x, y, kept)
            if nonfinite is False:  # a finite block needs no infinity test
                return
            if not in_place:
                has_inf = inf_columns(x, nonfinite=nonfinite is True)
                if has_inf is not None:
                    reject_inf(self, has_inf)
            if nonfinite:
                return
            _, stats = self._forward(x, out=y)
            column = n_features
            for s in stats if n_kept else []:
                width = s.shape[1]
                np.copyto(out[start:stop, column : column + width], s, casting="same_kind")
                column += width

        size = work_block_bytes(X.size, BLOCK_BYTES, X.itemsize)
        map_blocks(block, n, n_features * X.itemsize, block_bytes=size)
        return out

    def _transform_sparse(self, X, copy):
        raise TypeError(f"{type(self).__name__} does not accept sparse input.")

    @available_if(_can_inverse)
    def inverse_transform(self, X, copy=None):
        """Undo :meth:`transform`, exactly up to rounding, from the kept statistics.

        Available only when the map can be undone: with ``keep_stats=True`` (or
        ``keep_norm=True``), a weight without zeros, or fixed running statistics.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features + n_kept)
            Output of :meth:`transform`.
        copy : bool or None, default=None
            Copy ``X`` (``None`` uses the constructor's ``copy``).

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Data in the original units.
        """
        engine = adapter_for(X, self)
        if engine is not None:
            return engine.apply_rows(self, X, copy, inverse=True)
        if not hasattr(self, "n_features_in_"):
            check_is_fitted(self)
        copy = self.copy if copy is None else copy
        accept = ("csr", "csc") if self._sparse_reason() is None else False
        X = check_array(X, accept_sparse=accept, dtype=FLOAT_DTYPES, ensure_all_finite=False)
        n_features = self.n_features_in_
        n_kept = len(self._layout.kept) if self._keep() else 0
        if X.shape[1] != n_features + n_kept:
            kept = f" then the {n_kept} kept statistics" if n_kept else ""
            raise ValueError(
                f"{type(self).__name__}.inverse_transform expects {n_features + n_kept} columns "
                f"(the {n_features} features{kept}), got {X.shape[1]}."
            )
        reject_inf(self, sparse_inf_columns(X) if sparse.issparse(X) else inf_columns(X))
        if sparse.issparse(X):
            return self._inverse_sparse(X, copy)
        if not isinstance(X, np.ndarray):
            return self._backward(X[:, :n_features], X[:, n_features:] if n_kept else None)
        in_place = not copy and not n_kept and X.flags.writeable  # else into a new array
        out = X if in_place else np.empty((X.shape[0], n_features), X.dtype)

        def block(start, stop):
            stats = X[start:stop, n_features:] if n_kept else None
            self._backward(X[start:stop, :n_features], stats, out=out[start:stop])

        map_blocks(block, X.shape[0], X.shape[1] * X.itemsize)
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: the input's, then the kept statistics.

        A kept column whose name is already taken gets ``_`` appended until unique.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names (checked against ``feature_names_in_``).

        Returns
        -------
        feature_names_out : ndarray of str objects
            Transformed feature names: the input's, then the kept statistics'.
        """
        names = super().get_feature_names_out(input_features)
        if not self._keep():
            return names
        taken, kept = set(names), []
        for name in self._layout.kept:
            while name in taken:
                name += "_"
            taken.add(name)
            kept.append(name)
        return np.concatenate([names, np.asarray(kept, dtype=object)])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.array_api_support = True
        tags.input_tags.sparse = self._sparse_reason() is None
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _nonzero(weight):
    """Whether a ``weight`` parameter (None, scalar or array-like) has no zero."""
    if weight is None:
        return True
    try:
        return bool(np.all(np.asarray(weight, dtype=np.float64) != 0))
    except (TypeError, ValueError):
        return False


def _append(y, stats):
    """``y`` with the statistics appended as columns, in ``y``'s namespace and dtype."""
    if not stats:
        return y
    xp = get_namespace(y)
    rows = y.shape[0]
    stats = [as64(xp, s, y) if isinstance(s, np.ndarray) else s for s in stats]
    parts = [xp.astype(xp.broadcast_to(s, (rows, s.shape[1])), y.dtype) for s in stats]
    return xp.concat([y, *parts], axis=1)


def kept_names(stat, n, suffix):
    """``["mean"]`` or ``["mean_c0", "mean_c1", ...]`` (``suffix="_c"``)."""
    return [stat] if suffix is None else [f"{stat}{suffix}{i}" for i in range(n)]


class GroupedScaler(SampleScaler):
    """Rows of ``G`` groups, each centred and scaled by its own mean and std.

    .. math:: y = \\frac{x - \\mu_g}{\\sqrt{\\sigma^2_g + \\epsilon}} \\, \\gamma + \\beta

    A subclass supplies :meth:`_make_layout`; the kept columns are the ``G`` means then
    the ``G`` standard deviations :math:`\\sqrt{\\sigma^2_g + \\epsilon}` (1 where that
    is 0, the denominator actually used).
    """

    def _keep(self):
        return self.keep_stats

    def _statistics(self, x):
        """Centred float64 values (rows, G, M) and stds (rows, G), both in units of
        ``unit`` (1 but for huge groups, see ``scaled_moments``); means (rows, G)."""
        d, mean, var, _, unit = scaled_moments(x, self._layout.n_groups, eps=self.eps)
        return d, mean, group_std(var, self.eps, unit), unit

    def _affine(self, like):
        """Per-feature weight and bias, float64, in the namespace and on the device of ``like``."""
        weight, bias = self._layout.weight, self._layout.bias
        if isinstance(like, np.ndarray):
            return weight, bias
        xp = get_namespace(like)
        return as64(xp, weight, like), as64(xp, bias, like)

    def _forward_block(self, x, out, kept):
        layout = self._layout
        return group_norm_block(
            x, layout.n_groups, self.eps, layout.weight, layout.bias, out, kept
        )

    @quiet
    def _forward(self, x, out=None):
        d, mean, std, unit = self._statistics(x)
        y = scale_groups(d, std, *self._affine(x), x.dtype, out)
        return y, [mean, std * unit]

    @quiet
    def _backward(self, y, stats, out=None):
        g = self._layout.n_groups
        if isinstance(y, np.ndarray):
            stats = stats.astype(np.float64)
        else:
            xp = get_namespace(y)
            stats = xp.astype(stats, widest_float(xp, device(y)))
        return unscale_groups(y, stats[:, :g], stats[:, g:], *self._affine(y), out)
