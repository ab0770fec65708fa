"""Scalers by short name, for building and grid-searching them."""

from collections.abc import Sequence

import numpy as np

_REGISTRY = {}
#: Called with each class registered from now on (the ONNX converters register there).
_LISTENERS = []


def register(name):
    """Class decorator registering a scaler under a short name.

    Every scaler of the package is registered in its own module; the registry is what
    :func:`make_scaler`, :func:`scaler_grid`, :func:`all_estimators` and the tests read.

    Parameters
    ----------
    name : str
        The short name (lower-case class name without ``Scaler``, e.g. ``"minmax"``).

    Returns
    -------
    decorate : callable
        The decorator: registers the class and returns it unchanged.

    Examples
    --------
    >>> from sklearn_norm import make_scaler
    >>> type(make_scaler("log")).__name__  # LogScaler is decorated @register("log")
    'LogScaler'
    """

    def decorate(cls):
        _REGISTRY[name] = cls
        for listener in _LISTENERS:
            listener(cls)
        return cls

    return decorate


def on_register(listener):
    """Call ``listener(cls)`` for every class :func:`register` registers from now on."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def _known():
    return ", ".join(repr(n) for n in sorted(_REGISTRY))


def _class_of(method):
    if method not in _REGISTRY:
        raise ValueError(f"Unknown scaler method {method!r}; known methods: {_known()}.")
    return _REGISTRY[method]


def make_scaler(method, **params):
    """Build a scaler by its short name.

    Parameters
    ----------
    method : str
        The short name a scaler is registered under (``@register("name")`` in its own
        module); an unknown name raises a ValueError listing the registered ones.
    **params
        Parameters of the scaler.

    Returns
    -------
    scaler : estimator
        An unfitted scaler.

    Examples
    --------
    >>> from sklearn_norm import make_scaler
    >>> make_scaler("log", base=2)
    LogScaler(base=2)
    """
    cls = _class_of(method)
    valid = cls().get_params()
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(
            f"Unknown parameter(s) {unknown} for {cls.__name__} ({method!r}); "
            f"valid ones: {sorted(valid)}."
        )
    return cls(**params)


def scaler_grid(step="scaler", methods=None, params=None):
    """A ``param_grid`` for ``GridSearchCV`` that searches over scalers and their parameters.

    Parameters
    ----------
    step : str, default="scaler"
        Name of the scaler's step in the pipeline.
    methods : list of str or None, default=None
        Short names of the scalers to try; None tries every registered one.
    params : dict or None, default=None
        ``{method: {parameter: list of values}}``; a method without an entry is tried
        once with its defaults.

    Returns
    -------
    grid : list of dict
        One dict per method, ``{step: [scaler], f"{step}__{parameter}": values}``.

    Examples
    --------
    >>> from sklearn_norm import scaler_grid
    >>> grid = scaler_grid(methods=["minmax", "log"], params={"log": {"base": [2, 10]}})
    >>> [sorted(g) for g in grid]
    [['scaler'], ['scaler', 'scaler__base']]
    """
    methods = sorted(_REGISTRY) if methods is None else list(methods)
    params = dict(params or {})
    stray = sorted(set(params) - set(methods))
    if stray:
        raise ValueError(f"params given for method(s) {stray} not in methods {methods}.")
    grid = []
    for method in methods:
        own = dict(params.get(method, {}))
        for name, values in own.items():
            if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
                raise ValueError(
                    f"params[{method!r}][{name!r}] must be a list of candidate values, got "
                    f"{values!r}; wrap a single value in a list: [{values!r}]."
                )
        scaler = make_scaler(method)
        make_scaler(method, **{name: values[0] for name, values in own.items() if len(values)})
        entry = {step: [scaler]}
        for name, values in own.items():
            entry[f"{step}__{name}"] = list(values)
        grid.append(entry)
    return grid


def all_estimators():
    """Every registered estimator class of sklearn_norm, sorted by name (for the tests).

    Returns
    -------
    estimators : list of type
        The classes registered with :func:`register`, sorted by class name.
    """
    import sklearn_norm  # noqa: F401  (importing the package registers every scaler)

    return sorted(_REGISTRY.values(), key=lambda cls: cls.__name__)
