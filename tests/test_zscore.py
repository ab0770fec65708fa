"""ZScoreScaler against scikit-learn's StandardScaler and the formula."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn import preprocessing
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_norm import ZScoreScaler


def _data(seed=0, n_rows=50, n_features=4, nan_rate=0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_features)) * [1.0, 50.0, 0.01, 3.0] + [0.0, 7.0, -3.0, 1e3]
    X[rng.random(X.shape) < nan_rate] = np.nan
    return X


def _assert_matches(ours, ref, X):
    np.testing.assert_allclose(ours.mean_, ref.mean_, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(ours.var_, ref.var_, rtol=1e-12)
    np.testing.assert_allclose(ours.scale_, ref.scale_, rtol=1e-12)
    np.testing.assert_array_equal(ours.n_samples_seen_, ref.n_samples_seen_)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(X), ref.inverse_transform(X), rtol=1e-12)


@pytest.mark.parametrize("nan_rate", [0.0, 0.2])
def test_zscore_matches_standard_scaler(nan_rate):
    X = _data(nan_rate=nan_rate)
    _assert_matches(ZScoreScaler().fit(X), preprocessing.StandardScaler().fit(X), X)


def test_zscore_sample_weight_matches_standard_scaler():
    X = _data(nan_rate=0.1)
    w = np.random.default_rng(1).uniform(0, 3, X.shape[0])
    w[:5] = 0.0  # zero-weight rows
    ours = ZScoreScaler().fit(X, sample_weight=w)
    ref = preprocessing.StandardScaler().fit(X, sample_weight=w)
    _assert_matches(ours, ref, X)


def test_zscore_sparse_with_mean_false_matches_standard_scaler():
    rng = np.random.default_rng(2)
    X = _data(2)
    X[rng.random(X.shape) < 0.6] = 0.0
    X[rng.random(X.shape) < 0.05] = np.nan
    w = rng.integers(1, 4, X.shape[0]).astype(float)
    for fmt in ("csr_matrix", "csc_matrix", "csr_array"):
        S = getattr(sparse, fmt)(X)
        ours = ZScoreScaler(with_mean=False).fit(S, sample_weight=w)
        ref = preprocessing.StandardScaler(with_mean=False).fit(S, sample_weight=w)
        np.testing.assert_allclose(ours.var_, ref.var_, rtol=1e-12)
        np.testing.assert_array_equal(ours.n_samples_seen_, ref.n_samples_seen_)
        out = ours.transform(S)
        assert sparse.issparse(out)
        assert out.nnz == sparse.csr_matrix(S).nnz  # zeros stay zeros
        np.testing.assert_allclose(out.toarray(), ref.transform(S).toarray(), rtol=1e-12)
        back = ours.inverse_transform(out)
        assert sparse.issparse(back)
        np.testing.assert_allclose(back.toarray(), S.toarray(), rtol=1e-12)


def test_zscore_sparse_with_mean_refused_with_advice():
    with pytest.raises(TypeError, match="with_mean=False"):
        ZScoreScaler().fit(sparse.csr_matrix(np.eye(3)))


@pytest.mark.parametrize("with_mean, with_std", [(True, False), (False, True), (False, False)])
def test_zscore_without_mean_or_std_matches_standard_scaler(with_mean, with_std):
    X = _data()
    ours = ZScoreScaler(with_mean=with_mean, with_std=with_std).fit(X)
    ref = preprocessing.StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(X), ref.inverse_transform(X), rtol=1e-12)
    assert (ours.var_ is None) == (ref.var_ is None)


def test_zscore_ddof_one_is_sample_variance():
    X = _data(nan_rate=0.1)
    scaler = ZScoreScaler(ddof=1).fit(X)
    np.testing.assert_allclose(scaler.var_, np.nanvar(X, axis=0, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(
        scaler.transform(X),
        (X - np.nanmean(X, 0)) / np.nanstd(X, 0, ddof=1),
        rtol=1e-12,
        atol=1e-12,
    )


def test_zscore_constant_feature_never_divides_by_zero():
    X = np.column_stack([np.full(20, 0.1), np.full(20, 1e9 + 0.5), np.arange(20.0)])
    scaler = ZScoreScaler().fit(X)
    np.testing.assert_array_equal(scaler.scale_[:2], [1.0, 1.0])
    np.testing.assert_array_equal(scaler.var_[:2], [0.0, 0.0])
    np.testing.assert_array_equal(scaler.transform(X)[:, :2], 0.0)
    single = ZScoreScaler(ddof=1).fit(X[:1])  # one row with ddof=1: no variance
    np.testing.assert_array_equal(single.scale_, 1.0)


def test_zscore_large_mean_small_spread_float64():
    rng = np.random.default_rng(3)
    X = 1e9 + rng.uniform(-1e-3, 1e-3, (2000, 1))
    exact = X.astype(np.longdouble)
    mean = exact.mean()
    std = np.sqrt(((exact - mean) ** 2).mean())
    scaler = ZScoreScaler().fit(X)
    assert abs(scaler.scale_[0] - std) / std < 1e-12
    out = scaler.transform(X)
    # bounded by the float64 rounding of the mean itself: ulp(1e9) / std
    bound = np.spacing(1e9) / std
    assert np.max(np.abs(out - (exact - mean) / std)) < bound
    assert abs(out.std() - 1) < 1e-9
    # scikit-learn gives the same variance (both two-pass in float64)
    ref = preprocessing.StandardScaler().fit(X)
    assert abs(ref.var_[0] - scaler.var_[0]) / scaler.var_[0] < 1e-9


def test_zscore_large_mean_float32_keeps_precision():
    rng = np.random.default_rng(4)
    X = (np.float32(1e4) + rng.uniform(-1e-2, 1e-2, (3000, 1))).astype(np.float32)
    scaler = ZScoreScaler().fit(X)
    out = scaler.transform(X)
    assert out.dtype == np.float32
    exact = X.astype(np.longdouble)
    mean = exact.mean()
    ref = (exact - mean) / np.sqrt(((exact - mean) ** 2).mean())
    assert np.max(np.abs(out - ref)) < 1e-6  # a few float32 ulps of values near 1
    back = scaler.inverse_transform(out)
    np.testing.assert_array_equal(back, X)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_zscore_dtype_kept(dtype):
    X = _data()[:, :3].astype(dtype)
    out = ZScoreScaler().fit_transform(X)
    assert out.dtype == dtype
    ref = preprocessing.StandardScaler().fit_transform(X.astype(np.float64))
    np.testing.assert_allclose(out, ref, atol=8 * np.finfo(dtype).eps * np.abs(ref).max())


def test_zscore_int_input_becomes_float64():
    X = np.array([[1, 10], [3, 30]])
    out = ZScoreScaler().fit_transform(X)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[-1, -1], [1, 1]])


def test_zscore_nan_ignored_in_fit_and_kept():
    X = _data(nan_rate=0.25)
    scaler = ZScoreScaler().fit(X)
    np.testing.assert_allclose(scaler.mean_, np.nanmean(X, axis=0), rtol=1e-13)
    np.testing.assert_array_equal(scaler.n_samples_seen_, (~np.isnan(X)).sum(axis=0))
    np.testing.assert_array_equal(np.isnan(scaler.transform(X)), np.isnan(X))


def test_zscore_copy_false_in_place_and_read_only_copied():
    X = _data()
    expected = preprocessing.StandardScaler().fit_transform(X)
    scaler = ZScoreScaler(copy=False).fit(X)
    work = X.copy()
    assert scaler.transform(work) is work
    np.testing.assert_allclose(work, expected, rtol=1e-12, atol=1e-12)
    read_only = X.copy()
    read_only.flags.writeable = False
    out = scaler.transform(read_only)
    assert out is not read_only
    np.testing.assert_array_equal(read_only, X)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_zscore_copy_none_and_override():
    X = _data()
    scaler = ZScoreScaler().fit(X)
    work = X.copy()
    assert scaler.transform(work, copy=None) is not work  # None uses copy=True
    assert scaler.transform(work, copy=False) is work
    assert scaler.inverse_transform(work, copy=False) is work
    np.testing.assert_allclose(work, X, rtol=1e-13)


def test_zscore_partial_fit_with_weights_equals_fit():
    X = _data(n_rows=90, nan_rate=0.1)
    w = np.random.default_rng(5).uniform(0.5, 2, X.shape[0])
    streamed = ZScoreScaler()
    for rows in np.array_split(np.arange(X.shape[0]), 6):
        streamed.partial_fit(X[rows], sample_weight=w[rows])
    full = ZScoreScaler().fit(X, sample_weight=w)
    np.testing.assert_allclose(streamed.mean_, full.mean_, rtol=1e-13)
    np.testing.assert_allclose(streamed.var_, full.var_, rtol=1e-12)
    np.testing.assert_allclose(streamed.n_samples_seen_, full.n_samples_seen_, rtol=1e-14)
    ref = preprocessing.StandardScaler().fit(X, sample_weight=w)
    np.testing.assert_allclose(streamed.var_, ref.var_, rtol=1e-12)


def test_zscore_pandas_output_and_names():
    df = pd.DataFrame(_data(), columns=["w", "x", "y", "z"])
    out = ZScoreScaler().set_output(transform="pandas").fit_transform(df)
    assert list(out.columns) == ["w", "x", "y", "z"]
    np.testing.assert_allclose(
        out.to_numpy(), preprocessing.StandardScaler().fit_transform(df), rtol=1e-12, atol=1e-12
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@parametrize_with_checks(
    [
        ZScoreScaler(with_mean=False),
        ZScoreScaler(ddof=1),
        ZScoreScaler(with_std=False),
        ZScoreScaler(with_mean=False, with_std=False),  # learns no array attribute
    ]
)
def test_zscore_parameter_variants_pass_check_estimator(estimator, check):
    check(estimator)


def test_zscore_many_blocks_match_long_double_reference():
    # several MiB through the blocked fit and transform; scikit-learn's one-pass float64
    # sums are ~1e-12 off here, the corrected two-pass statistics are not
    rng = np.random.default_rng(6)
    X = rng.normal(size=(400_000, 3)) * 3 + 100
    X[rng.random(X.shape) < 0.05] = np.nan
    exact = X.astype(np.longdouble)
    mean = np.nanmean(exact, axis=0)
    std = np.sqrt(np.nanmean((exact - mean) ** 2, axis=0))
    scaler = ZScoreScaler().fit(X)
    np.testing.assert_allclose(scaler.mean_, mean.astype(float), rtol=1e-15)
    np.testing.assert_allclose(scaler.scale_, std.astype(float), rtol=1e-15)
    out = scaler.transform(X)
    assert np.nanmax(np.abs(out - (exact - mean) / std)) < 1e-14


def test_float16_transform_with_a_centre_beyond_float16():
    scaler = ZScoreScaler().fit(np.array([[6e4], [7e4], [8e4]]))  # mean 7e4 > 65504
    Y = scaler.transform(np.array([[6e4]], dtype=np.float16))
    expected = (float(np.float16(6e4)) - 7e4) / math.sqrt(2e8 / 3)
    assert Y.dtype == np.float16
    assert Y[0, 0] == np.float16(expected)
    back = scaler.inverse_transform(np.array([[-1.0]], dtype=np.float16))
    assert back[0, 0] == np.float16(7e4 - math.sqrt(2e8 / 3))


def test_n_samples_seen_beyond_int64_stays_float():
    X = np.array([[1.0, np.nan], [3.0, 1.0], [7.0, 2.0], [10.0, 4.0]])
    seen = ZScoreScaler().fit(X, sample_weight=[1e19, 1e19, 1, 1]).n_samples_seen_
    np.testing.assert_array_equal(seen, [2e19 + 2, 1e19 + 2])
    assert seen.dtype == np.float64
