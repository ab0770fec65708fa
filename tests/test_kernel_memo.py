"""Kernels kept between transforms follow every change of parameters and learned values."""

import copy
import gc
import pickle

import numpy as np
import pytest
from sklearn.base import clone

import sklearn_norm as sn
from sklearn_norm import _kernel_memo

KEPT = ["minmax", "zscore", "decimal", "batchnorm"]


def _data(seed=0, shift=0.0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 10.5, (300, 6)) + shift


@pytest.mark.parametrize("name", KEPT)
def test_kernel_is_built_once_while_nothing_changes(name, monkeypatch):
    est = sn.make_scaler(name).fit(_data())
    calls = []
    build = type(est)._kernels
    monkeypatch.setattr(type(est), "_kernels", lambda self, *a: calls.append(a) or build(self, *a))
    first = est.transform(_data(1))
    for _ in range(3):
        np.testing.assert_array_equal(est.transform(_data(1)), first)
    assert len(calls) == 1
    est.inverse_transform(first)
    assert len(calls) == 2  # the inverse is its own kernel


@pytest.mark.parametrize("name", KEPT)
def test_kept_kernel_follows_refit_set_params_and_changes_in_place(name):
    X, Z = _data(0), _data(1, shift=3.0)
    est = sn.make_scaler(name).fit(X)
    est.transform(Z)
    est.fit(Z)  # refit: new learned values
    np.testing.assert_array_equal(est.transform(X), sn.make_scaler(name).fit(Z).transform(X))
    learned = {"minmax": "scale_", "zscore": "scale_", "decimal": "n_digits_"}
    learned = learned.get(name, "running_var_")
    getattr(est, learned)[0] *= 4  # changed in place: same array, other bytes
    fresh = sn.make_scaler(name).fit(Z)
    getattr(fresh, learned)[0] *= 4
    np.testing.assert_array_equal(est.transform(X), fresh.transform(X))
    params = {  # decimal's map has no parameter
        "minmax": {"feature_range": (-2, 2), "clip": True},
        "zscore": {"with_mean": False},
        "batchnorm": {"eps": 0.5},
    }.get(name, {})
    est.set_params(**params)
    fresh.set_params(**params)
    np.testing.assert_array_equal(est.transform(X), fresh.transform(X))


def test_kept_kernels_stay_out_of_the_estimator_and_go_with_it():
    est = sn.MinMaxScaler().fit(_data())
    est.transform(_data(1))
    assert est in _kernel_memo._KEPT
    assert not any("kernel" in name for name in vars(est))
    for other in (pickle.loads(pickle.dumps(est)), copy.deepcopy(est), clone(est).fit(_data())):
        np.testing.assert_array_equal(other.transform(_data(1)), est.transform(_data(1)))
    n = len(_kernel_memo._KEPT)
    del est
    gc.collect()
    assert len(_kernel_memo._KEPT) < n


def test_state_key_tells_arrays_apart_by_dtype_shape_and_values():
    key = _kernel_memo.state_key

    class Thing:
        def get_params(self, deep=False):
            return {"w": self.w}

    a, b = Thing(), Thing()
    a.w, b.w = [1.0, 2.0], (1.0, 2.0)
    assert key(a) != key(b)  # a list and a tuple
    a.w = b.w = None
    a.v_, b.v_ = np.zeros(2), np.zeros(2)
    assert key(a) == key(b)
    b.v_ = np.zeros((1, 2))
    assert key(a) != key(b)  # same bytes, other shape
    b.v_ = np.zeros(4, dtype=np.float32)
    assert key(a) != key(b)  # same bytes, other dtype
    a._private_ = 1  # private attributes are not part of the state
    b.v_ = np.zeros(2)
    assert key(a) == key(b)


def test_an_unhashable_subclass_transforms_without_kept_kernels():
    class Unhashable(sn.MinMaxScaler):
        __hash__ = None

    est = Unhashable().fit(_data())
    np.testing.assert_array_equal(
        est.transform(_data(1)), sn.MinMaxScaler().fit(_data()).transform(_data(1))
    )


def test_wide_data_keeps_nothing():
    X = np.random.default_rng(0).uniform(1, 2, (3, _kernel_memo.KEY_BYTES // 8 + 1))
    est = sn.MinMaxScaler().fit(X)
    assert _kernel_memo.state_key(est) is None
    np.testing.assert_allclose(est.transform(X), (X - X.min(0)) / (X.max(0) - X.min(0)))
    assert est not in _kernel_memo._KEPT
