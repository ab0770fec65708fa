"""MinMaxScaler against scikit-learn and the formula."""

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn import preprocessing
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_norm import MinMaxScaler


def _data(seed=0, n_rows=40, n_features=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_rows, n_features)) * [1.0, 100.0, 0.01] + [0.0, -5.0, 3.0]


@pytest.mark.parametrize("feature_range", [(0, 1), (-1, 1), (2.5, 10)])
def test_minmax_matches_sklearn(feature_range):
    X = _data()
    ours = MinMaxScaler(feature_range=feature_range).fit(X)
    ref = preprocessing.MinMaxScaler(feature_range=feature_range).fit(X)
    for name in ("data_min_", "data_max_", "data_range_", "scale_", "min_", "n_samples_seen_"):
        np.testing.assert_allclose(
            getattr(ours, name), getattr(ref, name), rtol=1e-14, atol=1e-14, err_msg=name
        )
    X_new = _data(1)
    np.testing.assert_allclose(ours.transform(X_new), ref.transform(X_new), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(
        ours.inverse_transform(X_new), ref.inverse_transform(X_new), rtol=1e-13
    )


def test_minmax_clip_matches_sklearn():
    X, X_new = _data(), _data(2) * 3
    ours = MinMaxScaler(feature_range=(-2, 2), clip=True).fit(X).transform(X_new)
    ref = preprocessing.MinMaxScaler(feature_range=(-2, 2), clip=True).fit(X).transform(X_new)
    np.testing.assert_allclose(ours, ref, rtol=1e-13, atol=1e-13)
    assert ours.min() == -2 and ours.max() == 2


def test_minmax_constant_feature_maps_to_low_end():
    X = np.array([[5.0, 1.0], [5.0, 2.0], [5.0, 3.0]])
    scaler = MinMaxScaler(feature_range=(-1, 1)).fit(X)
    assert scaler.scale_[0] == 2.0  # (b - a) / 1: a zero range counts as 1
    np.testing.assert_array_equal(scaler.transform(X)[:, 0], [-1.0, -1.0, -1.0])
    np.testing.assert_array_equal(scaler.inverse_transform(scaler.transform(X)), X)


def test_minmax_nan_ignored_in_fit_and_kept():
    X = _data()
    X_nan = X.copy()
    X_nan[::3, 1] = np.nan
    ours = MinMaxScaler().fit(X_nan)
    np.testing.assert_array_equal(ours.data_min_, np.nanmin(X_nan, axis=0))
    np.testing.assert_array_equal(ours.data_max_, np.nanmax(X_nan, axis=0))
    out = ours.transform(X_nan)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(X_nan))


def test_minmax_float32_far_from_zero_keeps_precision():
    rng = np.random.default_rng(3)
    X = (np.float32(1e4) + rng.uniform(-1e-2, 1e-2, (500, 1))).astype(np.float32)
    out = MinMaxScaler().fit(X).transform(X)
    assert out.dtype == np.float32
    exact = X.astype(np.longdouble)
    ref = (exact - exact.min()) / (exact.max() - exact.min())
    # one float32 rounding of the result (the data range is exact in float64)
    assert np.max(np.abs(out - ref)) < 2 * np.finfo(np.float32).eps
    assert out.min() == 0 and out.max() == 1


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_minmax_dtype_kept(dtype):
    X = _data().astype(dtype)
    scaler = MinMaxScaler().fit(X)
    out = scaler.transform(X)
    assert out.dtype == dtype
    assert scaler.data_min_.dtype == np.float64
    np.testing.assert_allclose(
        out,
        MinMaxScaler().fit_transform(X.astype(np.float64)),
        rtol=0,
        atol=4 * np.finfo(dtype).eps,
    )


def test_minmax_int_input_becomes_float64():
    X = np.array([[1, 10], [3, 20], [2, 15]])
    out = MinMaxScaler().fit_transform(X)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[0, 0], [1, 1], [0.5, 0.5]])


def test_minmax_copy_false_in_place_and_read_only_copied():
    X = _data()
    expected = preprocessing.MinMaxScaler().fit_transform(X)
    scaler = MinMaxScaler(copy=False).fit(X)
    work = X.copy()
    out = scaler.transform(work)
    assert out is work
    np.testing.assert_allclose(work, expected, atol=1e-14)
    read_only = X.copy()
    read_only.flags.writeable = False
    out = scaler.transform(read_only)
    assert out is not read_only
    np.testing.assert_array_equal(read_only, X)


