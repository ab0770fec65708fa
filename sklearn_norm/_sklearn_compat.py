"""The one module that imports scikit-learn's private helpers.

A scikit-learn release that moves one of them costs a change here only.
"""

import functools

from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._array_api import get_namespace_and_device
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, validate_data

try:  # scikit-learn's view of the OpenMP/BLAS thread limits set by joblib workers
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
except ImportError:  # pragma: no cover - depends on the scikit-learn build

    def _openmp_effective_n_threads():
        import os

        return os.cpu_count() or 1


try:  # scikit-learn >= 1.9
    from sklearn.utils._array_api import check_same_namespace, move_to
except ImportError:  # pragma: no cover - older scikit-learn

    def check_same_namespace(X, estimator, *, attribute, method):
        """No-op: older scikit-learn does not check namespaces at transform time."""

    def move_to(array, *, xp, device):
        """``array`` in namespace ``xp`` on ``device``, through the host."""
        from ._xp import to_numpy

        return xp.asarray(to_numpy(array), device=device)


class CachedParamNames:
    """``BaseEstimator._get_param_names`` read from ``__init__``'s signature once per class.

    scikit-learn inspects the signature on every ``get_params``, ``clone`` and parameter
    validation (about 50 us); a class's ``__init__`` does not change, so its names are
    cached. Put before ``BaseEstimator`` in the bases.
    """

    @classmethod
    def _get_param_names(cls):
        return list(_param_names(cls))


@functools.cache
def _param_names(cls):
    return tuple(BaseEstimator._get_param_names.__func__(cls))


__all__ = [
    "CachedParamNames",
    "Interval",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "_openmp_effective_n_threads",
    "check_same_namespace",
    "get_namespace_and_device",
    "move_to",
    "validate_data",
]
