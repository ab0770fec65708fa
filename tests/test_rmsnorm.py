"""RMSNormScaler and functional.rms_norm against the formula in long double.

PyTorch's own outputs are checked in test_torch_reference.py (fixtures from torch 2.13).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal, assert_array_max_ulp
from scipy import sparse

import sklearn_norm.functional as F
from sklearn_norm import RMSNormScaler, make_scaler

#: PyTorch's eps=None: the machine epsilon of its computation type (float32 for float16).
TORCH_EPS = {np.float64: np.finfo(np.float64).eps, np.float32: np.finfo(np.float32).eps}
TORCH_EPS[np.float16] = TORCH_EPS[np.float32]
DTYPES = [np.float64, np.float32, np.float16]


def _reference(X, eps, weight=None):
    """``(y, rms)``: each row over its non-NaN values, in long double, rounded once."""
    x = np.asarray(X, dtype=np.longdouble)
    present = ~np.isnan(x)
    squares = np.where(present, x * x, 0).sum(axis=1) / present.sum(axis=1)
    rms = np.sqrt(squares + np.longdouble(eps))[:, None]
    rms = np.where(rms == 0, 1, rms)
    y = x / rms * (1 if weight is None else np.asarray(weight, dtype=np.longdouble))
    return y.astype(np.asarray(X).dtype), rms.astype(np.float64)


def _data(dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 7)) * rng.uniform(0.1, 10.0, size=(40, 1))
    X[3, 2] = np.nan
    return X.astype(dtype)


@pytest.mark.parametrize("eps", [None, 1e-3, 0.0])
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_rmsnorm_equals_the_formula(dtype, eps):
    X = _data(dtype)
    weight = np.linspace(-2.0, 3.0, 7)
    expected, rms = _reference(X, TORCH_EPS[dtype] if eps is None else eps, weight)
    scaler = RMSNormScaler(eps=eps, weight=weight, keep_stats=True).fit(X)
    out = scaler.transform(X)
    assert out.dtype == dtype and out.shape == (40, 8)
    # narrow dtypes: computed in float64 and rounded once; float64: the sum of squares,
    # the square root, the division and the weight each round
    ulps = 3 if dtype == np.float64 else 1
    assert_array_max_ulp(out[:, :7], expected, maxulp=ulps)
    assert_array_max_ulp(out[:, 7], rms[:, 0].astype(dtype), maxulp=ulps)
    assert_array_equal(np.isnan(out[:, :7]), np.isnan(X))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_rmsnorm_default_eps_is_pytorchs(dtype):
    # values small enough that eps matters: float16 input uses float32's eps, as PyTorch
    X = (np.random.default_rng(1).normal(size=(20, 5)) * 2e-3).astype(dtype)
    expected, _ = _reference(X, TORCH_EPS[dtype])
    ulps = 3 if dtype == np.float64 else 1
    assert_array_max_ulp(RMSNormScaler().fit_transform(X), expected, maxulp=ulps)
    assert_array_max_ulp(F.rms_norm(X, 5), expected, maxulp=ulps)
    # and the data tells the eps apart from the others one might take
    wrong = {np.float64: np.float32, np.float32: np.float64, np.float16: np.float16}[dtype]
    other = _reference(X, np.finfo(wrong).eps)[0]
    assert not np.allclose(expected.astype(np.float64), other.astype(np.float64), rtol=1e-3)


def test_rmsnorm_nan_left_out_and_zero_rows_stay_zero_without_warning():
    X = np.array([[3.0, np.nan, -3.0], [np.nan] * 3, [0.0, 0.0, 0.0]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        out = RMSNormScaler(eps=0.0, keep_stats=True).fit_transform(X)
    assert_array_equal(out[0], [1.0, np.nan, -1.0, 3.0])
    assert np.isnan(out[1]).all()  # a row without a value stays NaN
    assert_array_equal(out[2], [0.0, 0.0, 0.0, 1.0])  # divided by 1, not by 0


@pytest.mark.parametrize("eps", [0.0, None])
def test_rmsnorm_huge_and_tiny_rows_neither_overflow_nor_underflow(eps):
    X = np.array([[1e200, -3e200, 2e199], [1e-170, -4e-170, 3e-171], [1.0, 2.0, -2.0]])
    expected, rms = _reference(X, TORCH_EPS[np.float64] if eps is None else eps)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        scaler = RMSNormScaler(eps=eps, keep_stats=True).fit(X)
        out = scaler.transform(X)
        assert_array_max_ulp(out[:, :3], expected, maxulp=3)
        assert_array_max_ulp(out[:, 3], rms[:, 0], maxulp=3)
        assert_array_max_ulp(scaler.inverse_transform(out), X, maxulp=4)
        assert_array_max_ulp(F.rms_norm(X, 3, eps=eps), expected, maxulp=3)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=lambda d: np.dtype(d).name)
def test_rmsnorm_keep_stats_inverse_round_trip(dtype):
    X = _data(dtype)
    weight = np.linspace(0.5, 3.0, 7)
    scaler = RMSNormScaler(weight=weight, keep_stats=True).fit(X)
    back = scaler.inverse_transform(scaler.transform(X))
    assert back.dtype == dtype
    assert_array_max_ulp(back, X, maxulp=4)


@pytest.mark.parametrize(
    "params", [{}, {"keep_stats": True, "weight": [1.0, 0.0, 2.0]}], ids=["no-stats", "zero"]
)
def test_rmsnorm_inverse_only_when_possible(params):
    scaler = RMSNormScaler(**params).fit(np.ones((2, 3)))
    assert not hasattr(scaler, "inverse_transform")
    assert hasattr(RMSNormScaler(keep_stats=True).fit(np.ones((2, 3))), "inverse_transform")


def test_rmsnorm_kept_column_name_does_not_clash():
    X = pd.DataFrame({"rms": [1.0, 2.0], "b": [3.0, 4.0]})
    names = RMSNormScaler(keep_stats=True).fit(X).get_feature_names_out()
    assert names.tolist() == ["rms", "b", "rms_"]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_rmsnorm_function_equals_estimator(dtype):
    X = _data(dtype)
    weight = np.linspace(-1.0, 2.0, 7)
    est = RMSNormScaler(weight=weight).fit(X)
    assert_array_equal(F.rms_norm(X, 7, weight=weight), est.transform(X), strict=True)
    # over the last two axes of a 3-D array: each sample as one row
    X3 = X.reshape(40, 7, 1)
    assert_array_equal(F.rms_norm(X3, (7, 1)).reshape(40, 7), RMSNormScaler().fit_transform(X))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: F.rms_norm(np.ones((2, 3)), 4), r"normalized_shape=\(4,\) must match"),
        (lambda: F.rms_norm(np.ones((2, 3)), 3, weight=np.ones(2)), r"weight must have shape"),
        (lambda: F.rms_norm(np.ones((2, 3)), 3, eps=-1.0), "eps must be a number >= 0"),
        (lambda: RMSNormScaler(weight=[1.0, 2.0]).fit(np.ones((2, 3))), "weight has 2 values"),
        (lambda: RMSNormScaler(eps=-1.0).fit(np.ones((2, 3))), "'eps' parameter"),
    ],
)
def test_rmsnorm_bad_arguments_are_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_rmsnorm_refuses_sparse_input_with_a_type_error():
    with pytest.raises(TypeError, match="RMSNormScaler does not accept sparse input"):
        RMSNormScaler().fit(sparse.csr_array(np.eye(3)))


def test_rmsnorm_registered():
    assert type(make_scaler("rmsnorm", eps=1e-6)) is RMSNormScaler
