"""LayerNormScaler against the numpy formula (longdouble)."""

import numpy as np
import pandas as pd
import pytest
from _rowwise_reference import group_norm, tolerance
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_norm import LayerNormScaler
from sklearn_norm.functional import layer_norm

RNG = np.random.default_rng(11)
X = RNG.normal(5.0, 3.0, size=(25, 7))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("eps", [0.0, 1e-5, 0.5])
@pytest.mark.parametrize("affine", [False, True])
def test_layernorm_matches_reference(dtype, eps, affine):
    w, b = (RNG.normal(size=7), RNG.normal(size=7)) if affine else (None, None)
    Xd = X.astype(dtype)
    Xd[3, 2] = np.nan
    Y = LayerNormScaler(eps=eps, weight=w, bias=b).fit_transform(Xd)
    assert Y.dtype == dtype
    assert_allclose(Y, group_norm(Xd, 1, w, b, eps)[0].astype(float), **tolerance(dtype))
    assert_allclose(Y, layer_norm(Xd, 7, w, b, eps), rtol=0, atol=0)


def test_layernorm_keep_stats_columns_and_exact_inverse():
    est = LayerNormScaler(eps=1e-3, keep_stats=True, weight=np.linspace(0.5, 2, 7), bias=3.0)
    Y = est.fit_transform(X)
    _, mean, std = group_norm(X, 1, eps=1e-3)
    assert Y.shape == (25, 9)
    assert_allclose(Y[:, 7], mean[:, 0].astype(float), rtol=1e-14)
    assert_allclose(Y[:, 8], std[:, 0].astype(float), rtol=1e-14)
    assert_allclose(est.inverse_transform(Y), X, rtol=1e-14)
    assert est.get_feature_names_out().tolist() == [f"x{i}" for i in range(7)] + ["mean", "std"]


def test_layernorm_inverse_only_with_keep_stats_and_nonzero_weight():
    assert not hasattr(LayerNormScaler(), "inverse_transform")
    assert hasattr(LayerNormScaler(keep_stats=True), "inverse_transform")
    weight = [1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert not hasattr(LayerNormScaler(keep_stats=True, weight=weight), "inverse_transform")


def test_layernorm_kept_names_clash_with_input_columns():
    df = pd.DataFrame(X[:, :4], columns=["mean", "std", "mean_", "a"])
    est = LayerNormScaler(keep_stats=True).set_output(transform="pandas").fit(df)
    names = ["mean", "std", "mean_", "a", "mean__", "std_"]
    assert est.get_feature_names_out().tolist() == names
    assert est.transform(df).columns.tolist() == names


def test_layernorm_zero_and_constant_rows():
    Z = np.zeros((3, 4))
    Z[1] = 7.25
    Z[2] = 0.1
    for eps in (0.0, 1e-5):
        est = LayerNormScaler(eps=eps, bias=[1.0, 2.0, 3.0, 4.0], keep_stats=True)
        Y = est.fit_transform(Z)
        assert_array_equal(Y[:, :4], np.tile([1.0, 2.0, 3.0, 4.0], (3, 1)))
        assert_array_equal(est.inverse_transform(Y), Z)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"weight": [1.0, 2.0]}, "weight has 2 values but there are 7 features"),
        ({"bias": np.ones(8)}, "bias has 8 values"),
        ({"eps": -1.0}, "'eps' parameter"),
        ({"weight": [np.nan] * 7}, "weight holds non-finite"),
    ],
)
def test_layernorm_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        LayerNormScaler(**params).fit(X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layernorm_rows_with_nan_one_pass_and_exact_match_longdouble(dtype, monkeypatch):
    # NaN scattered over many blocks' rows: well-conditioned rows with NaN take the one
    # pass (NaN left out and counted), rows with a large mean and a tiny spread two
    from sklearn_norm.functional import _rows

    exact_rows = []
    original = _rows.scaled_moments
    monkeypatch.setattr(
        _rows,
        "scaled_moments",
        lambda x, *a, **k: (exact_rows.append(len(x)), original(x, *a, **k))[1],
    )
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60_000, 40))
    X[::9] = 1e4 + rng.normal(scale=1e-2, size=X[::9].shape)
    X[rng.random(X.shape) < 0.002] = np.nan
    X[5, :] = np.nan  # a row with no value at all
    X = X.astype(dtype)
    est = LayerNormScaler(keep_stats=True).fit(X)
    Y = est.transform(X)
    # the 6,667 rows of tiny spread (and the empty one), not the ~4,600 rows with NaN
    assert 6_668 <= sum(exact_rows) < 6_668 + 1_000
    ref, mean, std = group_norm(X.astype(np.float64), 1)
    assert_array_equal(np.isnan(Y[:, :40]), np.isnan(X))
    assert_allclose(Y[:, :40], ref.astype(float), **tolerance(dtype))
    tol = 1e-6 if dtype == np.float32 else 1e-15  # the kept mean, in the data's dtype
    assert_allclose(Y[:, 40], mean[:, 0].astype(float), rtol=tol, atol=tol)
