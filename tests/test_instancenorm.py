"""InstanceNormScaler against numpy formulas (longdouble), with and without running stats."""

import numpy as np
import pytest
from _rowwise_reference import LD, group_norm, group_stats, tolerance
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_norm import InstanceNormScaler
from sklearn_norm.functional import instance_norm

RNG = np.random.default_rng(5)
C, L = 3, 4
X = RNG.normal(2.0, 3.0, size=(20, C * L))
W, B = np.array([0.5, -2.0, 1.5]), np.array([1.0, 0.0, -1.0])


def instance_stats(X, ddof):
    """Per-instance means and variances, shape (n, C), in longdouble."""
    cube = X.astype(LD).reshape(len(X), C, L)
    return cube.mean(axis=2), cube.var(axis=2, ddof=ddof)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("affine", [False, True])
def test_instancenorm_matches_reference(dtype, affine):
    w, b = (W, B) if affine else (None, None)
    Xd = X.astype(dtype)
    Xd[4, 5] = np.nan
    Y = InstanceNormScaler(n_channels=C, weight=w, bias=b).fit_transform(Xd)
    wf = None if w is None else np.repeat(w, L)
    bf = None if b is None else np.repeat(b, L)
    assert Y.dtype == dtype
    assert_allclose(Y, group_norm(Xd, C, wf, bf)[0].astype(float), **tolerance(dtype))
    expected = instance_norm(Xd.reshape(-1, C, L), weight=w, bias=b).reshape(Xd.shape)
    assert_array_equal(Y, expected)


def test_instancenorm_keep_stats_names_and_inverse():
    est = InstanceNormScaler(n_channels=C, keep_stats=True, eps=1e-2)
    Y = est.fit_transform(X)
    _, mean, std = group_norm(X, C, eps=1e-2)
    assert_allclose(Y[:, C * L : C * L + C], mean.astype(float), rtol=1e-14)
    assert_allclose(Y[:, C * L + C :], std.astype(float), rtol=1e-14)
    kept = ["mean_c0", "mean_c1", "mean_c2", "std_c0", "std_c1", "std_c2"]
    assert est.get_feature_names_out()[C * L :].tolist() == kept
    assert_allclose(est.inverse_transform(Y), X, rtol=1e-14)
    assert not hasattr(InstanceNormScaler(n_channels=C), "inverse_transform")


def test_instancenorm_fit_learns_average_instance_statistics():
    est = InstanceNormScaler(n_channels=C, track_running_stats=True, weight=W, bias=B, eps=1e-3)
    est.fit(X)
    means, variances = instance_stats(X, ddof=1)
    running_mean, running_var = means.mean(axis=0), variances.mean(axis=0)
    assert_allclose(est.running_mean_, running_mean.astype(float), rtol=1e-14)
    assert_allclose(est.running_var_, running_var.astype(float), rtol=1e-14)
    assert est.num_batches_tracked_ == 1
    Xt = RNG.normal(size=(6, C * L))
    cube = Xt.astype(LD).reshape(6, C, L)
    ref = (cube - running_mean[:, None]) / np.sqrt(running_var[:, None] + LD(1e-3))
    ref = ref * W[:, None] + B[:, None]
    Y = est.transform(Xt)
    assert_allclose(Y, ref.reshape(6, -1).astype(float), rtol=1e-13, atol=1e-13)
    assert_allclose(est.inverse_transform(Y), Xt, rtol=1e-13, atol=1e-13)


def test_instancenorm_partial_fit_momentum_none_is_exact():
    est = InstanceNormScaler(n_channels=C, track_running_stats=True)
    for part in np.array_split(X, [3, 11]):
        est.partial_fit(part)
    full = InstanceNormScaler(n_channels=C, track_running_stats=True).fit(X)
    assert_allclose(est.running_mean_, full.running_mean_, rtol=1e-14)
    assert_allclose(est.running_var_, full.running_var_, rtol=1e-14)
    assert est.num_batches_tracked_ == 3


@pytest.mark.parametrize("momentum", [0.1, 0.7, "cumulative"])
def test_instancenorm_partial_fit_follows_pytorch_rule(momentum):
    est = InstanceNormScaler(n_channels=C, track_running_stats=True, momentum=momentum)
    mean, var = np.zeros(C, dtype=LD), np.ones(C, dtype=LD)
    for k, part in enumerate(np.array_split(X, [5, 12]), start=1):
        est.partial_fit(part)
        means, variances = instance_stats(part, ddof=1)
        a = 1 / LD(k) if momentum == "cumulative" else LD(momentum)
        mean = (1 - a) * mean + a * means.mean(axis=0)
        var = (1 - a) * var + a * variances.mean(axis=0)
        assert est.num_batches_tracked_ == k
        assert_allclose(est.running_mean_, mean.astype(float), rtol=1e-13)
        assert_allclose(est.running_var_, var.astype(float), rtol=1e-13)