def test_minmax_transform_copy_overrides_constructor():
    X = _data()
    scaler = MinMaxScaler(copy=False).fit(X)
    work = X.copy()
    assert scaler.transform(work, copy=True) is not work
    np.testing.assert_array_equal(work, X)
    scaler = MinMaxScaler(copy=True).fit(X)
    work = X.copy()
    assert scaler.transform(work, copy=False) is work
    back = work.copy()
    assert scaler.inverse_transform(back, copy=False) is back
    np.testing.assert_allclose(back, X, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("fmt", ["csr_matrix", "csr_array", "csc_matrix"])
def test_minmax_sparse_refused_with_advice(fmt):
    X = getattr(sparse, fmt)(np.eye(3))
    with pytest.raises(TypeError, match=r"MinMaxScaler does not accept sparse.*toarray\(\)"):
        MinMaxScaler().fit(X)
    scaler = MinMaxScaler().fit(np.eye(3))
    with pytest.raises(TypeError, match=r"MinMaxScaler does not accept sparse.*toarray\(\)"):
        scaler.transform(X)


def test_minmax_partial_fit_equals_fit():
    X = _data(n_rows=100)
    streamed = MinMaxScaler()
    for chunk in np.array_split(X, 7):
        streamed.partial_fit(chunk)
    full = MinMaxScaler().fit(X)
    for name in ("data_min_", "data_max_", "scale_", "min_", "n_samples_seen_"):
        np.testing.assert_array_equal(getattr(streamed, name), getattr(full, name))


def test_minmax_inverse_round_trip():
    X = _data()
    scaler = MinMaxScaler(feature_range=(-3, 7)).fit(X)
    np.testing.assert_allclose(
        scaler.inverse_transform(scaler.transform(X)), X, rtol=1e-13, atol=1e-13
    )


def test_minmax_pandas_names_and_output():
    df = pd.DataFrame(_data(), columns=["a", "b", "c"])
    scaler = MinMaxScaler().set_output(transform="pandas").fit(df)
    out = scaler.transform(df)
    assert list(out.columns) == ["a", "b", "c"]
    np.testing.assert_allclose(out.to_numpy(), preprocessing.MinMaxScaler().fit_transform(df))
    assert list(scaler.get_feature_names_out()) == ["a", "b", "c"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@parametrize_with_checks([MinMaxScaler(feature_range=(-1, 1), clip=True)])
def test_minmax_parameter_variants_pass_check_estimator(estimator, check):
    check(estimator)


def test_minmax_float16_tiny_range_factor_beyond_float16():
    # range 1e-5: the factor 1e5 overflows float16; results are still rounded once
    X = np.array([[0.0], [1e-5], [5e-6]], dtype=np.float16)
    scaler = MinMaxScaler().fit(X)
    out = scaler.transform(X)
    assert out.dtype == np.float16
    exact = X.astype(np.float64)
    expected = ((exact - exact.min()) / (exact.max() - exact.min())).astype(np.float16)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(scaler.inverse_transform(out), X)


@pytest.mark.parametrize("feature_range", [(0, 1), (-1, 3)])
@pytest.mark.parametrize("centre", [0.0, 0.3, -5.0, 1e3])
def test_min_max_scale_near_constant_range_as_scikit_learn(centre, feature_range):
    # scikit-learn's _handle_zeros_in_scale: a float64 range below 10 * eps (2.2e-15)
    # counts as 1, one at or above it is divided by; both sides of the threshold
    from fractions import Fraction

    from sklearn_norm.functional import min_max_scale

    tiny = 10 * np.finfo(np.float64).eps
    spans = [0.0, 1e-17, tiny / 2, np.nextafter(tiny, 0), tiny, 3 * tiny, 1e-9]
    X = np.array([[centre + s * f for s in spans] for f in (0.0, 1.0, 0.5)])
    lo, hi = X.min(axis=0), X.max(axis=0)
    sklearn = preprocessing.MinMaxScaler(feature_range=feature_range).fit(X)
    constant = (hi - lo) < tiny
    np.testing.assert_array_equal(sklearn.scale_ == feature_range[1] - feature_range[0], constant)
    a, b = (Fraction(v) for v in feature_range)
    want = [
        [
            float(
                (Fraction(x) - Fraction(m)) * (b - a) / (1 if c else Fraction(h) - Fraction(m)) + a
            )
            for x, m, h, c in zip(row, lo, hi, constant)
        ]
        for row in X
    ]
    got = min_max_scale(X, lo, hi, feature_range=feature_range)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-14)
