"""The one module that imports scikit-learn's private helpers.

A scikit-learn release that moves one of them costs a change here only.
"""

import functools

from sklearn.base import BaseEstimator, _fit_context
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


class CachedParamNames:
    """A class's parameter names and constraint objects, built once per class.

    scikit-learn inspects ``__init__``'s signature on every ``get_params``, ``clone``
    and parameter validation (about 50 us), and builds every constraint object of
    ``_parameter_constraints`` anew on every ``fit`` (about 30 us); a class's
    ``__init__`` and constraints do not change, so both are cached. A parameter no
    constraint accepts goes through scikit-learn's own validation, which raises its
    usual ``InvalidParameterError``. A plain value (bool, number, string, None) once
    accepted for a parameter of a class is accepted again without asking the
    constraints. Put before ``BaseEstimator`` in the bases.
    """

    @classmethod
    def _get_param_names(cls):
        return list(_param_names(cls))

    def _validate_params(self):
        constraints = _constraints(type(self))
        accepted = _accepted(type(self))
        for name, value in self.get_params(deep=False).items():
            key = (name, type(value), value) if type(value) in PLAIN_TYPES else None
            if key is not None and key in accepted:
                continue
            made = constraints.get(name)
            if made is None or any(c.is_satisfied_by(value) for c in made):
                if key is not None and value == value and len(accepted) < _MAX_ACCEPTED:
                    accepted.add(key)  # NaN is never equal to itself: not kept
                continue
            validate_parameter_constraints(
                {name: self._parameter_constraints[name]},
                {name: value},
                caller_name=type(self).__name__,
            )


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


__all__ = [
    "CachedParamNames",
    "Interval",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "_openmp_effective_n_threads",
    "check_same_namespace",
    "get_namespace_and_device",
    "get_output_config",
    "move_to",
    "validate_data",
]
