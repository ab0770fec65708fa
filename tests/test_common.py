"""scikit-learn's estimator checks over every estimator sklearn_norm exports."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_norm import all_estimators

ESTIMATORS = [cls() for cls in all_estimators()]


def test_all_estimators_found():
    names = {type(est).__name__ for est in ESTIMATORS}
    assert {"MinMaxScaler", "ZScoreScaler", "DecimalScaler", "LogScaler"} <= names


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
