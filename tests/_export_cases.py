"""The estimators and data that the ONNX and PyTorch export tests run over.

Every class of :func:`sklearn_norm.all_estimators` with its defaults, found through the
registry (a scaler landing later is exported in the tests at once), and the variants in
:data:`EXTRA` that reach the other paths of the exporters (kept statistics, channels,
clipping, offsets, weights, tracked statistics, every norm).
"""

import numpy as np

from sklearn_norm import all_estimators

N_FEATURES = 6  # divisible by 1, 2, 3 and 6 channels or groups

#: Per class name, extra parameter sets beside the defaults.
EXTRA = {
    "MinMaxScaler": [{"feature_range": (-1, 2), "clip": True}],
    "ZScoreScaler": [{"with_mean": False}, {"with_std": False}],
    "DecimalScaler": [{"per_feature": False}],
    "LogScaler": [
        {"offset": "auto", "base": 10},
        {"signed": True, "base": 2},
        {"offset": 2.5},
        {"handle_invalid": "nan"},
    ],
    "BatchNormScaler": [
        {"n_channels": 2, "weight": [1.5, -2.0], "bias": [0.5, 1.0]},
        {"eps": 0.0},
        {"momentum": 0.1},
    ],
    "LayerNormScaler": [
        {"keep_stats": True, "weight": np.linspace(0.5, 2, N_FEATURES), "bias": np.ones(6)},
        {"eps": 0.0},
    ],
    "InstanceNormScaler": [
        {"n_channels": 2, "keep_stats": True, "weight": [2.0, 3.0], "bias": [0.0, 1.0]},
        {"n_channels": 3, "track_running_stats": True},
        {"n_channels": 2, "track_running_stats": True, "keep_stats": True},
    ],
    "GroupNormScaler": [
        {"n_groups": 3, "keep_stats": True, "weight": np.arange(6.0), "bias": np.ones(6)},
        {"n_groups": 2, "n_channels": 2, "eps": 0.0},
    ],
    "RobustScaler": [{"with_centering": False}, {"with_scaling": False}],
    "QuantileScaler": [{"output_distribution": "normal"}, {"n_quantiles": 7}],
    "PowerScaler": [{"standardize": False}],  # Box-Cox (no zeros): power_branches
    "RMSNormScaler": [
        {"keep_stats": True, "weight": np.linspace(-1, 2, N_FEATURES)},
        {"eps": 0.0, "keep_stats": True},
        {"eps": 1e-3},
    ],
    "UnitNormScaler": [{"keep_norm": True}, {"norm": "l1"}, {"norm": "max", "keep_norm": True}],
}


def variants():
    """``(cls, params)`` for every estimator: its defaults, then its extra variants."""
    out = []
    for cls in all_estimators():
        out += [(cls, {})] + [(cls, params) for params in EXTRA.get(cls.__name__, [])]
    return out


def variant_id(case):
    cls, params = case
    return cls.__name__ + "".join(f"-{k}={v!r}"[:24] for k, v in params.items())


def data(dtype, seed=0, n_rows=40):
    """Positive data (every scaler's domain) with NaN, a constant row and an all-NaN row."""
    rng = np.random.default_rng(seed)
    X = rng.lognormal(1.0, 0.8, (n_rows, N_FEATURES))
    X[rng.random(X.shape) < 0.08] = np.nan
    X[1] = 2.5  # a constant row (zero variance, sample-wise)
    X[2] = np.nan  # an all-NaN row
    X[3, :3] = 0.0  # a zero channel
    return X.astype(dtype)


#: Tolerance per dtype (relative and absolute), as the contract states it.
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-12}


def power_branches(dtype, method):
    """A ``PowerScaler`` with λ set on the branches' edges (0 exactly and within float64's
    epsilon of it; for Yeo-Johnson 2 too), negative, above 2, and data with NaN: of both
    signs for Yeo-Johnson, positive for Box-Cox."""
    from sklearn_norm import PowerScaler

    rng = np.random.default_rng(4)
    X = rng.normal(0.0, 3.0, (40, N_FEATURES))
    X[0] = 0.0
    if method == "box-cox":
        X = np.abs(X) + 0.5
    X[rng.random(X.shape) < 0.08] = np.nan
    X = X.astype(dtype)
    est = PowerScaler(method=method).fit(X)
    second = 2.0 if method == "yeo-johnson" else 1.0
    est.lambdas_ = np.array([0.0, second, 1e-17, 2.0 - 1e-16, -0.7, 3.5])
    return est, X
