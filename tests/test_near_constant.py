"""Near-constant data: scikit-learn's rules where a class has a scikit-learn twin, PyTorch's
formula (however small the spread) for the deep norms.

References: scikit-learn's scalers, PyTorch's outputs stored in
``tests/fixtures/near_constant_torch.npz`` (written by ``make_near_constant_fixtures.py``),
and exact rational arithmetic (:mod:`fractions`) on the float64 inputs.
"""

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import preprocessing

from sklearn_norm import (
    BatchNormScaler,
    GroupNormScaler,
    InstanceNormScaler,
    LayerNormScaler,
    MinMaxScaler,
    ZScoreScaler,
)
from sklearn_norm import functional as F

TORCH = np.load(Path(__file__).parent / "fixtures" / "near_constant_torch.npz")
N_CASES = sum(1 for key in TORCH.files if key.endswith("/x")) - 1  # one is "issue"
EPSILONS = (1e-12, 0.0)


def exact_norm(groups, eps, ddof=0, stored_mean=False):
    """``(x - mean) / sqrt(var + eps)`` of each row of ``groups`` (2-D), from exact sums.

    The mean and variance are exact fractions of the float64 inputs; only the square
    root and the final division are rounded (about 1 ulp). A zero denominator gives 0.
    ``stored_mean``: ``x - mean`` takes the mean rounded to float64, as it is when kept
    as a running mean (PyTorch's batch norm, ``BatchNormScaler.running_mean_``).
    """
    out = np.empty(groups.shape)
    denoms = np.empty(groups.shape)
    for i, row in enumerate(groups):
        values = [Fraction(float(v)) for v in row]
        mean = sum(values) / len(values)
        var = sum((v - mean) ** 2 for v in values) / (len(values) - ddof)
        denom = math.sqrt(float(var + Fraction(eps)))
        centre = Fraction(float(mean)) if stored_mean else mean
        out[i] = [0.0 if denom == 0 else float((v - centre) / Fraction(denom)) for v in values]
        denoms[i] = denom
    return out, denoms


def ours(method, x, eps):
    """The function's and the estimator's output of ``method`` on the (6, 8) case ``x``."""
    if method == "layer_norm":
        return F.layer_norm(x, (8,), eps=eps), LayerNormScaler(eps=eps).fit_transform(x)
    if method == "group_norm":
        return (
            F.group_norm(x.reshape(6, 4, 2), 2, eps=eps).reshape(6, 8),
            GroupNormScaler(n_groups=2, n_channels=4, eps=eps).fit_transform(x),
        )
    if method == "instance_norm":
        return (
            F.instance_norm(x.reshape(6, 2, 4), eps=eps).reshape(6, 8),
            InstanceNormScaler(n_channels=2, eps=eps).fit_transform(x),
        )
    est = BatchNormScaler(eps=eps).fit(x)
    return (
        F.batch_norm(x, est.running_mean_, est.running_var_, eps=eps),
        est.transform(x),
    )


def exact(method, x, eps):
    """The exact result and the exact denominator of each value."""
    if method == "batch_norm":
        return (a.T for a in exact_norm(x.T, eps, ddof=1, stored_mean=True))
    size = 8 if method == "layer_norm" else 4
    return (a.reshape(6, 8) for a in exact_norm(x.reshape(-1, size), eps))


METHODS = ("layer_norm", "group_norm", "instance_norm", "batch_norm")


@pytest.mark.parametrize("eps", EPSILONS)
@pytest.mark.parametrize("case", range(N_CASES))
@pytest.mark.parametrize("method", METHODS)
def test_deep_norms_follow_pytorch_formula_on_near_constant_data(method, case, eps):
    x = TORCH[f"{case}/x"]
    expected, denom = exact(method, x, eps)
    reference = TORCH[f"{case}/{eps}/{method}"].reshape(x.shape)
    # PyTorch within its own float64 rounding: its mean and variance are off by a few
    # ulps of the centre, which the denominator magnifies, so it is compared where the
    # spread is at least 64 such ulps (where it is a few ulps, or PyTorch divides 0 by 0
    # for a row it finds constant with eps=0, only the exact reference applies)
    ulp = np.spacing(np.abs(x).max())
    finite = np.isfinite(reference) & (denom >= 64 * ulp)
    tol = 8 * ulp / np.where(denom == 0, 1.0, denom) + 1e-9
    for got in ours(method, x, eps):
        assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
        assert (np.abs(got - reference)[finite] <= tol[finite]).all()


def test_layer_norm_of_the_issue_matches_pytorch():
    x = TORCH["issue/x"]
    expected = TORCH["issue/layer_norm"]
    assert_allclose(expected, [[-0.905, 0.302, 1.508, -0.905]], atol=1e-3)
    assert_allclose(F.layer_norm(x, (4,), eps=1e-12), expected, rtol=1e-9)
    assert_allclose(LayerNormScaler(eps=1e-12).fit_transform(x), expected, rtol=1e-9)
    column = BatchNormScaler(eps=1e-12).fit(x.T)
    expected = exact_norm(x, 1e-12, ddof=1, stored_mean=True)[0].T
    assert_allclose(column.transform(x.T), expected, rtol=1e-9)


