"""scikit-learn's estimator checks over every estimator sklearn_norm exports."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import sklearn_norm as sn
from sklearn_norm import all_estimators

#: Defaults, then the parameters that learn, keep or invert more (the column-wise
#: scalers' own variants are in their test files).
ESTIMATORS = [cls() for cls in all_estimators()] + [
    sn.UnitNormScaler(keep_norm=True),
    sn.UnitNormScaler(norm="max"),
    sn.LayerNormScaler(keep_stats=True),
    sn.InstanceNormScaler(keep_stats=True),
    sn.InstanceNormScaler(track_running_stats=True),
    sn.GroupNormScaler(keep_stats=True),
    sn.RMSNormScaler(keep_stats=True),
    sn.BatchNormScaler(momentum=0.1),
    sn.BatchNormScaler(momentum="cumulative"),
]


def test_all_estimators_found():
    names = {type(est).__name__ for est in ESTIMATORS}
    assert {"MinMaxScaler", "ZScoreScaler", "DecimalScaler", "LogScaler"} <= names


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_cached_param_names_follow_each_class_signature():
    import inspect

    for cls in all_estimators():
        expected = sorted(p for p in inspect.signature(cls.__init__).parameters if p != "self")
        assert cls._get_param_names() == expected
        assert sorted(cls().get_params()) == expected

    class Wider(sn.ZScoreScaler):  # a subclass with its own __init__ gets its own names
        def __init__(self, *, extra=1, with_mean=True, with_std=True, ddof=0, copy=True):
            super().__init__(with_mean=with_mean, with_std=with_std, ddof=ddof, copy=copy)
            self.extra = extra

    assert Wider._get_param_names() == ["copy", "ddof", "extra", "with_mean", "with_std"]
    assert sn.ZScoreScaler._get_param_names() == ["copy", "ddof", "with_mean", "with_std"]


@pytest.mark.parametrize("cls", all_estimators(), ids=lambda cls: cls.__name__)
def test_cached_constraints_judge_as_scikit_learn_does(cls):
    from sklearn.base import BaseEstimator
    from sklearn.utils._param_validation import InvalidParameterError

    def verdict(validate, est):
        try:
            validate(est)
        except InvalidParameterError as exc:
            return str(exc)
        return "ok"

    numbers = [True, 0, 1, -1, 2.5, -0.5, 0.0, float("nan"), float("inf")]
    words = ["auto", "l1", "error", "nan", "cumulative", "bogus"]
    values = [None, *numbers, *words, (0, 1), [1.0, 2.0], object()]
    # twice: the second round judges plain values the first one accepted from memory
    for round_ in range(2):
        for name in cls._get_param_names():
            for value in values:
                est = cls().set_params(**{name: value})
                expected = verdict(BaseEstimator._validate_params, est)
                got = verdict(type(est)._validate_params, est)
                assert got == expected, (round_, name, value)
