"""RobustScaler: exact fit equal to scikit-learn's, streamed fit within its rank bound."""

import importlib
from fractions import Fraction

import numpy as np
import pytest
from scipy import sparse
from sklearn import preprocessing as skp

import sklearn_norm as sn
from sklearn_norm.functional import robust_scale


def _data(n_rows=500, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = np.column_stack(
        [
            rng.normal(5, 2, n_rows),
            rng.lognormal(0, 1.5, n_rows),
            rng.standard_cauchy(n_rows),
            np.full(n_rows, 3.0),  # constant: scale 1
            rng.integers(0, 4, n_rows).astype(float),  # ties
        ]
    )
    X[rng.random(X.shape) < 0.1] = np.nan
    return X.astype(dtype)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"quantile_range": (10.0, 90.0)},
        {"unit_variance": True},
        {"with_centering": False},
        {"with_scaling": False},
        {"quantile_range": (0.0, 100.0)},
    ],
)
def test_robust_fit_transform_equal_scikit_learn(params):
    X = _data()
    ours, theirs = sn.RobustScaler(**params).fit(X), skp.RobustScaler(**params).fit(X)
    for name in ("center_", "scale_"):
        a, b = getattr(ours, name), getattr(theirs, name)
        if b is None:
            assert a is None
        else:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, err_msg=name)
    X_new = _data(seed=1)
    np.testing.assert_allclose(ours.transform(X_new), theirs.transform(X_new), rtol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(X_new)), X_new, rtol=1e-12)
    assert ours.rank_error_ == 0.0 and ours.n_samples_seen_ == X.shape[0]


def test_robust_float32_kept_and_equal_scikit_learn():
    X = _data(dtype=np.float32)
    ours, theirs = sn.RobustScaler().fit(X), skp.RobustScaler().fit(X)
    np.testing.assert_allclose(ours.center_, theirs.center_, rtol=1e-6)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-6)
    out = ours.transform(X)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, theirs.transform(X), rtol=1e-5, atol=1e-6)


def test_robust_constant_and_tiny_scale_count_as_one():
    X = np.column_stack([np.full(9, 7.0), 1.0 + np.arange(9) * 1e-17, np.arange(9.0)])
    ours, theirs = sn.RobustScaler().fit(X), skp.RobustScaler().fit(X)
    np.testing.assert_array_equal(ours.scale_, theirs.scale_)
    assert ours.scale_[0] == 1.0


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_robust_sparse_with_centering_false_equal_scikit_learn(fmt):
    rng = np.random.default_rng(3)
    dense = np.where(rng.random((200, 4)) < 0.7, 0.0, rng.normal(size=(200, 4)))
    X = sparse.random(1, 1).asformat(fmt).__class__(dense)
    ours = sn.RobustScaler(with_centering=False).fit(X)
    theirs = skp.RobustScaler(with_centering=False).fit(X)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-12)
    out = ours.transform(X)
    assert sparse.issparse(out) and out.format == fmt
    np.testing.assert_allclose(out.toarray(), theirs.transform(X).toarray(), rtol=1e-12)
    with pytest.raises(TypeError, match="with_centering=False"):
        sn.RobustScaler().fit(X)


@pytest.mark.parametrize("bad", [(80.0, 20.0), (-1.0, 50.0), (25.0, 101.0), (1.0,)])
def test_robust_bad_quantile_range_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="quantile_range"):
        sn.RobustScaler(quantile_range=bad).fit(_data())


def test_robust_unit_variance_needs_an_open_range():
    with pytest.raises(ValueError, match="unit_variance"):
        sn.RobustScaler(unit_variance=True, quantile_range=(0.0, 100.0)).fit(_data())


def test_robust_partial_fit_small_data_is_exact():
    X = _data(n_rows=300)  # fewer values than the sketch keeps: exact
    streamed = sn.RobustScaler()
    for chunk in np.array_split(X, 7):
        streamed.partial_fit(chunk)
    full = skp.RobustScaler().fit(X)
    np.testing.assert_allclose(streamed.center_, full.center_, rtol=1e-12)
    np.testing.assert_allclose(streamed.scale_, full.scale_, rtol=1e-12)
    assert streamed.rank_error_ == 0.0


