"""The one module that imports scikit-learn's private helpers.

A scikit-learn release that moves one of them costs a change here only.
"""

from sklearn.base import _fit_context
from sklearn.utils._array_api import get_namespace_and_device
from sklearn.utils._param_validation import (
    Interval,
    StrOptions,
    make_constraint,
    validate_parameter_constraints,
)
from sklearn.utils._set_output import _get_output_config as get_output_config
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


__all__ = [
    "Interval",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "_openmp_effective_n_threads",
    "check_same_namespace",
    "get_namespace_and_device",
    "get_output_config",
    "make_constraint",
    "move_to",
    "validate_parameter_constraints",
    "validate_data",
]
