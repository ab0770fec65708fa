"""What every estimator shares, and the column-wise base.

Every estimator: parameter validation with the constraint objects built once per class
(:class:`CachedParamNames`), :func:`forget` (a fit that raises restores the state it
saved); where an input goes (:func:`adapter_for`: dask, Array API, numpy).

A column-wise scaler declares the statistics it needs (``_need``), derives its learned
attributes from them (``_learn``) and describes its map (``_describe``: an affine map or
an elementwise function, see :mod:`._engine`); the engine runs the description.
"""

import functools

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin

from . import _chunks
from ._export import ExportMixin
from ._merge import merge
from ._sklearn_compat import _fit_context, make_constraint, validate_parameter_constraints
from ._stats import MOMENTS, Stats
from ._validation import check_weights, check_X, reject_overflow
from ._xp import is_array_api


class CachedParamNames:
    """A class's parameter names and constraint objects, built once per class.

    scikit-learn inspects ``__init__``'s signature on every ``get_params``, ``clone``
    and parameter validation (about 50 us), and builds every constraint object of
    ``_parameter_constraints`` anew on every ``fit`` (about 30 us); a class's
    ``__init__`` and constraints do not change, so both are kept. A parameter no
    constraint accepts goes through scikit-learn's own validation, which raises its
    usual ``InvalidParameterError``. A plain value (bool, number, string, None) once
    accepted for a parameter of a class is accepted again without asking the
    constraints. Put before ``BaseEstimator`` in the bases.
    """

    @classmethod
    def _get_param_names(cls):
        return list(_param_names(cls))

    def _validate_params(self):
        cls = type(self)
        constraints, accepted = _constraints(cls), _accepted(cls)
        for name in _param_names(cls):
            value = getattr(self, name)
            key = (name, type(value), value) if type(value) in PLAIN_TYPES else None
            if key is not None and key in accepted:
                continue
            made = constraints.get(name)
            ok = made is None
            for constraint in made or ():
                if constraint.is_satisfied_by(value):
                    ok = True
                    break
            if not ok:
                validate_parameter_constraints(
                    {name: self._parameter_constraints[name]},
                    {name: value},
                    caller_name=cls.__name__,
                )
            if key is not None and value == value and len(accepted) < _MAX_ACCEPTED:
                accepted.add(key)  # NaN is never equal to itself: not kept


@functools.cache
def _param_names(cls):
    return tuple(BaseEstimator._get_param_names.__func__(cls))


#: Types whose values are judged by value alone (immutable, hashable, compared by value):
#: accepted parameters here.
PLAIN_TYPES = frozenset({bool, int, float, str, type(None)})
#: Most accepted plain values remembered per class.
_MAX_ACCEPTED = 1024


@functools.cache
def _accepted(cls):
    """The ``(name, type, value)`` of plain parameter values ``cls`` has accepted."""
    return set()


@functools.cache
def _constraints(cls):
    """``cls._parameter_constraints`` as constraint objects (``no_validation`` left out)."""
    return {
        name: [make_constraint(c) for c in constraints]
        for name, constraints in cls._parameter_constraints.items()
        if not (isinstance(constraints, str) and constraints == "no_validation")
    }


def forget(estimator):
    """Delete the learned state: attributes ending in ``_`` and the kept summaries."""
    for name in list(vars(estimator)):
        if name.endswith("_") and not name.startswith("__") or name in ("_stats", "_sketch"):
            delattr(estimator, name)


def fitted_on_device(estimator):
    """Whether ``estimator`` was fitted on non-numpy Array API arrays."""
    state = vars(estimator)
    return "_fit_space_" in state or any(
        is_array_api(v) for k, v in state.items() if k.endswith("_")
    )


def is_dask(X):
    """Whether ``X`` is a dask collection (checked by module: dask is not imported)."""
    return type(X).__module__.split(".")[0] in ("dask", "dask_expr")


def adapter_for(X, estimator=None):
    """The adapter module that handles ``X`` (``None``: the numpy path does).

    Array API arrays go to the Array API adapter only under
    ``sklearn.set_config(array_api_dispatch=True)``, as in scikit-learn; so does any
    input of an estimator fitted on such arrays, which then refuses a foreign namespace.
    """
    if type(X) is np.ndarray and (estimator is None or not get_config()["array_api_dispatch"]):
        return None
    if is_dask(X):
        from . import _dask

        return _dask
    if get_config()["array_api_dispatch"] and (
        is_array_api(X) or (estimator is not None and fitted_on_device(estimator))
    ):
        from . import _array_api

        return _array_api
    return None


def constant_features(var, mean, n_samples):
    """Features whose variance is within the error bound of its float64 estimate.

    scikit-learn's rule (``_is_constant_feature`` in ``sklearn.preprocessing``): with
    :math:`n` samples (the sum of the weights) and the float64 machine epsilon
    :math:`\\epsilon`, a feature is constant when
    :math:`\\sigma^2 \\le n \\epsilon \\sigma^2 + (n \\epsilon \\mu)^2`.
    """
    eps = np.finfo(np.float64).eps
    with np.errstate(over="ignore", invalid="ignore"):  # inf past |n mean| ~ 6e168: constant
        bound = n_samples * eps * var + (n_samples * eps * np.nan_to_num(mean)) ** 2
    return var <= bound


