"""PowerScaler and power_transform against scikit-learn's PowerTransformer and scipy."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import special, stats
from sklearn.base import clone
from sklearn.preprocessing import PowerTransformer

from sklearn_norm import PowerScaler
from sklearn_norm.functional import _power_mle as mle
from sklearn_norm.functional import power_transform


def _columns(n, seed=0, negative=True):
    """Smooth and skewed features; with ``negative``, some take values of both signs."""
    rng = np.random.default_rng(seed)
    cols = [
        rng.normal(6.0, 1.0, n),
        rng.lognormal(0.0, 1.0, n),
        rng.exponential(2.0, n),
        rng.uniform(0.1, 4.0, n),
        rng.chisquare(3, n) ** 2,
        1.0 / rng.uniform(0.05, 1.0, n),
    ]
    if negative:
        cols += [rng.normal(0.0, 1.0, n), rng.gamma(2.0, 1.0, n) - 2.5, -rng.lognormal(0, 1, n)]
    return np.column_stack(cols)


CASES = [
    ("yeo-johnson", lambda: _columns(2000)),
    ("box-cox", lambda: _columns(2000, negative=False)),
]


@pytest.mark.parametrize(("method", "make"), CASES, ids=[c[0] for c in CASES])
def test_power_lambdas_and_transform_match_scikit_learn(method, make):
    X = make()
    X[::37, 1] = np.nan
    ours = PowerScaler(method=method).fit(X)
    ref = PowerTransformer(method=method).fit(X)
    assert_allclose(ours.lambdas_, ref.lambdas_, rtol=0, atol=1e-4)
    assert_allclose(ours.mean_, ref._scaler.mean_, rtol=1e-6, atol=1e-8)
    assert_allclose(ours.scale_, ref._scaler.scale_, rtol=1e-6)
    Y = ours.transform(X)
    assert_allclose(Y, ref.transform(X), rtol=1e-5, atol=1e-6)
    assert np.isnan(Y[::37, 1]).all()
    assert_allclose(ours.inverse_transform(Y), X, rtol=1e-9)
    no_std = PowerScaler(method=method, standardize=False).fit(X)
    ref_no_std = PowerTransformer(method=method, standardize=False).fit(X)
    assert_allclose(no_std.transform(X), ref_no_std.transform(X), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("method", ["yeo-johnson", "box-cox"])
def test_power_float32_kept_and_lambdas_match(method):
    X = _columns(3000, seed=1, negative=method == "yeo-johnson").astype(np.float32)
    ours = PowerScaler(method=method).fit(X)
    ref = PowerTransformer(method=method).fit(X.astype(np.float64))
    assert_allclose(ours.lambdas_, ref.lambdas_, rtol=0, atol=1e-4)
    Y = ours.transform(X)
    assert Y.dtype == np.float32
    assert_allclose(Y, ref.transform(X.astype(np.float64)), rtol=1e-4, atol=1e-4)


def test_power_lambdas_on_large_data_match_scikit_learn():
    # more rows than the subsample: a first estimate, then Newton passes over all rows
    X = _columns(3 * mle.SUBSAMPLE_ROWS + 5, seed=2)[:, [1, 4, 7, 8]]
    ours = PowerScaler().fit(X)
    assert_allclose(ours.lambdas_, PowerTransformer().fit(X).lambdas_, rtol=0, atol=1e-4)


def test_power_one_pass_over_the_data_settles_most_features(monkeypatch):
    X = _columns(4 * mle.SUBSAMPLE_ROWS, seed=3)
    widths, values_only = [], []  # features of each pass over all the rows
    real = mle.data_moments

    def counted(data, lam, method, columns, order=4):
        if data.shape[0] == X.shape[0]:
            (widths if order else values_only).append(len(columns))
        return real(data, lam, method, columns, order)

    monkeypatch.setattr(mle, "data_moments", counted)
    PowerScaler().fit(X)
    assert widths[0] == X.shape[1]
    assert sum(widths[1:]) <= X.shape[1] // 3, widths
    assert len(values_only) <= 1  # the statistics at the final λ, where the step was long


@pytest.mark.parametrize("method", ["yeo-johnson", "box-cox"])
@pytest.mark.parametrize("offset", [-0.02, 0.004, 0.02])
def test_power_step_lands_within_its_error_estimate_of_scipy(method, offset):
    # one pass at scipy's optimum + offset: the step lands on scipy's λ within the
    # estimated error, and the Taylor mean and variance there are scipy's transform's
    rng = np.random.default_rng(12)
    x = rng.gamma(2.0, 1.5, 200_000) + (0.05 if method == "box-cox" else -2.0)
    if method == "yeo-johnson":
        best, transform = stats.yeojohnson_normmax(x), stats.yeojohnson
    else:
        best, transform = stats.boxcox_normmax(x, method="mle"), special.boxcox
    at = np.array([best + offset])
    moments = mle.data_moments(x[:, None], at, method, np.array([0]))
    step, error = mle.quadratic_step(*mle.likelihood(moments, at)[1:])
    assert 0 < error[0] < 1e-5
    assert abs(at[0] + step[0] - best) <= 2 * error[0] + 1e-9
    mean, var = mle.taylor(moments, step)
    y = transform(x, at[0] + step[0])
    assert_allclose([mean[0], var[0]], [y.mean(), y.var()], rtol=1e-8)


def _llf_long_double(x, lam, method):
    """The profile log-likelihood, directly from its definition in long double."""
    x = x.astype(np.longdouble)
    lam = np.longdouble(lam)
    if method == "box-cox":
        t, a, sign = np.log(x), lam, np.ones_like(x)
    else:
        t, sign = np.log1p(np.abs(x)), np.where(x < 0, -1, 1).astype(np.longdouble)
        a = np.where(x < 0, 2 - lam, lam)
    y = sign * np.where(a == 0, t, np.expm1(a * t) / np.where(a == 0, 1, a))
    var = np.mean((y - y.mean()) ** 2)
    return float(-x.size / 2 * np.log(var) + (lam - 1) * np.sum(sign * t))


@pytest.mark.parametrize("method", ["yeo-johnson", "box-cox"])
@pytest.mark.parametrize("lam", [-2.5, -0.3, 0.0, 1e-9, 0.7, 2.0, 3.1])
def test_power_likelihood_and_derivatives_match_scipy(method, lam):
    rng = np.random.default_rng(4)
    x = rng.lognormal(0.0, 0.8, 500)
    if method == "yeo-johnson":
        x = x - 1.2
    llf = stats.yeojohnson_llf if method == "yeo-johnson" else stats.boxcox_llf

    def ours(at):
        moments = mle.data_moments(x[:, None], np.array([at]), method, np.array([0]))
        return [v[0] for v in mle.likelihood(moments, np.array([at]))]

    f, g, h, k, q = ours(lam)
    assert_allclose(f, _llf_long_double(x, lam, method), rtol=1e-12)
    if lam == 1e-9:
        return  # scipy's own value loses digits there (its log-space variance at tiny λ)
    assert_allclose(f, llf(lam, x), rtol=1e-11)
    step = 1e-4  # central differences of scipy's own log-likelihood
    assert_allclose(g, (llf(lam + step, x) - llf(lam - step, x)) / (2 * step), rtol=1e-6)
    second = (llf(lam + step, x) - 2 * llf(lam, x) + llf(lam - step, x)) / step**2
    assert_allclose(h, second, rtol=1e-4)
    step = 1e-2  # the third and fourth derivatives: central differences of scipy's ℓ
    at = {i: llf(lam + i * step, x) for i in range(-3, 4)}
    third = (at[2] - 2 * at[1] + 2 * at[-1] - at[-2]) / (2 * step**3)
    assert_allclose(k, third, rtol=1e-3, atol=1e-3 * abs(h))
    fourth = (at[2] - 4 * at[1] + 6 * at[0] - 4 * at[-1] + at[-2]) / step**4
    assert_allclose(q, fourth, rtol=1e-2, atol=1e-2 * abs(h))


@pytest.mark.parametrize("lam", [-1.5, 0.0, 0.5, 1.0, 2.0, 2.5])
def test_power_transform_function_matches_scipy(lam):
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(0, 3, 200), [0.0, -0.0, 1e-12, -1e-12]])
    assert_allclose(
        power_transform(x[:, None], [lam]).ravel(), stats.yeojohnson(x, lam), rtol=1e-14
    )
    pos = np.abs(x) + 0.1
    got = power_transform(pos[:, None], lam, method="box-cox").ravel()
    assert_allclose(got, special.boxcox(pos, lam), rtol=1e-14)
    with pytest.raises(ValueError, match="method must be"):
        power_transform(pos[:, None], lam, method="cox")


def test_power_box_cox_refuses_non_positive_values_naming_the_column():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 0.0, -2.0]})
    with pytest.raises(ValueError, match=r"2 value\(s\) <= 0 in column 'b'"):
        PowerScaler(method="box-cox").fit(X)
    est = PowerScaler(method="box-cox").fit(X.abs() + 1)
    before = est.lambdas_.copy()
    with pytest.raises(ValueError, match="strictly positive.*column 'b'"):
        est.transform(X)
    with pytest.raises(ValueError, match="column 'b'"):
        est.fit(X)
    assert_allclose(est.lambdas_, before)


@pytest.mark.parametrize("method", ["yeo-johnson", "box-cox"])
@pytest.mark.parametrize("value", [1e19, 1e18, 3.0, 7e300])
def test_power_large_constant_feature_standardises_to_zero(method, value):
    # a fuzz finding: expm1(log1p(x)) rounds x by up to ~40 ulp, so a constant 1e19 gave
    # 32768 (as scikit-learn's fit().transform(); its fit_transform gives 0)
    X = np.full((2, 1), value)  # (scikit-learn's Box-Cox refuses constant data)
    ref = PowerTransformer().fit_transform(X) if value < 1e300 else np.zeros((2, 1))
    for est in (PowerScaler(method=method).fit(X), PowerScaler(method=method).partial_fit(X)):
        assert_array_equal(est.transform(X), ref)
        assert_array_equal(est.inverse_transform(est.transform(X)), X)
    # near-constant: scikit-learn's constant rule keeps the scale 1; the map is exact
    X = np.array([[1e18], [1e18 + 1024], [1e18]])
    ref = PowerTransformer().fit_transform(X)
    assert_array_equal(PowerScaler(method=method).fit(X).transform(X), ref)


def test_power_transform_function_exact_at_lambda_one():
    x = np.array([[1e19, 2.0], [-3e17, 0.5]])
    assert_array_equal(power_transform(x, [1.0, 1.0]), x)
    assert_array_equal(power_transform(np.abs(x), [1.0, 1.0], method="box-cox"), np.abs(x) - 1)


def test_power_constant_and_empty_features_keep_lambda_one():
    X = np.column_stack([np.full(20, 3.0), np.linspace(1, 4, 20), np.full(20, np.nan)])
    for method in ("yeo-johnson", "box-cox"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            est = PowerScaler(method=method).fit(X)
            Y = est.transform(X)
        assert est.lambdas_[0] == 1.0 and est.lambdas_[2] == 1.0
        assert est.scale_[0] == 1.0
        assert_allclose(Y[:, 0], 0.0)
        assert np.isnan(Y[:, 2]).all()
    ref = PowerTransformer().fit(X[:, :2])
    ours = PowerScaler().fit(X[:, :2]).transform(X[:, :2])
    assert_allclose(ours, ref.transform(X[:, :2]), rtol=1e-6, atol=1e-7)


def test_power_values_too_large_for_any_lambda_name_the_column():
    X = np.array([[1.0, -1e150], [2.0, 1e150], [3.0, 5.0]])
    with pytest.raises(ValueError, match="too large.*column 1.*overflows float64"):
        PowerScaler().fit(X)


@pytest.mark.parametrize("method", ["yeo-johnson", "box-cox"])
def test_power_unsettled_features_go_to_scipy(method, monkeypatch):
    # no Newton pass allowed: every feature is handed to scipy's own optimiser
    monkeypatch.setattr(mle, "MAX_PASSES", 0)
    X = _columns(500, seed=8, negative=method == "yeo-johnson")
    ours = PowerScaler(method=method).fit(X)
    ref = PowerTransformer(method=method).fit(X)
    assert_allclose(ours.lambdas_, ref.lambdas_, rtol=0, atol=1e-6)
    assert_allclose(ours.mean_, ref._scaler.mean_, rtol=1e-6, atol=1e-8)


def test_power_streamed_lambda_close_to_exact_on_a_million_values():
    rng = np.random.default_rng(9)
    n = 10**6
    X = np.column_stack([rng.normal(size=n), rng.lognormal(size=n), rng.gamma(3, size=n)])
    exact = PowerScaler().fit(X)
    streamed = PowerScaler()
    for chunk in np.array_split(X, 7):
        streamed.partial_fit(chunk)
    assert 0 < streamed.rank_error_ <= 0.005
    assert exact.rank_error_ == 0.0
    assert_allclose(streamed.lambdas_, exact.lambdas_, rtol=0, atol=0.02)


def test_power_small_stream_equals_fit():
    X = _columns(60, seed=10)
    exact = PowerScaler().fit(X)
    streamed = PowerScaler()
    for chunk in np.array_split(X, 4):
        streamed.partial_fit(chunk)
    assert streamed.rank_error_ == 0.0
    assert_allclose(streamed.lambdas_, exact.lambdas_, rtol=1e-10)


def test_power_partial_fit_after_fit_continues_or_is_refused(monkeypatch):
    X = _columns(30, seed=11)
    doubled = PowerScaler().fit(np.vstack([X, X]))
    continued = PowerScaler().fit(X).partial_fit(X)  # a small fit keeps its sketch
    assert_allclose(continued.lambdas_, doubled.lambdas_, rtol=0, atol=1e-10)
    monkeypatch.setattr("sklearn_norm._power.FIT_SKETCH_VALUES", X.size - 1)
    est = PowerScaler().fit(X)
    before = est.lambdas_.copy()
    with pytest.raises(ValueError, match="cannot add to this fit"):
        est.partial_fit(X)
    assert_allclose(est.lambdas_, before)
    assert clone(est).partial_fit(X).partial_fit(X).transform(X).shape == X.shape


def test_power_bench_runs_quick(capsys):
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_power.py"
    spec = importlib.util.spec_from_file_location("bench_power", script)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rows = bench.main(["--rows", "400", "--cols", "6", "--repeat", "1"])
    assert {(r["method"], r["dtype"], r["op"]) for r in rows} == {
        (m, d, op)
        for m in ("yeo-johnson", "box-cox")
        for d in ("float64", "float32")
        for op in ("fit", "transform")
    }
    assert "| method | dtype | op |" in capsys.readouterr().out


def test_power_subnormal_feature_keeps_lambda_one():
    # a fuzz finding: the likelihood of subnormal values is flat, scipy's search has no
    # finite bounds ("Optimization bounds must be finite scalars"): λ stays 1
    X = np.array([[3e-45], [1e-45], [0], [-3e-45], [-1e-45], [-4e-45], [-4e-45]], np.float32)
    est = PowerScaler(standardize=False).fit(X)
    assert est.lambdas_[0] == 1.0
    assert_array_equal(est.transform(X), X)


def test_power_transform_float32_beyond_its_range_is_inf_without_warning():
    # make fuzz: λ = -2 sends x = -1.55e38 to -((1 - x)**4 - 1) / 4, beyond float32
    x = np.array([[9.2279173e37], [-1.5510829e38]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = power_transform(x, [-2.0], method="yeo-johnson")
    a, b = (float(v) for v in x[:, 0])
    want = [((a + 1) ** -2.0 - 1) / -2.0, -((1 - b) ** 4.0 - 1) / 4.0]  # float64 formula
    assert got.dtype == np.float32
    assert want[1] < -float(np.finfo(np.float32).max)  # beyond float32: rounds to -inf
    assert_array_equal(got[:, 0], [np.float32(want[0]), -np.inf])


@pytest.mark.parametrize(
    "method, column",
    [
        ("yeo-johnson", [1e200, 2e200, 3e200]),  # squares beyond float64: λ was kept at 1
        ("box-cox", [1e200, 2e200, 3e200]),
        ("yeo-johnson", [-1e200, -2e200, -3e200]),
        ("yeo-johnson", [1e-200, 2e-200, 3e-200]),  # λ = 1 (a flat likelihood), squares lost
        ("box-cox", [1.7e308, 1.6e308, 1.5e308]),  # transformed values square beyond float64
    ],
)
def test_power_squares_beyond_float64_are_standardised(method, column):
    # make fuzz (the last known bug of tests/_known_bugs.py): such a feature's moments
    # overflowed or underflowed, so it counted as constant (λ = 1, scale 1) or its scale
    # was lost; now they are taken on rescaled values (_stats_scaled), as ZScoreScaler's
    import _references as R

    X = np.array(column)[:, None]
    est = PowerScaler(method=method).fit(X)
    want, _, _ = R.power(X, est.lambdas_, method=method, standardize=True)
    assert_allclose(est.transform(X), want, rtol=1e-9)
    assert_allclose(np.abs(want[[0, 2], 0]), [1.2247, 1.2247], rtol=0.1)  # 3 values
    if abs(column[0]) == 1e200:  # x >> 1: Yeo-Johnson is Box-Cox of 1 + |x|, scale-free
        X_small = np.abs(X) / 1e200
        sklearn = PowerTransformer(method="box-cox").fit(X_small)
        lam = est.lambdas_[0] if column[0] > 0 else 2 - est.lambdas_[0]  # x < 0: 2 - λ
        assert_allclose(lam, sklearn.lambdas_[0], rtol=1e-4)


def test_power_standard_deviation_below_float64_counts_as_one():
    # make fuzz: [1e-323, 5e-324] (λ = 1) has a standard deviation of 2.5e-324, which
    # float64 rounds to 0: scale_ was 0 and the output NaN and -inf. Counted as 1, as
    # ZScoreScaler does and as scikit-learn's StandardScaler (whose var_ underflows)
    from sklearn.preprocessing import StandardScaler

    X = np.array([[1e-323], [5e-324]])
    est = PowerScaler().fit(X)
    assert est.lambdas_[0] == 1.0 and est.scale_[0] == 1.0
    assert_array_equal(est.transform(X), StandardScaler().fit_transform(X))
