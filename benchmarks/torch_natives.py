"""The PyTorch-native equivalent of each estimator's calls, for ``bench_torch.py``.

``cases(torch, n_features)`` lists ``(label, make estimator, {call: native})``: a native
fit is ``native(X, fitted estimator)``, a native map ``native(X, terms)`` with the fitted
map's terms as tensors (``bench_torch.native_terms``); ``None`` where PyTorch has no
equivalent.
"""

import sklearn_norm as sn

#: channels of the grouped scalers
N_CHANNELS = 5


def cases(torch, n_features):
    """``[(label, make estimator, {op: native(X, fitted) or None})]``."""
    F = torch.nn.functional
    c = N_CHANNELS

    def var_mean(X, est):
        return torch.var_mean(X, 0)

    def aminmax(X, est):
        return torch.aminmax(X, dim=0)

    def isinf(X, est):
        return bool(torch.isinf(X).any())

    zscore = {
        "fit": var_mean,
        "partial_fit": var_mean,
        "transform": lambda X, t: (X - t["mean"]) / t["scale"],
        "inverse_transform": lambda X, t: X * t["scale"] + t["mean"],
    }
    minmax = {
        "fit": aminmax,
        "partial_fit": aminmax,
        "transform": lambda X, t: (X - t["data_min"]) * t["scale"],
        "inverse_transform": lambda X, t: X / t["scale"] + t["data_min"],
    }
    batchnorm = {
        "fit": var_mean,
        "partial_fit": var_mean,
        "transform": lambda X, t: F.batch_norm(X, t["mean"], t["var"], training=False),
        "inverse_transform": lambda X, t: X * t["scale"] + t["mean"],
    }
    decimal = {
        "fit": lambda X, est: torch.amax(X.abs(), 0),
        "partial_fit": lambda X, est: torch.amax(X.abs(), 0),
        "transform": lambda X, t: X * t["scale"],
        "inverse_transform": lambda X, t: X / t["scale"],
    }
    log = {
        "fit": lambda X, est: torch.amin(X, 0),
        "partial_fit": lambda X, est: torch.amin(X, 0),
        "transform": lambda X, t: torch.log1p(X),
        "inverse_transform": lambda X, t: torch.expm1(X),
    }

    def grouped(X, n_groups):
        return F.group_norm(X.view(X.shape[0], c, -1), n_groups).view(X.shape)

    rows = {"fit": isinf, "partial_fit": isinf}
    return [
        ("ZScoreScaler()", sn.ZScoreScaler, zscore),
        ("MinMaxScaler()", sn.MinMaxScaler, minmax),
        ("BatchNormScaler()", sn.BatchNormScaler, batchnorm),
        ("DecimalScaler()", sn.DecimalScaler, decimal),
        ("LogScaler()", sn.LogScaler, log),
        (
            "UnitNormScaler()",
            sn.UnitNormScaler,
            {**rows, "transform": lambda X, t: F.normalize(X, dim=1)},
        ),
        (
            "LayerNormScaler()",
            sn.LayerNormScaler,
            {**rows, "transform": lambda X, t: F.layer_norm(X, (n_features,))},
        ),
        (
            f"GroupNormScaler(n_groups={c}, n_channels={c})",
            lambda: sn.GroupNormScaler(n_groups=c, n_channels=c),
            {**rows, "transform": lambda X, t: grouped(X, c)},
        ),
        (
            "RMSNormScaler()",
            sn.RMSNormScaler,
            {**rows, "transform": lambda X, t: F.rms_norm(X, (n_features,))},
        ),
        (
            f"InstanceNormScaler(n_channels={c})",
            lambda: sn.InstanceNormScaler(n_channels=c),
            {
                **rows,
                "transform": lambda X, t: F.instance_norm(X.view(X.shape[0], c, -1)).view(X.shape),
            },
        ),
        *kept_cases(torch, n_features, rows),
        *column_cases(torch),
    ]


