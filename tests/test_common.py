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
