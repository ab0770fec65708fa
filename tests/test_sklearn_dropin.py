"""scikit-learn's own scaler tests with our classes standing in for theirs.

The test functions of ``sklearn/preprocessing/tests/test_data.py`` (installed with
scikit-learn) that exercise ``StandardScaler``, ``MinMaxScaler``, ``Normalizer`` and
``MaxAbsScaler`` are imported here, so pytest collects them with their own
parametrisations; an autouse fixture replaces those names in that module by
:class:`~sklearn_norm.ZScoreScaler`, :class:`~sklearn_norm.MinMaxScaler`,
:class:`~sklearn_norm.UnitNormScaler` (and ``MaxAbsScaler`` where sklearn_norm has one)
for the duration of each test. Tests left out are listed in ``LEFT_OUT`` with the reason;
every difference kept on purpose is on the docs page ``differences.rst``.
"""

from collections.abc import Collection

import pytest
import sklearn.preprocessing.tests.test_data as sklearn_tests

# fmt: off
from sklearn.preprocessing.tests.test_data import (  # noqa: E402, F401  (collected by pytest)
    test_fit_cold_start,
    test_fit_transform,
    test_min_max_scaler_1d,
    test_min_max_scaler_iris,
    test_min_max_scaler_zero_variance_features,
    test_minmax_scaler_clip,
    test_minmax_scaler_partial_fit,
    test_one_to_one_features,
    test_one_to_one_features_pandas,
    test_partial_fit_sparse_input,
    test_raises_value_error_if_sample_weights_greater_than_1d,
    test_scaler_2d_arrays,
    test_scaler_float16_overflow,
    test_scaler_int,
    test_scaler_n_samples_seen_with_nan,
    test_scaler_return_identity,
    test_scaler_without_copy,
    test_standard_check_array_of_inverse_transform,
    test_standard_scaler_1d,
    test_standard_scaler_constant_features,
    test_standard_scaler_dtype,
    test_standard_scaler_near_constant_features,
    test_standard_scaler_partial_fit,
    test_standard_scaler_partial_fit_numerical_stability,
    test_standard_scaler_raise_error_for_1d_input,
    test_standard_scaler_sample_weight,
    test_standard_scaler_sparse_partial_fit_finite_variance,
    test_standard_scaler_transform_with_partial_fit,
)

import sklearn_norm

# fmt: on


STAND_INS = {
    "StandardScaler": sklearn_norm.ZScoreScaler,
    "MinMaxScaler": sklearn_norm.MinMaxScaler,
    "Normalizer": sklearn_norm.UnitNormScaler,
}
if hasattr(sklearn_norm, "MaxAbsScaler"):
    STAND_INS["MaxAbsScaler"] = sklearn_norm.MaxAbsScaler

#: scikit-learn's tests of these classes that are not run here, and why.
LEFT_OUT = {
    "test_normalizer_l1_l2_max": "Normalizer is stateless (transform without fit); every "
    "sklearn_norm scaler must be fitted first (SPEC), so UnitNormScaler raises NotFittedError",
    "test_normalizer_l1_l2_max_non_csr": "as test_normalizer_l1_l2_max",
    "test_normalizer_max_sign": "as test_normalizer_l1_l2_max",
    "test_scale_sparse_with_mean_raise_exception": "sparse input with with_mean=True is a "
    "TypeError here (SPEC: sparse input a transform cannot keep sparse), a ValueError there",
    "test_scaler_without_centering": "as test_scale_sparse_with_mean_raise_exception",
    "test_standard_scaler_sample_weight_array_api": "array API: tests/test_array_api.py",
    "test_preprocessing_array_api_compliance": "array API: tests/test_array_api.py",
    "test_standard_scaler_array_api_compliance": "array API: tests/test_array_api.py",
    "test_preprocessing_integer_array_api_on_float32_only_device": "needs a float32-only "
    "device (MPS)",
    "test_standard_scaler_callback_support": "scikit-learn's private callback API",
    "test_center_kernel": "KernelCenterer: StandardScaler only builds its reference",
    "test_kernelcenterer_non_linear_kernel": "as test_center_kernel",
}


def _ours(value):
    """A scikit-learn scaler class or instance in a parametrisation, as ours."""
    if isinstance(value, type) and value.__module__.startswith("sklearn."):
        return STAND_INS.get(value.__name__, value)
    if type(value).__module__.startswith("sklearn.") and type(value).__name__ in STAND_INS:
        return STAND_INS[type(value).__name__](**value.get_params())
    return value


def _listed(func):
    """``func`` with generator parametrisations made lists (pytest deprecates generators)
    and scikit-learn's scaler classes and instances in them replaced by ours."""
    marks = []
    for mark in getattr(func, "pytestmark", []):
        if mark.name == "parametrize":
            values = mark.args[1]
            values = values if isinstance(values, Collection) else list(values)
            ours = [_ours(v) for v in values]
            # a parametrisation over scalers keeps only those standing in for scikit-learn's
            replaced = [o for o, v in zip(ours, values) if o is not v]
            values = replaced or ours
            mark = pytest.mark.parametrize(mark.args[0], values, **mark.kwargs).mark
        marks.append(mark)
    func.pytestmark = marks
    return func


RUN = sorted(
    name
    for name, func in list(globals().items())
    if name.startswith("test_") and _listed(func).__module__ == sklearn_tests.__name__
)


def test_every_scaler_test_is_run_or_left_out_with_its_reason():
    def mentions(func):
        params = [m.args[1] for m in getattr(func, "pytestmark", []) if m.name == "parametrize"]
        named = {getattr(v, "__name__", type(v).__name__) for vs in params for v in vs}
        return (set(func.__code__.co_names) | named) & set(STAND_INS)

    uses = {
        name
        for name, func in vars(sklearn_tests).items()
        if name.startswith("test_") and callable(func) and mentions(func)
    }
    assert uses == set(RUN) | set(LEFT_OUT), uses ^ (set(RUN) | set(LEFT_OUT))
    assert not set(RUN) & set(LEFT_OUT)


@pytest.fixture(autouse=True)
def ours_stand_in(monkeypatch):
    for name, cls in STAND_INS.items():
        monkeypatch.setattr(sklearn_tests, name, cls)


@pytest.fixture
def global_random_seed():
    """scikit-learn's fixture (its conftest is not loaded here): one fixed seed."""
    return 42