def test_instancenorm_running_stats_skip_nan():
    Xn = X.copy()
    Xn[0, :L] = np.nan  # instance (0, channel 0) has no value
    Xn[1, L : L + 3] = np.nan  # instance (1, channel 1) has one value: no unbiased variance
    est = InstanceNormScaler(n_channels=C, track_running_stats=True).fit(Xn)
    cube = Xn.reshape(len(X), C, L)
    assert_allclose(est.running_mean_[0], np.mean(cube[1:, 0].mean(axis=1)), rtol=1e-14)
    expected_var = np.mean(np.delete(cube[:, 1], 1, axis=0).var(axis=1, ddof=1))
    assert_allclose(est.running_var_[1], expected_var, rtol=1e-14)


def test_instancenorm_tracked_keep_stats_are_the_running_statistics():
    est = InstanceNormScaler(n_channels=C, track_running_stats=True, keep_stats=True).fit(X)
    Y = est.transform(X[:4])
    assert_array_equal(Y[:, C * L : C * L + C], np.tile(est.running_mean_, (4, 1)))
    assert_allclose(Y[:, C * L + C :], np.tile(np.sqrt(est.running_var_ + 1e-5), (4, 1)))
    assert_allclose(est.inverse_transform(Y), X[:4], rtol=1e-14)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_channels": 5}, "n_channels=5 does not divide the 12 features"),
        ({"n_channels": 3, "weight": [1.0, 2.0]}, "weight has 2 values but there are 3 channels"),
        ({"n_channels": 12, "track_running_stats": True}, "at least 2 values"),
        ({"eps": -0.1}, "'eps' parameter"),
        ({"momentum": 2.0}, "'momentum' parameter"),
        ({"n_channels": 0}, "'n_channels' parameter"),
    ],
)
def test_instancenorm_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        InstanceNormScaler(**params).fit(X)


def test_parameters_changed_after_fit_give_clear_errors():
    from sklearn.exceptions import NotFittedError

    X = np.random.default_rng(0).normal(size=(6, 4))
    untracked = InstanceNormScaler(n_channels=2).fit(X)
    untracked.set_params(track_running_stats=True)
    with pytest.raises(NotFittedError, match="track_running_stats=False"):
        untracked.transform(X)
    with pytest.raises(ValueError, match="call fit to start again"):
        untracked.partial_fit(X)
    tracked = InstanceNormScaler(n_channels=2, track_running_stats=True).partial_fit(X)
    before = tracked.running_mean_.copy()
    tracked.set_params(n_channels=1)
    with pytest.raises(ValueError, match="call fit to start again"):
        tracked.partial_fit(X)
    np.testing.assert_array_equal(tracked.running_mean_, before)  # left as it was
    assert tracked.fit(X).running_mean_.shape == (1,)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_instancenorm_running_stats_one_pass_and_exact_rows_agree_with_longdouble(dtype):
    # rows of ordinary spread (one pass) among rows of a large mean and a tiny spread
    # (the one-pass variance would cancel: those rows take two passes)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(3000, 12))
    X[::7] = 1e4 + rng.normal(scale=1e-2, size=X[::7].shape)
    X = X.astype(dtype)
    est = InstanceNormScaler(n_channels=3, track_running_stats=True).fit(X)
    mean, var = group_stats(X, 3)
    var = var * LD(4) / LD(3)  # unbiased, L = 4
    assert_allclose(est.running_mean_, mean.mean(axis=0).astype(float), rtol=1e-14)
    assert_allclose(est.running_var_, var.mean(axis=0).astype(float), rtol=1e-12)


def test_instancenorm_running_stats_with_nan_rows_count_each_group():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(20_000, 12)) * 2 + 3
    X[rng.random(X.shape) < 0.02] = np.nan
    est = InstanceNormScaler(n_channels=3, track_running_stats=True).fit(X)
    cube = X.astype(LD).reshape(-1, 3, 4)
    present = ~np.isnan(cube)
    count = present.sum(axis=-1)
    mean = np.where(present, cube, 0).sum(axis=-1) / count
    ss = (np.where(present, cube - mean[..., None], 0) ** 2).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(count > 1, ss / (count - 1), np.nan)  # unbiased per group
    assert_allclose(est.running_mean_, np.nanmean(mean, axis=0).astype(float), rtol=1e-13)
    assert_allclose(est.running_var_, np.nanmean(var, axis=0).astype(float), rtol=1e-12)
