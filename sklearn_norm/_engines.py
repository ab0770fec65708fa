"""Where an input goes: the dask adapter, the Array API adapter or the numpy core.

Both adapters summarise the data their own way (dask: one ``Stats.of`` per block,
reduced with ``merge``; Array API: on the array's device) and hand the summary to the
column-wise scaler's ``_absorb``, which learns from it as on the numpy path.
"""

import numpy as np
from sklearn import get_config

from ._validation import reject_inf
from ._xp import is_array_api


def is_dask(X):
    """Whether ``X`` is a dask collection (checked by module: dask is not imported)."""
    return type(X).__module__.split(".")[0] in ("dask", "dask_expr")


def fitted_on_device(estimator):
    """Whether ``estimator`` was fitted on non-numpy Array API arrays."""
    state = vars(estimator)
    return "_fit_space_" in state or any(
        is_array_api(v) for k, v in state.items() if k.endswith("_")
    )


def engine_for(X, estimator=None):
    """The adapter module that handles ``X`` (``None``: the numpy core does).

    Array API arrays go to the Array API adapter only under
    ``sklearn.set_config(array_api_dispatch=True)``, as in scikit-learn; so does any
    input of an estimator fitted on such arrays, which then refuses a foreign namespace.
    """
    if is_dask(X):
        from . import _dask

        return _dask
    if get_config()["array_api_dispatch"] and (
        is_array_api(X) or (estimator is not None and fitted_on_device(estimator))
    ):
        from . import _array_api

        return _array_api
    return None


def forget(estimator):
    """Delete the learned attributes (``fit`` starts afresh)."""
    for name in [k for k in vars(estimator) if k.endswith("_") and not k.startswith("__")]:
        delattr(estimator, name)


def tracks_rows(estimator, n_features, dtype):
    """Whether a sample-wise scaler learns running statistics (its ``_batch_sums``)."""
    sums = getattr(estimator, "_batch_sums", None)
    return sums is not None and sums(np.zeros((0, n_features), dtype=dtype)) is not None


def learn_rows(estimator, X, reset, partial, has_inf, sums):
    """Finish a sample-wise ``fit`` from an adapter's infinity mask and batch sums.

    ``sums`` (the scaler's ``_batch_sums`` of all of ``X``, computed by the adapter
    block by block) is handed to the scaler's ``_learn`` in place of ``X``'s.
    """
    reject_inf(estimator, has_inf)
    if sums is None:
        return estimator
    estimator._batch_sums = lambda _: sums
    try:
        estimator._learn(X, reset, partial)
    finally:
        del estimator._batch_sums
    return estimator
