"""The one module that imports scikit-learn's private helpers.

A scikit-learn release that moves one of them costs a change here only.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, validate_data

try:  # scikit-learn's view of the OpenMP/BLAS thread limits set by joblib workers
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
except ImportError:  # pragma: no cover - depends on the scikit-learn build

    def _openmp_effective_n_threads():
        import os

        return os.cpu_count() or 1


__all__ = [
    "Interval",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "_openmp_effective_n_threads",
    "validate_data",
]