def test_robust_partial_fit_after_fit_continues_within_the_bound():
    rng = np.random.default_rng(5)
    first, second = rng.normal(0, 1, (60_000, 2)), rng.normal(3, 1, (40_000, 2))
    est = sn.RobustScaler().fit(first)
    assert est.rank_error_ == 0.0
    est.partial_fit(second)
    assert 0 < est.rank_error_ <= 0.005
    both = np.sort(np.vstack([first, second]), axis=0)
    n = both.shape[0]
    for j in range(2):
        rank = np.searchsorted(both[:, j], est.center_[j]) / n
        assert abs(rank - 0.5) <= est.rank_error_ + 1 / n


def test_robust_scale_function_is_the_formula():
    x = np.array([[1.0, 2.0], [5.0, -4.0]])
    np.testing.assert_allclose(
        robust_scale(x, [1.0, 0.0], [2.0, 0.0]), (x - [1.0, 0.0]) / [2.0, 1.0], rtol=0
    )
    np.testing.assert_array_equal(robust_scale(x, None, None), x)
    with pytest.raises(ValueError, match="center"):
        robust_scale(x, [1.0, 2.0, 3.0], None)


def test_robust_class_and_function_agree():
    X = _data()
    est = sn.RobustScaler(quantile_range=(5.0, 95.0)).fit(X)
    np.testing.assert_array_equal(est.transform(X), robust_scale(X, est.center_, est.scale_))


def _namespaces():
    names = ["numpy", "array_api_strict"]
    return names + (["torch"] if importlib.util.find_spec("torch") is not None else [])


@pytest.mark.parametrize("namespace", _namespaces())
@pytest.mark.parametrize("scale_in_subnormals", [2.5, 0.4])  # float32 rounds it: 2, 0
def test_robust_scale_float32_subnormal_scale_is_not_rounded(namespace, scale_in_subnormals):
    # a make-fuzz finding: float32 data [3e-45, -4e-45] (2 and -3 subnormals) scaled by
    # its inter-quartile range 2.5 subnormals gave [1, -1.5] (the scale rounded to 2,
    # 25% off) where the formula gives [1, -1]; a scale rounding to 0 gave inf on torch
    tiny = Fraction(float(np.finfo(np.float32).smallest_subnormal))
    x = np.array([[2.0], [-3.0]]) * float(tiny)
    centre, scale = -0.5 * float(tiny), scale_in_subnormals * float(tiny)
    want = [float((Fraction(float(v)) - Fraction(centre)) / Fraction(scale)) for v in x[:, 0]]
    xp = importlib.import_module(namespace)
    got = robust_scale(xp.asarray(x.astype(np.float32)), [centre], [scale])
    got = np.asarray(got if namespace == "numpy" else [[float(v)] for v in got[:, 0]])
    # the centre's half subnormal is not a float32 (an input-side rounding, at most
    # half a subnormal); the scale is applied in float64, rounding once
    allowed = 0.5 * float(tiny) / scale + 4 * np.finfo(np.float32).eps * np.abs(want)
    assert np.all(np.abs(got[:, 0] - want) <= allowed), (got, want)


@pytest.mark.parametrize("scaler", [sn.RobustScaler, sn.ZScoreScaler])
def test_all_nan_feature_does_not_turn_off_the_halved_map(scaler):
    # make fuzz: a float32 feature near float32's largest value is mapped on halved
    # values (x - centre overflows float32); an all-NaN feature's NaN centre hid the
    # largest centre, so 2.1e38 - (-1.55e38) overflowed to inf
    col = np.array([[9.2279173e37], [-1.5510829e38], [-3.0927324e38], [-3.2574387e38]])
    col = np.vstack([col, [[2.1106865e38]]]).astype(np.float32)
    X = np.hstack([np.full_like(col, np.nan), col])
    ref = (skp.RobustScaler if scaler is sn.RobustScaler else skp.StandardScaler)()
    expected = ref.fit_transform(col.astype(np.float64))
    for est in (scaler().fit(X), scaler().partial_fit(X)):
        got = est.transform(X)
        assert np.isnan(got[:, 0]).all()
        np.testing.assert_allclose(got[:, 1:], expected, rtol=1e-6)
