"""The one table of parameter variants (as scikit-learn's ``PER_ESTIMATOR_CHECK_PARAMS``).

Every estimator is found through the registry (``sklearn_norm.all_estimators()``) and
tested with its defaults; this table adds, per class and per purpose, the parameters
under which it learns, keeps or inverts more. A new scaler needs an entry only where its
defaults do not show a behaviour (e.g. ``inverse_transform`` needs ``keep_stats=True``).

Purposes:

``round_trip``
    one set of parameters under which ``inverse_transform`` is available.
``sparse``
    one set of parameters under which sparse input stays sparse.
``persist``
    one set of parameters that learns and keeps the most state (persistence tests).
``checks``
    more instances for scikit-learn's estimator checks (any number of features).
``six_features``
    more instances for data of six features (Array API, dask).
``dask``
    more instances for the dask tests (six features).
``on_device``
    the sample-wise instances tried on a device without float64.
``function``
    the parameters under which the scaler equals its stateless function.
``bound``
    ``{"bound": f}``: ``f(n_features)`` bounds the magnitude of every output value.
"""

import math

from sklearn_norm import all_estimators

VARIANTS = {
    "BatchNormScaler": {
        "checks": [{"momentum": 0.1}, {"momentum": "cumulative"}],
        "six_features": [{"n_channels": 2, "weight": [2.0, 0.5], "bias": [1.0, -1.0]}],
        "dask": [{"n_channels": 2, "weight": [2.0, 0.5]}],
    },
    "GroupNormScaler": {
        "bound": {"bound": math.sqrt},
        "round_trip": {"keep_stats": True},
        "persist": {"keep_stats": True},
        "checks": [{"keep_stats": True}],
        "six_features": [{"n_groups": 2, "keep_stats": True}],
        "dask": [{"n_groups": 3, "keep_stats": True}],
        "on_device": [{"n_groups": 2, "keep_stats": True}],
    },
    "InstanceNormScaler": {
        "bound": {"bound": math.sqrt},
        "round_trip": {"keep_stats": True},
        "persist": {"keep_stats": True, "track_running_stats": True},
        "checks": [{"keep_stats": True}, {"track_running_stats": True}],
        "six_features": [
            {"n_channels": 2, "track_running_stats": True},
            {"n_channels": 3, "keep_stats": True},
        ],
        "dask": [{"n_channels": 2, "track_running_stats": True}],
        "on_device": [
            {"n_channels": 3, "keep_stats": True},
            {"n_channels": 2, "track_running_stats": True},
        ],
    },
    "LayerNormScaler": {
        "bound": {"bound": math.sqrt},
        "round_trip": {"keep_stats": True},
        "persist": {"keep_stats": True},
        "checks": [{"keep_stats": True}],
        "six_features": [{"keep_stats": True}],
        "on_device": [{"keep_stats": True}],
    },
    "LogScaler": {
        "sparse": {"signed": True},
        "persist": {"offset": "auto", "base": 2},
        "dask": [{"offset": "auto"}],
    },
    "MaxAbsScaler": {"bound": {"bound": lambda n: 1.0}},
    "RMSNormScaler": {
        "bound": {"bound": math.sqrt},
        "round_trip": {"keep_stats": True},
        "persist": {"keep_stats": True},
        "checks": [{"keep_stats": True}],
        "six_features": [{"keep_stats": True, "weight": [0.5, 2.0, 1.0, 1.0, -1.0, 3.0]}],
        "dask": [{"keep_stats": True}],
        "on_device": [{"keep_stats": True}],
    },
    "PowerScaler": {"function": {"standardize": False}},
    "RobustScaler": {"sparse": {"with_centering": False}},
    "UnitNormScaler": {
        "bound": {"bound": lambda n: 1.0},
        "round_trip": {"keep_norm": True},
        "persist": {"keep_norm": True},
        "checks": [{"keep_norm": True}, {"norm": "max"}],
        "six_features": [{"keep_norm": True}],
        "dask": [{"keep_norm": True}],
        "on_device": [{"keep_norm": True}, {"norm": "l1"}],
    },
    "ZScoreScaler": {"sparse": {"with_mean": False}, "persist": {"ddof": 1}},
}

ESTIMATORS = all_estimators()
NAMES = [cls.__name__ for cls in ESTIMATORS]


def params(cls, purpose):
    """The one set of parameters of ``cls`` for ``purpose`` (``{}``: its defaults)."""
    return dict(VARIANTS.get(cls.__name__, {}).get(purpose, {}))


def instances(purpose, defaults=True):
    """Every registered estimator with its defaults (unless ``defaults=False``), then the
    table's instances for ``purpose``, in the order of the registry's classes."""
    found = [cls() for cls in ESTIMATORS] if defaults else []
    for cls in ESTIMATORS:
        found += [cls(**p) for p in VARIANTS.get(cls.__name__, {}).get(purpose, [])]
    return found
