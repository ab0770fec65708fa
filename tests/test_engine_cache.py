"""The engine's one cache: kernels kept between transforms follow every change of
parameters and learned values (they are kept by the value of the scaler's description)."""

import copy
import gc
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import sklearn_norm as sn
from sklearn_norm import _chunks, _engine

KEPT = ["minmax", "zscore", "decimal", "batchnorm", "log", "maxabs"]


def _data(seed=0, shift=0.0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 10.5, (300, 6)) + shift


@pytest.mark.parametrize("name", KEPT)
def test_kernel_is_built_once_while_nothing_changes(name, monkeypatch):
    monkeypatch.setattr(_chunks, "_KEPT", {})  # a cache of this test's own
    est = sn.make_scaler(name).fit(_data())
    calls = []
    build = _engine.kernel
    monkeypatch.setattr(_engine, "kernel", lambda *a, **k: calls.append(a) or build(*a, **k))
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
    learned = {
        "minmax": "scale_",
        "zscore": "scale_",
        "decimal": "n_digits_",
        "log": "offset_",
        "maxabs": "scale_",
    }
    learned = learned.get(name, "running_var_")
    getattr(est, learned)[0] *= 4  # changed in place: same array, other bytes
    fresh = sn.make_scaler(name).fit(Z)
    getattr(fresh, learned)[0] *= 4
    np.testing.assert_array_equal(est.transform(X), fresh.transform(X))
    params = {  # decimal's map has no parameter
        "minmax": {"feature_range": (-2, 2), "clip": True},
        "zscore": {"with_mean": False},
        "batchnorm": {"eps": 0.5},
        "log": {"base": 2.0},
    }.get(name, {})
    est.set_params(**params)
    fresh.set_params(**params)
    np.testing.assert_array_equal(est.transform(X), fresh.transform(X))


def test_kept_kernels_stay_out_of_the_estimator_and_are_bounded(monkeypatch):
    monkeypatch.setattr(_chunks, "_KEPT", {})
    est = sn.MinMaxScaler().fit(_data())
    est.transform(_data(1))
    assert len(_chunks._KEPT) == 1
    assert not any("kernel" in name for name in vars(est))
    for other in (pickle.loads(pickle.dumps(est)), copy.deepcopy(est), clone(est).fit(_data())):
        np.testing.assert_array_equal(other.transform(_data(1)), est.transform(_data(1)))
    for seed in range(2 * _chunks.KEEP):  # other maps: the oldest kernels go
        sn.MinMaxScaler().fit(_data(seed)).transform(_data(1))
    assert len(_chunks._KEPT) == _chunks.KEEP
    gc.collect()


def test_description_key_tells_values_apart_by_type_dtype_shape_and_bytes():
    key = _chunks.description_key
    Affine = _engine.Affine
    assert key(Affine(clip=[1.0, 2.0])) != key(Affine(clip=(1.0, 2.0)))  # a list, a tuple
    assert key(Affine(np.zeros(2))) == key(Affine(np.zeros(2)))
    assert key(Affine(np.zeros(2))) != key(Affine(np.zeros((1, 2))))  # same bytes, other shape
    assert key(Affine(np.zeros(2))) != key(Affine(np.zeros(4, dtype=np.float32)))  # other dtype
    assert key(Affine(np.zeros(2))) != key(Affine(factor=np.zeros(2)))  # another term
    assert key(Affine(np.zeros(2)), True) != key(Affine(np.zeros(2)), False)  # inverse
    assert key(Affine(factor=[object()])) is None  # not comparable by value: nothing kept


def test_an_unhashable_subclass_transforms_without_kept_kernels():
    class Unhashable(sn.MinMaxScaler):
        __hash__ = None

    est = Unhashable().fit(_data())
    np.testing.assert_array_equal(
        est.transform(_data(1)), sn.MinMaxScaler().fit(_data()).transform(_data(1))
    )


