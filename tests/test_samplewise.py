"""Behaviour every sample-wise scaler shares: round trips, copies, NaN, dtypes, checks."""

import pickle

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks

from sklearn_norm import (
    GroupNormScaler,
    InstanceNormScaler,
    LayerNormScaler,
    UnitNormScaler,
    make_scaler,
)
from sklearn_norm import functional as F

RNG = np.random.default_rng(3)
X = RNG.normal(1.0, 2.0, size=(30, 8))

REVERSIBLE = [
    UnitNormScaler(keep_norm=True),
    UnitNormScaler(norm="max", keep_norm=True),
    LayerNormScaler(keep_stats=True, weight=np.arange(1.0, 9.0), bias=1.0),
    InstanceNormScaler(n_channels=2, keep_stats=True),
    InstanceNormScaler(n_channels=4, track_running_stats=True, weight=[1.0, 2.0, 3.0, 4.0]),
    InstanceNormScaler(n_channels=2, track_running_stats=True, momentum=0.3, keep_stats=True),
    GroupNormScaler(n_groups=2, keep_stats=True, eps=0.0),
    GroupNormScaler(n_channels=4, n_groups=2, weight=[1.0, -2.0, 3.0, 0.5], keep_stats=True),
]
ONE_WAY = [
    UnitNormScaler(),
    LayerNormScaler(),
    InstanceNormScaler(n_channels=2),
    GroupNormScaler(n_groups=4),
    LayerNormScaler(keep_stats=True, weight=0.0),
]


# the checks use data of any width: parameters that fit every number of features
CHECKED = [
    UnitNormScaler(keep_norm=True),
    LayerNormScaler(keep_stats=True, bias=1.0),
    InstanceNormScaler(keep_stats=True, weight=2.0),
    InstanceNormScaler(track_running_stats=True, momentum=0.3),
    GroupNormScaler(keep_stats=True, eps=0.0),
    UnitNormScaler(),
    LayerNormScaler(),
    InstanceNormScaler(),
    GroupNormScaler(),
]


def ids(estimators):
    return [repr(est) for est in estimators]


@pytest.mark.parametrize("est", REVERSIBLE, ids=ids(REVERSIBLE))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_samplewise_inverse_round_trip(est, dtype):
    Xd = X.astype(dtype)
    Y = clone(est).fit(Xd).transform(Xd)
    assert Y.dtype == dtype
    back = est.fit(Xd).inverse_transform(Y)
    assert back.dtype == dtype and back.shape == X.shape
    tol = 1e-13 if dtype == np.float64 else 2e-6
    assert_allclose(back, Xd, rtol=tol, atol=tol)


@pytest.mark.parametrize("est", ONE_WAY, ids=ids(ONE_WAY))
def test_samplewise_inverse_absent_when_impossible(est):
    assert not hasattr(est, "inverse_transform")
    assert not hasattr(est.fit(X), "inverse_transform")


@pytest.mark.parametrize(
    "check",
    [
        estimator_checks.check_transformer_get_feature_names_out,
        estimator_checks.check_transformer_get_feature_names_out_pandas,
        estimator_checks.check_set_output_transform,
        estimator_checks.check_set_output_transform_pandas,
        estimator_checks.check_global_set_output_transform_polars,
        estimator_checks.check_param_validation,
        estimator_checks.check_n_features_in_after_fitting,
    ],
)
@pytest.mark.parametrize("est", CHECKED, ids=ids(CHECKED))
@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
@pytest.mark.filterwarnings("ignore:X has feature names")
def test_samplewise_sklearn_checks(est, check):
    check(type(est).__name__, clone(est))


@pytest.mark.parametrize("est", REVERSIBLE + ONE_WAY[:4], ids=ids(REVERSIBLE + ONE_WAY[:4]))
def test_samplewise_copy_semantics(est):
    Xc = X.copy()
    est = clone(est).fit(Xc)
    expected = est.transform(X)
    out = est.transform(Xc, copy=False)
    keeps = out.shape[1] > X.shape[1]
    if keeps:  # extra columns: a new array, X untouched
        assert_array_equal(Xc, X)
    else:
        assert out is Xc
    assert_allclose(out, expected, rtol=0, atol=0)
    read_only = X.copy()
    read_only.flags.writeable = False
    assert_allclose(est.set_params(copy=False).transform(read_only), expected, rtol=0, atol=0)
    assert_array_equal(read_only, X)
    fresh = X.copy()
    est.transform(fresh, copy=True)
    assert_array_equal(fresh, X)