def kept_cases(torch, n_features, rows):
    """The sample-wise scalers that keep their statistics, so can be inverted: natively
    ``(x - mean) / std`` per row (group) with the statistics appended, and back."""
    c = N_CHANNELS

    def kept(X, g, eps):
        x = X.view(X.shape[0], g, -1)
        var, mean = torch.var_mean(x, -1, keepdim=True, correction=0)
        std = (var + eps).sqrt()
        return torch.cat([((x - mean) / std).flatten(1), mean.flatten(1), std.flatten(1)], 1)

    def unkept(Y, g):
        x = Y[:, :n_features].view(Y.shape[0], g, -1)
        mean, std = Y[:, n_features : n_features + g, None], Y[:, n_features + g :, None]
        return (x * std + mean).flatten(1)

    def unit(X):
        norm = torch.linalg.vector_norm(X, dim=1, keepdim=True)
        return torch.cat([X / norm, norm], 1)

    def rms(X):
        eps = torch.finfo(X.dtype).eps
        r = (X.square().mean(1, keepdim=True) + eps).sqrt()
        return torch.cat([X / r, r], 1)

    def scaled_back(Y, t):
        return Y[:, :n_features] * Y[:, n_features:]

    def grouped(make, g):
        return (
            make,
            {
                "transform": lambda X, t: kept(X, g, 1e-5),
                "inverse_transform": lambda Y, t: unkept(Y, g),
            },
        )

    return [
        ("UnitNormScaler(keep_norm=True)", lambda: sn.UnitNormScaler(keep_norm=True))
        + ({"transform": lambda X, t: unit(X), "inverse_transform": scaled_back},),
        ("RMSNormScaler(keep_stats=True)", lambda: sn.RMSNormScaler(keep_stats=True))
        + ({"transform": lambda X, t: rms(X), "inverse_transform": scaled_back},),
        ("LayerNormScaler(keep_stats=True)",)
        + grouped(lambda: sn.LayerNormScaler(keep_stats=True), 1),
        (f"GroupNormScaler(n_groups={c}, n_channels={c}, keep_stats=True)",)
        + grouped(lambda: sn.GroupNormScaler(n_groups=c, n_channels=c, keep_stats=True), c),
        (f"InstanceNormScaler(n_channels={c}, keep_stats=True)",)
        + grouped(lambda: sn.InstanceNormScaler(n_channels=c, keep_stats=True), c),
    ]


def column_cases(torch):
    """MaxAbs, Robust, Quantile and Power: natively the sort ``torch.quantile`` runs
    (without its limit of 2**24 values), the expressions of the maps; Yeo-Johnson's
    positive branch only (the data are positive), and no native fit of its λ (``None``)."""

    def ranks(X, q):  # columns sorted as rows: 1.5x faster than along dim 0
        return torch.sort(X.T.contiguous(), 1).values[:, ((X.shape[0] - 1) * q).long()].T

    def robust_fit(X, est):
        return ranks(X, torch.tensor([0.25, 0.5, 0.75], dtype=torch.float64))

    def quantile_fit(X, est):
        return ranks(X, torch.linspace(0, 1, est.n_quantiles_, dtype=torch.float64))

    def interp(X, t):  # per column: the quantile interval of each value, linear within
        q, n = t["quantiles"].T.contiguous(), t["quantiles"].shape[0]
        x = X.T.contiguous()
        i = torch.searchsorted(q, x).clamp_(1, n - 1)
        lo, hi = q.gather(1, i - 1), q.gather(1, i)
        w = ((x - lo) / (hi - lo)).nan_to_num_(0.0).clamp_(0.0, 1.0)
        return ((i - 1 + w) / (n - 1)).T

    def uninterp(Y, t):
        q, n = t["quantiles"].T.contiguous(), t["quantiles"].shape[0]
        p = Y.T * (n - 1)
        i = p.floor().clamp_(0, n - 2).long()
        lo, hi = q.gather(1, i), q.gather(1, i + 1)
        return (lo + (p - i) * (hi - lo)).T

    def yeo_johnson(X, t):
        lam = t["lambdas"]
        return ((torch.pow(X + 1, lam) - 1) / lam - t["mean"]) / t["scale"]

    def yeo_johnson_back(Y, t):
        lam = t["lambdas"]
        return torch.pow((Y * t["scale"] + t["mean"]) * lam + 1, 1 / lam) - 1

    def amax(X, est):
        return torch.amax(X.abs(), 0)

    return [
        (
            "MaxAbsScaler()",
            sn.MaxAbsScaler,
            {
                "fit": amax,
                "partial_fit": amax,
                "transform": lambda X, t: X / t["scale"],
                "inverse_transform": lambda X, t: X * t["scale"],
            },
        ),
        (
            "RobustScaler()",
            sn.RobustScaler,
            {
                "fit": robust_fit,
                "partial_fit": robust_fit,
                "transform": lambda X, t: (X - t["center"]) / t["scale"],
                "inverse_transform": lambda X, t: X * t["scale"] + t["center"],
            },
        ),
        (
            "QuantileScaler()",
            sn.QuantileScaler,
            {
                "fit": quantile_fit,
                "partial_fit": quantile_fit,
                "transform": interp,
                "inverse_transform": uninterp,
            },
        ),
        (
            "PowerScaler()",
            sn.PowerScaler,
            {
                "fit": None,
                "partial_fit": None,
                "transform": yeo_johnson,
                "inverse_transform": yeo_johnson_back,
            },
        ),
    ]
