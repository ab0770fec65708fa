"""The fast torch paths keep every guarantee of the Array API path (issue 17).

On a device ``fit`` takes its statistics from torch's own one-pass reductions and redoes
only the columns whose result is not finite, and ``transform`` is one fused native
expression whose output is tested instead of the input; a CPU tensor goes to the numpy
engine on its own memory. Every test runs on both paths (``_torch_paths``). References: scikit-learn on float64 copies, and
``math.fsum`` / float64 formulas.
"""

import math

import numpy as np
import pytest
from _torch_paths import path  # noqa: F401  (every test on both paths)
from numpy.testing import assert_allclose
from sklearn import config_context
from sklearn import preprocessing as skp

import sklearn_norm as sn
from sklearn_norm._xp import to_numpy

torch = pytest.importorskip("torch")

DTYPES = [torch.float32, torch.float64]


def _data(dtype, n_rows=3000, n_features=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.lognormal(size=(n_rows, n_features))
    X[rng.random(n_rows) < 0.02, 1] = np.nan  # NaN in column 1 only
    X[:, 3] = np.nan  # and a column of NaN alone
    X[:2, 3] = [2.5, 3.5]
    return torch.asarray(X).to(dtype)


def _tol(dtype):
    return (
        {"rtol": 2e-6, "atol": 1e-6} if dtype == torch.float32 else {"rtol": 1e-12, "atol": 1e-12}
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_fit_redoes_nan_columns_as_scikit_learn(dtype):
    X = _data(dtype)
    X64 = to_numpy(X).astype(np.float64)  # the values the tensor holds
    with config_context(array_api_dispatch=True):
        z = sn.ZScoreScaler().fit(X)
        m = sn.MinMaxScaler().fit(X)
    ref_z = skp.StandardScaler().fit(X64)
    ref_m = skp.MinMaxScaler().fit(X64)
    assert_allclose(to_numpy(z.mean_), ref_z.mean_, **_tol(dtype))
    assert_allclose(to_numpy(z.var_), ref_z.var_, **_tol(dtype))
    assert_allclose(to_numpy(m.data_min_), ref_m.data_min_)
    assert_allclose(to_numpy(m.data_max_), ref_m.data_max_)
    assert_allclose(to_numpy(z.n_samples_seen_), ref_z.n_samples_seen_)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("est", [sn.ZScoreScaler(), sn.MinMaxScaler(), sn.BatchNormScaler()])
def test_fit_and_transform_name_the_infinite_column(est, dtype):
    X = _data(dtype)
    bad = X.clone()
    bad[7, 2] = -math.inf
    with config_context(array_api_dispatch=True):
        with pytest.raises(ValueError, match="infinite values in column 2"):
            est.fit(bad)
        est.fit(X)
        with pytest.raises(ValueError, match="infinite values in column 2"):
            est.transform(bad)
        clean = torch.nan_to_num(X, nan=1.0)
        bad = clean.clone()
        bad[5, 4] = math.inf  # no NaN: the finite-output shortcut alone must catch it
        with pytest.raises(ValueError, match="infinite values in column 4"):
            est.transform(bad)


@pytest.mark.parametrize("est", [sn.ZScoreScaler(), sn.MinMaxScaler(), sn.BatchNormScaler()])
def test_float32_large_mean_exact_to_1e_2(est):
    rng = np.random.default_rng(1)
    X = (1e5 + rng.standard_normal((200_000, 3))).astype(np.float32)
    X64 = X.astype(np.float64)
    mean = np.array([math.fsum(col) / len(col) for col in X64.T])
    var = np.array([math.fsum((col - m) ** 2) / len(col) for col, m in zip(X64.T, mean)])
    with config_context(array_api_dispatch=True):
        est.fit(torch.asarray(X))
        Y = est.transform(torch.asarray(X))
        back = est.inverse_transform(Y)
    if isinstance(est, sn.MinMaxScaler):
        low, high = X64.min(axis=0), X64.max(axis=0)
        expected = (X64 - low) / (high - low)
    else:
        expected = (X64 - mean) / np.sqrt(var + getattr(est, "eps", 0.0))
        assert_allclose(
            to_numpy(est.var_ if hasattr(est, "var_") else est.running_var_), var, rtol=1e-5
        )
    assert Y.dtype == torch.float32
    assert np.max(np.abs(to_numpy(Y) - expected)) < 1e-2
    assert np.max(np.abs(to_numpy(back) - X64)) < 1e-2


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize(
    "est", [sn.ZScoreScaler(), sn.MinMaxScaler(clip=True), sn.BatchNormScaler(), sn.LogScaler()]
)
def test_transform_keeps_dtype_device_and_values_with_nan(est, dtype):
    X = _data(dtype)
    X_np = to_numpy(X)
    with config_context(array_api_dispatch=True):
        est.fit(X)
        Y = est.transform(X)
        back = est.inverse_transform(Y)
    reference = type(est)(**est.get_params()).fit(X_np)
    for out in (Y, back):
        assert torch.is_tensor(out) and out.dtype == dtype and out.device == X.device
    assert_allclose(to_numpy(Y), reference.transform(X_np), **_tol(dtype))
    assert_allclose(
        to_numpy(back), reference.inverse_transform(reference.transform(X_np)), rtol=1e-5
    )


def test_finite_values_whose_sum_overflows_are_not_refused():
    # the output's sum overflows float32: the exact per-column test then finds nothing
    X = torch.full((1000, 2), 3e37, dtype=torch.float32)
    X[::2] = 1e37
    with config_context(array_api_dispatch=True):
        est = sn.MinMaxScaler().fit(X)
        Y = est.inverse_transform(est.transform(X))
    assert_allclose(to_numpy(Y), to_numpy(X), rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_maps_that_hide_infinities_test_the_input(dtype):
    # expm1(-inf) = -1 and clip(-inf) = low are finite: the input itself must be tested
    X = torch.nan_to_num(_data(dtype), nan=1.0)
    bad = X.clone()
    bad[9, 3] = -math.inf
    with config_context(array_api_dispatch=True):
        log = sn.LogScaler().fit(X)
        with pytest.raises(ValueError, match="infinite values in column 3"):
            log.inverse_transform(bad)
        clipped = sn.MinMaxScaler(clip=True).fit(X)
        with pytest.raises(ValueError, match="infinite values in column 3"):
            clipped.transform(bad)
        assert_allclose(to_numpy(log.inverse_transform(log.transform(X))), to_numpy(X), rtol=1e-5)