@pytest.mark.parametrize("est", REVERSIBLE + ONE_WAY[:4], ids=ids(REVERSIBLE + ONE_WAY[:4]))
def test_samplewise_nan_stays_in_place_and_dtypes(est):
    Xn = X.copy()
    Xn[2, 3] = Xn[5, :] = np.nan
    est = clone(est).fit(X)
    Y = est.transform(Xn)
    assert_array_equal(np.isnan(Y[:, : X.shape[1]]), np.isnan(Xn))
    clean = np.delete(np.arange(len(X)), [2, 5])
    assert_allclose(Y[clean], est.transform(X)[clean], rtol=0, atol=0)
    assert est.transform(X.astype(np.float32)).dtype == np.float32
    assert est.transform(np.rint(X).astype(np.int64)).dtype == np.float64


@pytest.mark.parametrize("est", REVERSIBLE + ONE_WAY[:4], ids=ids(REVERSIBLE + ONE_WAY[:4]))
def test_samplewise_errors(est):
    est = clone(est)
    with pytest.raises(NotFittedError):
        est.transform(X)
    est.fit(X)
    before = {k: v for k, v in vars(est).items() if k.endswith("_")}
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(X[:, :5])
    assert {k for k in vars(est) if k.endswith("_")} == set(before)
    bad = X.copy()
    bad[1, 6] = np.inf
    with pytest.raises(ValueError, match="infinite values in column 6"):
        est.transform(bad)
    with pytest.raises(ValueError, match="infinite values in column 6"):
        clone(est).fit(bad)
    if hasattr(est, "inverse_transform"):
        with pytest.raises(ValueError, match="columns"):
            est.inverse_transform(np.zeros((2, 3)))


def test_samplewise_failed_fit_leaves_the_estimator_unchanged():
    est = InstanceNormScaler(n_channels=2, track_running_stats=True).fit(X)
    mean = est.running_mean_.copy()
    est.set_params(n_channels=3)
    with pytest.raises(ValueError, match="n_channels=3"):
        est.fit(X)
    assert_array_equal(est.running_mean_, mean)
    assert est.n_features_in_ == 8


@pytest.mark.parametrize("est", REVERSIBLE + ONE_WAY[:4], ids=ids(REVERSIBLE + ONE_WAY[:4]))
def test_samplewise_pickle_and_pandas(est):
    est = clone(est)
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(8)])
    Y = est.set_output(transform="pandas").fit(df).transform(df)
    assert list(Y.columns) == list(est.get_feature_names_out())
    again = pickle.loads(pickle.dumps(est))
    assert_array_equal(again.transform(df).to_numpy(), Y.to_numpy())


@pytest.mark.parametrize(
    "est, function",
    [
        (LayerNormScaler(eps=1e-3), lambda x: F.layer_norm(x, x.shape[1], eps=1e-3)),
        (InstanceNormScaler(n_channels=4), lambda x: F.instance_norm(x.reshape(len(x), 4, -1))),
        (
            GroupNormScaler(n_groups=2, n_channels=4),
            lambda x: F.group_norm(x.reshape(len(x), 4, -1), 2),
        ),
        (UnitNormScaler(norm="l1"), lambda x: F.unit_norm(x, "l1")),
    ],
)
def test_samplewise_many_blocks_on_threads_equal_the_function(est, function):
    big = RNG.normal(size=(6000, 96))  # several MiB: many row blocks, on the thread pool
    big[::7, 5] = np.nan
    assert_array_equal(est.fit(big).transform(big), function(big).reshape(big.shape))


@pytest.mark.parametrize("name", ["unitnorm", "layernorm", "instancenorm", "groupnorm"])
def test_samplewise_make_scaler(name):
    est = make_scaler(name, eps=0.5) if name != "unitnorm" else make_scaler(name, norm="l1")
    assert est.fit(X).transform(X).shape == X.shape


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_groups", [1, 2])
def test_groupnorm_block_one_pass_and_exact_rows_agree_with_long_double(dtype, n_groups):
    """Well-conditioned rows take the one-pass statistics, rows with a large mean and a
    small spread (or constant, or NaN) the exact two-pass path: both as good as a
    long-double reference, in one block and whatever the row's neighbours."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(400, 12))
    X[::3] = 1e6 + rng.normal(scale=1e-2, size=X[::3].shape)  # mean**2 >> variance
    X[5] = 3.0  # constant row
    X[7, 4] = np.nan
    X = X.astype(dtype)
    est = GroupNormScaler(n_groups=n_groups, keep_stats=True, eps=0.0)
    Y = est.fit_transform(X)
    ref = X.astype(np.longdouble).reshape(400, n_groups, -1)
    mean = np.nanmean(ref, axis=-1, keepdims=True)
    std = np.sqrt(np.nanmean((ref - mean) ** 2, axis=-1, keepdims=True))
    expected = ((ref - mean) / np.where(std == 0, 1, std)).reshape(400, 12)
    tol = 1e-9 if dtype == np.float64 else 2e-6
    assert_allclose(Y[:, :12].astype(float), expected.astype(float), rtol=0, atol=tol)
    assert_array_equal(est.transform(X[1::2]), Y[1::2])  # a row's result: that row alone
