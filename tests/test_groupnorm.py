"""GroupNormScaler against the numpy formula (longdouble)."""

import numpy as np
import pytest
from _rowwise_reference import group_norm, tolerance
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_norm import GroupNormScaler, InstanceNormScaler, LayerNormScaler
from sklearn_norm.functional import group_norm as group_norm_function

RNG = np.random.default_rng(9)
C, L = 6, 3
X = RNG.normal(-1.0, 2.0, size=(15, C * L))
W, B = RNG.normal(size=C), RNG.normal(size=C)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_groups", [1, 2, 3, 6])
def test_groupnorm_matches_reference(dtype, n_groups):
    Xd = X.astype(dtype)
    Xd[2, 4] = np.nan
    est = GroupNormScaler(n_groups=n_groups, n_channels=C, weight=W, bias=B, eps=1e-4)
    Y = est.fit_transform(Xd)
    ref = group_norm(Xd, n_groups, np.repeat(W, L), np.repeat(B, L), eps=1e-4)[0]
    assert Y.dtype == dtype
    assert_allclose(Y, ref.astype(float), **tolerance(dtype))
    expected = group_norm_function(Xd.reshape(-1, C, L), n_groups, W, B, eps=1e-4)
    assert_array_equal(Y, expected.reshape(Xd.shape))


def test_groupnorm_one_channel_per_feature_by_default():
    Y = GroupNormScaler(n_groups=3).fit_transform(X)
    assert_allclose(Y, group_norm(X, 3)[0].astype(float), rtol=1e-12, atol=1e-12)


def test_groupnorm_limits_are_layer_and_instance_norm():
    per_channel = GroupNormScaler(n_groups=C, n_channels=C, weight=W, bias=B).fit_transform(X)
    instance = InstanceNormScaler(n_channels=C, weight=W, bias=B).fit_transform(X)
    assert_allclose(per_channel, instance, rtol=0, atol=0)
    one = GroupNormScaler(n_groups=1, n_channels=C, weight=W).fit_transform(X)
    layer = LayerNormScaler(weight=np.repeat(W, L)).fit_transform(X)
    assert_allclose(one, layer, rtol=0, atol=0)


def test_groupnorm_keep_stats_names_and_inverse():
    est = GroupNormScaler(n_groups=2, n_channels=C, weight=W, keep_stats=True).fit(X)
    Y = est.transform(X)
    _, mean, std = group_norm(X, 2)
    assert_allclose(Y[:, -4:-2], mean.astype(float), rtol=1e-14)
    assert_allclose(Y[:, -2:], std.astype(float), rtol=1e-14)
    assert est.get_feature_names_out()[-4:].tolist() == ["mean_g0", "mean_g1", "std_g0", "std_g1"]
    assert_allclose(est.inverse_transform(Y), X, rtol=1e-13, atol=1e-14)
    assert not hasattr(GroupNormScaler(n_groups=2), "inverse_transform")


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_groups": 4, "n_channels": C}, "n_groups=4 does not divide the 6 channels"),
        ({"n_groups": 4}, "n_groups=4 does not divide the 18 channels"),
        ({"n_channels": 4}, "n_channels=4 does not divide the 18 features"),
        ({"n_channels": C, "bias": np.ones(18)}, "bias has 18 values but there are 6 channels"),
        ({"eps": -1e-9}, "'eps' parameter"),
        ({"n_groups": 0}, "'n_groups' parameter"),
    ],
)
def test_groupnorm_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        GroupNormScaler(**params).fit(X)