def test_wide_data_keeps_nothing():
    X = np.random.default_rng(0).uniform(1, 2, (3, _chunks.KEY_BYTES // 8 + 1))
    est = sn.MinMaxScaler().fit(X)
    assert _chunks.description_key(est._describe()) is None
    before = dict(_chunks._KEPT)
    np.testing.assert_allclose(est.transform(X), (X - X.min(0)) / (X.max(0) - X.min(0)))
    assert _chunks._KEPT.keys() <= before.keys()


@pytest.mark.parametrize("seed", range(8))
def test_random_sequences_of_changes_transform_as_a_fresh_kernel_does(seed):
    """Refits, ``set_params``, learned arrays changed in place and pickling in random
    order: every transform equals the one of a kernel built afresh from the same state."""
    rng = np.random.default_rng(seed)
    changes = {
        "minmax": [{"feature_range": (-3, 2)}, {"clip": True}, {"feature_range": (0, 1)}],
        "zscore": [{"with_mean": False}, {"with_std": False}, {"ddof": 1}, {"with_mean": True}],
        "decimal": [{}],
        "maxabs": [{}],
        "batchnorm": [{"eps": 0.3}, {"weight": [2.0, 0.5, 1.0]}, {"bias": [1.0, 0.0, -1.0]}],
        "log": [{"signed": True}, {"base": 10.0}, {"handle_invalid": "nan"}, {"signed": False}],
    }
    for name, options in changes.items():
        sign = np.abs if name == "log" else np.asarray  # log's default takes x > -1
        est = sn.make_scaler(name).fit(sign(rng.normal(size=(50, 3))))
        for _ in range(10):
            action = rng.integers(4)
            if action == 0:
                est.fit(sign(rng.normal(size=(50, 3))) * rng.uniform(0.1, 100))
            elif action == 1:
                est.set_params(**options[rng.integers(len(options))])
            elif action == 2:  # (z-score without mean and std learns no array)
                learned = [v for k, v in vars(est).items() if k.endswith("_")]
                arrays = [a for a in learned if isinstance(a, np.ndarray) and a.dtype.kind in "fi"]
                for a in arrays[:1]:
                    a[rng.integers(3)] += 1  # n_digits_ is an integer array
            else:
                est = pickle.loads(pickle.dumps(est))
            X = sign(rng.normal(size=(int(rng.choice([1, 20, 3000])), 3)))
            try:
                expected = _engine.kernel(est._describe())(X)  # built now, from the state
            except NotFittedError:  # z-score asked for statistics it never learned
                with pytest.raises(NotFittedError):
                    est.transform(X)
                continue
            np.testing.assert_array_equal(est.transform(X), expected)


def test_a_kept_kernel_does_not_follow_the_arrays_it_was_built_from():
    """A learned array changed in place after a transform leaves the kept kernel alone:
    another scaler with the first values still gets the first map."""
    X = _data(7)
    est, twin = sn.MinMaxScaler().fit(X), sn.MinMaxScaler().fit(X)
    expected = (X - X.min(0)) / (X.max(0) - X.min(0))
    est.transform(X)  # its kernel is kept
    est.scale_ *= 2.0
    est.data_min_ -= 1.0
    np.testing.assert_allclose(twin.transform(X), expected, rtol=1e-14)


def test_per_feature_tables_are_never_folded(monkeypatch):
    # QuantileScaler's kernel loops over columns with a (n_quantiles, n_features) table:
    # folding 82 narrow rows into one would tile it to 82 times as many columns (and
    # made its transform 8 times slower than unfolded)
    from sklearn_norm import _quantile

    monkeypatch.setattr(_chunks, "_KEPT", {})
    X = np.random.default_rng(0).lognormal(size=(2000, 50))
    est = sn.QuantileScaler(n_quantiles=100).fit(X)
    shapes, build = [], _quantile._quantile_map
    monkeypatch.setattr(
        _quantile, "_quantile_map", lambda **k: shapes.append(k["quantiles"].shape) or build(**k)
    )
    est.transform(X)
    assert shapes == [(100, 50)]  # one kernel, on the table as it is (not tiled)
