"""BatchNormScaler against independent references: numpy formulas and StandardScaler."""

from fractions import Fraction

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_checks

from sklearn_norm import BatchNormScaler, make_scaler
from sklearn_norm.functional._affine import batch_norm_kernel

RNG = np.random.default_rng(0)
X = RNG.normal(3.0, 2.0, size=(40, 6))


def channel_view(X, n_channels):
    """``(n_samples * L, C)``: every value of a channel in one column (numpy reference)."""
    n, f = X.shape
    return X.reshape(n, n_channels, f // n_channels).transpose(0, 2, 1).reshape(-1, n_channels)


def reference_transform(X, mean, var, eps, n_channels, weight=1.0, bias=0.0):
    n, f = X.shape
    cube = X.reshape(n, n_channels, f // n_channels)
    out = (cube - mean[:, None]) / np.sqrt(var[:, None] + eps)
    return (out * np.reshape(weight, (-1, 1)) + np.reshape(bias, (-1, 1))).reshape(n, f)


def test_batchnorm_fit_matches_standard_scaler():
    scaler = BatchNormScaler(eps=0.0).fit(X)
    ref = StandardScaler().fit(X)
    n = X.shape[0]
    assert_allclose(scaler.running_mean_, ref.mean_, rtol=1e-13)
    assert_allclose(scaler.running_var_, ref.var_ * n / (n - 1), rtol=1e-13)
    assert scaler.num_batches_tracked_ == 1
    assert scaler.n_samples_seen_ == n
    expected = ref.transform(X) * np.sqrt((n - 1) / n)
    assert_allclose(scaler.transform(X), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n_channels", [1, 2, 3])
def test_batchnorm_channels_pool_samples_and_length(n_channels):
    weight = np.arange(1.0, n_channels + 1)
    bias = -np.arange(n_channels, dtype=float)
    scaler = BatchNormScaler(n_channels=n_channels, weight=weight, bias=bias, eps=1e-3)
    Y = scaler.fit_transform(X)
    values = channel_view(X, n_channels)
    mean, var = values.mean(axis=0), values.var(axis=0, ddof=1)
    assert_allclose(scaler.running_mean_, mean, rtol=1e-13)
    assert_allclose(scaler.running_var_, var, rtol=1e-13)
    assert_allclose(Y, reference_transform(X, mean, var, 1e-3, n_channels, weight, bias))
    assert_allclose(scaler.inverse_transform(Y), X, rtol=1e-12)


def test_batchnorm_sample_weight_is_frequency():
    w = RNG.integers(0, 4, size=X.shape[0])
    weighted = BatchNormScaler(n_channels=2).fit(X, sample_weight=w)
    repeated = BatchNormScaler(n_channels=2).fit(np.repeat(X, w, axis=0))
    assert_allclose(weighted.running_mean_, repeated.running_mean_, rtol=1e-13)
    assert_allclose(weighted.running_var_, repeated.running_var_, rtol=1e-12)
    assert weighted.n_samples_seen_ == w.sum()


def test_batchnorm_nan_ignored_and_kept():
    Xn = X.copy()
    Xn[::3, 1] = np.nan
    scaler = BatchNormScaler(n_channels=3).fit(Xn)
    values = channel_view(Xn, 3)
    assert_allclose(scaler.running_mean_, np.nanmean(values, axis=0), rtol=1e-13)
    assert_allclose(scaler.running_var_, np.nanvar(values, axis=0, ddof=1), rtol=1e-12)
    assert_array_equal(np.isnan(scaler.transform(Xn)), np.isnan(Xn))


def test_batchnorm_partial_fit_exact_equals_fit():
    scaler = BatchNormScaler(n_channels=3)
    for chunk in np.array_split(X, 4):
        scaler.partial_fit(chunk)
    full = BatchNormScaler(n_channels=3).fit(X)
    assert_allclose(scaler.running_mean_, full.running_mean_, rtol=1e-13)
    assert_allclose(scaler.running_var_, full.running_var_, rtol=1e-12)
    assert scaler.num_batches_tracked_ == 4


def torch_rule(batches, momentum, n_channels):
    """PyTorch's documented running update, written out with numpy."""
    mean, var = np.zeros(n_channels), np.ones(n_channels)
    for k, batch in enumerate(batches, start=1):
        values = channel_view(batch, n_channels)
        a = 1.0 / k if momentum == "cumulative" else momentum
        mean = (1 - a) * mean + a * values.mean(axis=0)
        var = (1 - a) * var + a * values.var(axis=0, ddof=1)
    return mean, var


@pytest.mark.parametrize("momentum", [0.1, 0.5, 1.0, "cumulative"])
def test_batchnorm_partial_fit_momentum_is_pytorch_rule(momentum):
    batches = np.array_split(X, 5)
    scaler = BatchNormScaler(momentum=momentum, n_channels=2)
    for batch in batches:
        scaler.partial_fit(batch)
    mean, var = torch_rule(batches, momentum, 2)
    assert_allclose(scaler.running_mean_, mean, rtol=1e-12)
    assert_allclose(scaler.running_var_, var, rtol=1e-12)
    assert scaler.num_batches_tracked_ == 5


def test_batchnorm_fit_ignores_momentum():
    scaler = BatchNormScaler(momentum=0.1).fit(X)
    assert_allclose(scaler.running_mean_, X.mean(axis=0), rtol=1e-13)
    assert scaler.num_batches_tracked_ == 1


def test_batchnorm_one_sample_refused():
    with pytest.raises(ValueError, match="1 sample"):
        BatchNormScaler().fit(X[:1])
    with pytest.raises(ValueError, match="1 sample"):
        BatchNormScaler(momentum=0.1).fit(X).partial_fit(X[:1])
    # one sample with L = 3 values per channel is enough, as in BatchNorm2d
    scaler = BatchNormScaler(n_channels=2).fit(X[:1])
    assert_allclose(scaler.running_var_, channel_view(X[:1], 2).var(axis=0, ddof=1))


def test_batchnorm_failed_partial_fit_changes_nothing():
    scaler = BatchNormScaler(momentum=0.5).partial_fit(X[:10])
    before = scaler.running_mean_.copy()
    with pytest.raises(ValueError, match="1 sample"):
        scaler.partial_fit(X[10:11])
    assert_array_equal(scaler.running_mean_, before)
    assert scaler.num_batches_tracked_ == 1


def test_batchnorm_large_mean_small_spread():
    Xl = 1e9 + RNG.normal(0.0, 1e-3, size=(200, 2))
    Y = BatchNormScaler(eps=0.0).fit_transform(Xl)
    # the correctly rounded mean (fsum / n rounds twice and can be 1 ulp off)
    centred = Xl - [float(sum(map(Fraction, col)) / len(col)) for col in Xl.T]
    ref = centred / centred.std(axis=0, ddof=1)
    assert_allclose(Y, ref, atol=1e-5)


def test_batchnorm_constant_channel_with_zero_eps():
    Xc = np.column_stack([X[:, 0], np.full(X.shape[0], 7.0)])
    Y = BatchNormScaler(eps=0.0, bias=[0.0, 2.5]).fit_transform(Xc)
    assert_array_equal(Y[:, 1], 2.5)
    assert np.isfinite(Y).all()


def test_batchnorm_float32_kept():
    X32 = X.astype(np.float32)
    scaler = BatchNormScaler(n_channels=3)
    Y = scaler.fit_transform(X32)
    assert Y.dtype == np.float32
    ref = reference_transform(X, scaler.running_mean_, scaler.running_var_, 1e-5, 3)
    assert_allclose(Y, ref, rtol=1e-5, atol=1e-5)


def test_batchnorm_sparse_refused():
    with pytest.raises(TypeError, match="toarray"):
        BatchNormScaler().fit(sparse.csr_array(X))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_channels": 4}, "n_channels=4 does not divide"),
        ({"n_channels": 2, "weight": [1.0, 2.0, 3.0]}, "weight has 3 values"),
        ({"bias": [1.0]}, "bias has 1 values"),
        ({"weight": [np.inf] * 6}, "non-finite"),
        ({"eps": -1e-5}, "eps"),
        ({"momentum": 1.5}, "momentum"),
        ({"momentum": -0.1}, "momentum"),
        ({"momentum": "running"}, "momentum"),
        ({"n_channels": 0}, "n_channels"),
    ],
)
def test_batchnorm_bad_params(params, match):
    with pytest.raises(ValueError, match=match):
        BatchNormScaler(**params).fit(X)


def test_batchnorm_bad_params_at_partial_fit():
    with pytest.raises(ValueError, match="n_channels=4"):
        BatchNormScaler(n_channels=4, momentum=0.1).partial_fit(X)


def test_batchnorm_make_scaler():
    assert isinstance(make_scaler("batchnorm", n_channels=2), BatchNormScaler)


@pytest.mark.parametrize(
    "check",
    [
        estimator_checks.check_set_output_transform,
        estimator_checks.check_set_output_transform_pandas,
        estimator_checks.check_transformer_get_feature_names_out,
        estimator_checks.check_transformer_get_feature_names_out_pandas,
        estimator_checks.check_param_validation,
        estimator_checks.check_estimators_partial_fit_n_features,
        estimator_checks.check_n_features_in_after_fitting,
    ],
)
@pytest.mark.filterwarnings("ignore:X (does not have valid|has) feature names")  # by design
def test_batchnorm_sklearn_checks(check):
    check("BatchNormScaler", BatchNormScaler())


def test_batch_norm_kernel_in_place_and_array_api():
    import array_api_strict as xp

    mean, var = np.array([1.0, -2.0]), np.array([4.0, 0.25])
    kernel = batch_norm_kernel(mean, var, [2.0, 1.0], [0.5, 0.0], eps=0.0, channel_size=3)
    expected = reference_transform(X, mean, var, 0.0, 2, [2.0, 1.0], [0.5, 0.0])
    Y = X.copy()
    assert kernel(Y, out=Y) is Y
    assert_allclose(Y, expected, rtol=1e-14)
    Z = kernel(xp.asarray(X))
    assert isinstance(Z, type(xp.asarray(X)))
    assert_allclose(np.asarray(Z), expected, rtol=1e-14)
    inverse = batch_norm_kernel(
        mean, var, [2.0, 1.0], [0.5, 0.0], eps=0.0, channel_size=3, inverse=True
    )
    assert_allclose(inverse(Y), X, rtol=1e-13)


@pytest.mark.parametrize("in_place", [False, True])
def test_batch_norm_kernel_factor_beyond_float32_both_ways(in_place):
    # 1 / sqrt(1e-80) = 1e40 is no float32: both directions multiply / divide by the
    # float64 factor and round once (a float32 factor of inf would give inf, then 0)
    x = np.array([[1e-35, -2e-36, 0.0]], dtype=np.float32)
    forward = batch_norm_kernel([0.0], [1e-80], eps=0.0, channel_size=3)
    inverse = batch_norm_kernel([0.0], [1e-80], eps=0.0, channel_size=3, inverse=True)
    out = np.empty_like(x) if in_place else None
    y = forward(x, out=out)
    assert y.dtype == np.float32
    assert_allclose(y, x.astype(np.float64) * 1e40, rtol=1e-7)
    expected = y.astype(np.float64) / 1e40
    back = inverse(y, out=y if in_place else None)
    assert back.dtype == np.float32
    assert_allclose(back, expected, rtol=1e-7)
    assert_allclose(back, x, rtol=2e-7)
