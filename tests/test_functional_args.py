"""Arguments of the stateless functions: clear errors naming them, never a RuntimeWarning."""

import numpy as np
import pytest

import sklearn_norm as sn
import sklearn_norm.functional as F

X = np.array([[0.0, 5.0], [10.0, 5.0]])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: F.min_max_scale(X, [0, 0], [1, 1], feature_range=(1, 0)), "feature_range"),
        (lambda: F.min_max_scale(X, [0, 0, 0], [1, 1, 1]), "data_min must be one number"),
        (lambda: F.min_max_scale(X, [0, 0], [[1, 1]]), "data_max must be one number"),
        (lambda: F.z_score(X, [1.0, 2.0, 3.0], None), "mean must be one number"),
        (lambda: F.z_score(X, None, [1.0, 2.0, 3.0]), "scale must be one number"),
        (lambda: F.decimal_scale(X, [1.5, 1]), "n_digits must hold integers"),
        (lambda: F.decimal_scale(X, np.nan), "n_digits must hold integers"),
        (lambda: F.log_scale(X, base=1), "base must be"),
        (lambda: F.log_scale(X, base=-2.0), "base must be"),
        (lambda: F.log_scale(X, offset=np.ones(5)), "offset must be one number"),
        (
            lambda: F.layer_norm(np.zeros((4, 2, 3)), (2, 3), weight=np.ones((3, 2))),
            r"weight must have shape \(2, 3\)",
        ),
    ],
)
def test_bad_arguments_are_value_errors_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_z_score_zero_scale_counts_as_one_without_warning():
    # as ZScoreScaler treats a constant feature, and min_max_scale a zero range
    np.testing.assert_array_equal(F.z_score(X, [5.0, 5.0], [5.0, 0.0]), [[-1, 0], [1, 0]])


def test_integral_floats_are_integers_and_numbers_broadcast():
    np.testing.assert_array_equal(F.decimal_scale(X, [1.0, 2]), [[0.0, 0.05], [1.0, 0.05]])
    np.testing.assert_allclose(F.log_scale(X, offset=2), np.log(X + 2))


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_empty_axes_give_empty_results(norm):
    assert F.unit_norm(np.zeros((3, 0)), norm).shape == (3, 0)
    assert F.unit_norm(np.zeros((0, 4, 3)), norm, axis=0).shape == (0, 4, 3)
    assert F.layer_norm(np.zeros((0, 4, 3)), (0, 4, 3)).shape == (0, 4, 3)


@pytest.mark.parametrize(
    "est",
    [
        sn.LayerNormScaler(keep_stats=True),
        sn.InstanceNormScaler(n_channels=2, track_running_stats=True),
        sn.GroupNormScaler(n_groups=2, keep_stats=True),
        sn.UnitNormScaler(keep_norm=True),
    ],
    ids=repr,
)
@pytest.mark.parametrize("column", [1, -1])
def test_samplewise_inverse_refuses_infinity(est, column):
    data = np.random.default_rng(0).normal(size=(5, 4))
    Y = est.fit(data).transform(data)
    Y[0, column] = np.inf
    with pytest.raises(ValueError, match="infinite values in column"):
        est.inverse_transform(Y)
