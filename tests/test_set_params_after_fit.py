"""Parameters changed after ``fit``: the learned map stays until the next ``fit``, as in
scikit-learn, and a transform that needs statistics never learned says so."""

import numpy as np
import pytest
from sklearn import preprocessing as skp
from sklearn.exceptions import NotFittedError

import sklearn_norm as sn


def _data(seed, shift=0.0):
    return np.random.default_rng(seed).uniform(-2.0, 8.0, (3000, 4)) + shift


@pytest.mark.parametrize("clip", [False, True])
def test_minmax_feature_range_set_after_fit_changes_only_the_clip_bounds(clip):
    X, Z = _data(0), _data(1, shift=3.0)  # Z partly beyond the training range
    ours, theirs = sn.MinMaxScaler().fit(X), skp.MinMaxScaler().fit(X)
    for est in (ours, theirs):
        est.set_params(feature_range=(-3.0, 0.5), clip=clip)
    np.testing.assert_allclose(ours.transform(Z), theirs.transform(Z), rtol=1e-12, atol=1e-12)
    Y = ours.transform(Z)
    np.testing.assert_allclose(
        ours.inverse_transform(Y), theirs.inverse_transform(Y), rtol=1e-12, atol=1e-12
    )
    ours.fit(X)  # the next fit learns the new range
    Y = ours.transform(X)
    np.testing.assert_allclose([Y.min(), Y.max()], [-3.0, 0.5], rtol=0, atol=1e-12)


def test_zscore_with_mean_off_after_fit_skips_centring_as_scikit_learn():
    X, Z = _data(0), _data(1)
    ours, theirs = sn.ZScoreScaler().fit(X), skp.StandardScaler().fit(X)
    for est in (ours, theirs):
        est.set_params(with_mean=False)
    np.testing.assert_allclose(ours.transform(Z), theirs.transform(Z), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "fitted, later, missing",
    [
        ({"with_mean": False, "with_std": False}, {"with_mean": True}, "mean_"),
        ({"with_std": False}, {"with_std": True}, "scale_"),
    ],
)
def test_zscore_statistics_never_learned_are_asked_for_by_name(fitted, later, missing):
    X = _data(0)
    est = sn.ZScoreScaler(**fitted).fit(X)
    before = {k: v for k, v in vars(est).items() if k.endswith("_")}
    est.set_params(**later)
    name = next(iter(later))
    for rows in (5, 3000):  # short data and folded blocks alike
        with pytest.raises(NotFittedError, match=f"{name}=False.*no {missing}.*fit again"):
            est.transform(X[:rows])
    assert {k: v for k, v in vars(est).items() if k.endswith("_")}.keys() == before.keys()
    est.fit(X)  # then it works
    np.testing.assert_allclose(
        est.transform(X), sn.ZScoreScaler(**{**fitted, **later}).fit_transform(X)
    )


@pytest.mark.parametrize("n_channels", [1, 2])
def test_batchnorm_channels_changed_after_fit_ask_for_a_new_fit(n_channels):
    X = _data(0)
    est = sn.BatchNormScaler().fit(X)  # 4 channels of 1 feature
    est.set_params(n_channels=n_channels)
    for rows in (5, 3000):
        with pytest.raises(NotFittedError, match=f"for 4 channel.*n_channels={n_channels}"):
            est.transform(X[:rows])
    est.fit(X)
    assert est.running_mean_.shape == (n_channels,)
    est.transform(X)


def test_every_parameter_changed_after_fit_transforms_or_asks_for_a_new_fit():
    """No estimator answers a parameter changed after fit with a numpy broadcast error,
    an IndexError, a TypeError or an AttributeError from inside."""
    X = _data(0)[:, :4] + 3.0
    values = {
        "feature_range": (-1, 1),
        "clip": True,
        "with_mean": True,
        "with_std": True,
        "ddof": 1,
        "base": 2,
        "offset": 2.5,
        "signed": True,
        "handle_invalid": "nan",
        "norm": "l1",
        "keep_norm": True,
        "keep_stats": True,
        "eps": 0.5,
        "momentum": 0.1,
        "n_channels": 2,
        "n_groups": 2,
        "track_running_stats": True,
        "weight": [1.0, 2.0],
    }
    for cls in sn.all_estimators():
        for name in cls._get_param_names():
            for first in ({}, {"with_mean": False, "with_std": False}):
                if not set(first) <= set(cls._get_param_names()) or name not in values:
                    continue
                est = cls(**first).fit(X)
                est.set_params(**{name: values[name]})
                try:
                    est.transform(X)
                except (NotFittedError, ValueError) as exc:
                    assert "broadcast" not in str(exc), (cls.__name__, name, str(exc))


def test_batchnorm_partial_fit_after_channels_changed():
    X = _data(0)
    pooled = sn.BatchNormScaler().fit(X).set_params(n_channels=2)
    pooled.partial_fit(X)  # exact statistics are kept per feature: they pool to 2 channels
    np.testing.assert_allclose(
        pooled.running_mean_, sn.BatchNormScaler(n_channels=2).fit(np.vstack([X, X])).running_mean_
    )
    running = sn.BatchNormScaler(momentum=0.1).fit(X).set_params(n_channels=2)
    before = running.running_mean_.copy()
    with pytest.raises(ValueError, match="so far have 4 channel.*n_channels=2 makes 2.*fit"):
        running.partial_fit(X)
    np.testing.assert_array_equal(running.running_mean_, before)  # left as it was