@pytest.mark.parametrize("centre", [0.0, 1.0, 1e12, -7e15, 1e300])
def test_layernorm_eps0_gives_unit_values(centre):
    spread = 4 * np.spacing(abs(centre)) if centre else 1e-100
    x = np.array([[centre - spread, centre + spread], [centre + spread, centre - spread]])
    assert_array_equal(LayerNormScaler(eps=0).fit_transform(x), [[-1.0, 1.0], [1.0, -1.0]])
    assert_array_equal(F.layer_norm(x, (2,), eps=0.0), [[-1.0, 1.0], [1.0, -1.0]])


CONSTANT_ROWS = np.array(
    [
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        [1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3],
        [1e300, 1e300, 1e300, 1e300, 1e300, 1e300],
        [0.7, np.nan, 0.7, 0.7, 0.7, 0.7],
        [-2.9e-310, -2.9e-310, -2.9e-310, -2.9e-310, -2.9e-310, -2.9e-310],
    ]
)


@pytest.mark.parametrize(
    "make",
    [
        lambda: LayerNormScaler(eps=0),
        lambda: GroupNormScaler(n_groups=2, eps=0),
        lambda: InstanceNormScaler(n_channels=3, eps=0),
        lambda: InstanceNormScaler(n_channels=3, eps=0, keep_stats=True),
    ],
    ids=["layer", "group", "instance", "instance-keep_stats"],
)
def test_zero_variance_with_eps0_is_zero_not_nan(make):
    y = make().fit_transform(CONSTANT_ROWS)
    values = y[:, :6]
    assert_array_equal(values, np.where(np.isnan(CONSTANT_ROWS), np.nan, 0.0))


def test_zero_variance_with_eps0_functions():
    for y in (
        F.layer_norm(CONSTANT_ROWS, (6,), eps=0.0),
        F.group_norm(CONSTANT_ROWS.reshape(5, 6, 1), 2, eps=0.0).reshape(5, 6),
        F.instance_norm(CONSTANT_ROWS.reshape(5, 3, 2), eps=0.0).reshape(5, 6),
    ):
        assert_array_equal(np.where(np.isnan(CONSTANT_ROWS), 0.0, y), 0.0)


@pytest.mark.parametrize("weighted", [False, True])
def test_batchnorm_constant_column_eps0_is_zero(weighted):
    X = CONSTANT_ROWS.T[:, [0, 1, 2, 4]]
    weights = np.arange(1.0, 7.0) if weighted else None
    est = BatchNormScaler(eps=0).fit(X, sample_weight=weights)
    assert_array_equal(est.transform(X), 0.0)


# -- scikit-learn's rules -----------------------------------------------------------------
def test_zscore_near_constant_feature_follows_scikit_learn():
    # var 1e-8, below scikit-learn's bound (100 * eps * 1e10)**2 ~ 4.9e-8: constant
    X = 1e10 + 1e-4 * np.tile([[1.0, 0.0], [-1.0, 0.0]], (50, 1)) + [0.0, 1.0]
    X[::2, 1] += 0.2  # var 0.01, far above the bound: scaled
    ours, theirs = ZScoreScaler().fit(X), preprocessing.StandardScaler().fit(X)
    assert_allclose(ours.scale_, theirs.scale_, rtol=1e-6)
    assert ours.scale_[0] == 1.0
    # scikit-learn's float64 mean is off by up to an ulp of 1e10 (2e-6)
    assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-4, atol=1e-5)


def test_zscore_near_constant_rule_counts_the_weights():
    X = 1e10 + 1e-4 * np.array([[1.0], [-1.0], [1.0], [-1.0]])
    weights = np.full(4, 25.0)  # the weight of 100 samples: constant by the rule
    ours = ZScoreScaler().fit(X, sample_weight=weights)
    theirs = preprocessing.StandardScaler().fit(X, sample_weight=weights)
    assert ours.scale_[0] == theirs.scale_[0] == 1.0
    assert ZScoreScaler().fit(X).scale_[0] != 1.0  # 4 samples: scaled


@pytest.mark.parametrize(
    "X",
    [
        [[0.1 + 0.2], [0.3], [0.3]],
        [[1.0], [1.0 + 2e-15], [1.0]],  # a range below 10 * eps: constant
        [[1.0], [1.0 + 4e-15], [1.0]],  # above: scaled
        [[5.0, 1e-300], [5.0, 0.0]],
    ],
)
def test_minmax_range_below_ten_eps_counts_as_zero(X):
    X = np.asarray(X)
    expected = preprocessing.MinMaxScaler().fit_transform(X)
    assert_allclose(MinMaxScaler().fit_transform(X), expected, rtol=1e-12, atol=1e-15)
    assert_allclose(
        F.min_max_scale(X, X.min(axis=0), X.max(axis=0)), expected, rtol=1e-12, atol=1e-15
    )