def n_samples_seen(stats):
    """``n_samples_seen_`` as scikit-learn reports it: one number unless NaNs differ."""
    count = stats.count
    count = count[0] if count.size and np.ptp(count) == 0 else count
    if np.all(np.equal(np.mod(count, 1), 0)):
        if not np.ndim(count):
            return int(count)
        if np.all(count < 2.0**63):  # else an int64 would wrap: weights sum beyond it
            return count.astype(np.int64)
    return count


class ColumnScaler(
    ExportMixin, OneToOneFeatureMixin, TransformerMixin, CachedParamNames, BaseEstimator
):
    """Base of the scalers that learn per-feature statistics from the training rows."""

    _need = (MOMENTS,)

    # -- what a scaler supplies ------------------------------------------------------
    #: Optional hooks, called only where a scaler defines them: ``_check_params()``
    #: (checks between parameters that ``_parameter_constraints`` cannot express) and
    #: ``_check_values(X, stats)`` (refuse training values the transform cannot take,
    #: see ``LogScaler``).
    _check_params = None
    _check_values = None

    def _sparse_reason(self):
        """``None`` when sparse input is kept sparse, else why it is refused."""
        return "the transform would turn zeros into non-zeros"

    def _learn(self, stats):
        """Learned attributes (name -> value) derived from the merged statistics."""
        raise NotImplementedError

    def _describe(self):
        """The learned map: an :class:`~._engine.Affine` or :class:`~._engine.Elementwise`."""
        raise NotImplementedError

    def _check_transform_values(self, X):
        """Refuse values the transform cannot take (those at or below the description's
        ``floor``), naming the column; the engine calls it where a block has such values."""

    # -- fitting ---------------------------------------------------------------------
    def _fit(self, X, sample_weight=None, reset=True, stats=None, transform=False):
        """``fit`` (``reset``) or ``partial_fit``; a call that raises changes nothing.

        Top to bottom: dask and Array API inputs go to their adapter, which summarises
        ``X`` its own way and calls back with its ``stats``; else validate ``X`` and
        summarise it (``Stats.of``); refuse infinities and moments beyond float64 (of
        this chunk and merged), merge into the kept summary, set what ``_learn``
        derives. With ``transform`` (``fit_transform`` of a numpy array), return the
        transform of the ``X`` validated here.
        """
        state = self.__dict__.copy()
        try:
            if stats is None:
                if type(X) is not np.ndarray:
                    adapter = adapter_for(X)  # dask and Array API inputs
                    if adapter is not None:
                        return adapter.fit(self, X, sample_weight, reset)
                if reset and "n_features_in_" in state:  # a fitted estimator
                    forget(self)
                if self._check_params is not None:
                    self._check_params()
                X = check_X(self, X, reset=not hasattr(self, "_stats"))
                weights = None if sample_weight is None else check_weights(sample_weight, X)
                stats = Stats.of(X, weights, self._need)
                self.__dict__.pop("_fit_space_", None)  # learned on numpy now (see _array_api)
            first = not hasattr(self, "_stats")
            with np.errstate(over="ignore", invalid="ignore"):  # one sum tells it's fine
                finite = stats.mean is None or np.isfinite(stats.mean.sum() + stats.m2.sum())
            if stats.has_inf.any() or not finite:  # (or a feature without values: NaN)
                reject_overflow(self, stats)  # names the columns
            if self._check_values is not None:
                self._check_values(X, stats)
            total = stats if first else merge(self._stats, stats)
            if not first:
                reject_overflow(self, total)  # two large, opposite chunks
            self.__dict__.update(self._learn(total))
            self._stats = total
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise
        return _chunks.run(self, X, None, inverse=False, checked=True) if transform else self

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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None, **fit_params):
        """Learn the statistics of ``X``, then transform it.

        A numpy array is validated once, by the fit; other inputs are fitted, then
        transformed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN values are ignored by the fit and stay NaN.
        y : None
            Ignored.
        **fit_params : dict
            Passed to :meth:`fit` (``sample_weight`` where it takes one).

        Returns
        -------
        X_tr : ndarray or sparse matrix of shape (n_samples, n_features)
            Transformed data, in the input's floating dtype.
        """
        if fit_params or type(X) is not np.ndarray:
            return super().fit_transform(X, y, **fit_params)
        return self._fit(X, transform=True)

    # -- transforming ----------------------------------------------------------------
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
        if type(X) is not np.ndarray or get_config()["array_api_dispatch"]:
            adapter = adapter_for(X, self)  # dask and Array API inputs
            if adapter is not None:
                return adapter.apply(self, X, copy, False)
        return _chunks.run(self, X, copy, inverse=False)

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
        adapter = adapter_for(X, self)
        if adapter is not None:
            return adapter.apply(self, X, copy, True)
        return _chunks.run(self, X, copy, inverse=True)

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
