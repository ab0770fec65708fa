"""ONNX export: every estimator, pipelines and column transformers, run by onnxruntime."""

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from _export_cases import TOLERANCE, data, power_branches, variant_id, variants
from skl2onnx import to_onnx
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_norm as sn
from sklearn_norm._base import ColumnScaler
from sklearn_norm._engine import Affine as EngineAffine
from sklearn_norm._export import Affine
from sklearn_norm._registry import _REGISTRY
from sklearn_norm._stats import MOMENTS
from sklearn_norm.onnx import register_onnx_converters

VARIANTS = variants()


def run(model, X):
    """onnxruntime's outputs for ``X`` (the model is checked by onnx first)."""
    onnx.checker.check_model(model, full_check=True)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X})


def assert_same(got, expected, dtype):
    assert got.dtype == expected.dtype and got.shape == expected.shape
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)  # NaN where NaN


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", VARIANTS, ids=variant_id)
def test_onnx_every_estimator_reproduces_transform(case, dtype):
    cls, params = case
    X = data(dtype)
    est = cls(**params).fit(X)
    model = to_onnx(est, X[:1])
    assert {op.domain for op in model.opset_import} == {""}  # standard operators only
    assert model.opset_import[0].version >= 18
    expected = est.transform(X)
    assert np.isnan(expected).any()  # the NaN path is exercised
    assert_same(run(model, X)[0], expected, dtype)


@pytest.mark.parametrize("method", ["yeo-johnson", "box-cox"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_onnx_power_scaler_takes_every_branch_as_transform(dtype, method):
    est, X = power_branches(dtype, method)
    expected = est.transform(X)
    assert np.isnan(expected).any() and (X > 0).any()
    assert (X < 0).any() == (method == "yeo-johnson")
    assert_same(run(to_onnx(est, X[:1]), X)[0], expected, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_onnx_pipeline_and_column_transformer_predict_as_scikit_learn(dtype):
    rng = np.random.default_rng(1)
    X = rng.normal(3.0, 2.0, (120, 6)).astype(dtype)
    y = (X[:, 0] + X[:, 4] > 6).astype(np.int64)
    columns = ColumnTransformer(
        [
            ("layer", sn.LayerNormScaler(keep_stats=True), [0, 1, 2]),
            ("std", StandardScaler(), [3, 4]),
            ("log", sn.LogScaler(signed=True), [5]),
        ]
    )
    pipe = make_pipeline(columns, sn.ZScoreScaler(), LogisticRegression()).fit(X, y)
    model = to_onnx(pipe, X[:1], options={LogisticRegression: {"zipmap": False}})
    label, proba = run(model, X)
    np.testing.assert_array_equal(label, pipe.predict(X))
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(proba, pipe.predict_proba(X), rtol=tol, atol=tol)


def test_onnx_grid_searched_regression_pipeline():
    rng = np.random.default_rng(2)
    X = rng.lognormal(0.0, 1.0, (150, 4))
    y = X @ [1.0, -2.0, 0.5, 3.0] + rng.normal(0, 0.1, 150)
    pipe = Pipeline([("scaler", sn.MinMaxScaler()), ("ridge", Ridge())])
    grid = sn.scaler_grid(methods=["minmax", "zscore", "log", "batchnorm"])
    search = GridSearchCV(pipe, [{**g, "ridge__alpha": [0.1, 1.0]} for g in grid], cv=3)
    best = search.fit(X, y).best_estimator_
    (got,) = run(to_onnx(best, X[:1]), X)
    np.testing.assert_allclose(got.ravel(), best.predict(X), rtol=1e-12, atol=1e-12)


def test_onnx_float32_keeps_a_large_centre():
    # 1e6 + small noise: the centre's low bits are kept in float32, as transform keeps them
    X = (1e6 + np.random.default_rng(3).normal(0, 0.05, (200, 3))).astype(np.float32)
    est = sn.ZScoreScaler().fit(X)
    expected = est.transform(X)
    (got,) = run(to_onnx(est, X[:1]), X)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_onnx_integer_input_is_computed_in_float64():
    X = np.arange(24, dtype=np.int64).reshape(6, 4) ** 2
    est = sn.MinMaxScaler().fit(X)
    (got,) = run(to_onnx(est, X[:1]), X)
    assert_same(got, est.transform(X), np.float64)


def test_onnx_log_outside_its_domain_is_nan():
    # transform raises there (handle_invalid="error"); a graph cannot raise, it gives NaN
    est = sn.LogScaler(offset=2.0).fit(np.array([[0.0], [3.0]]))
    (got,) = run(to_onnx(est, np.zeros((1, 1))), np.array([[-2.0], [-3.0], [1.0]]))
    assert np.isnan(got[:2]).all() and got[2, 0] == pytest.approx(np.log(3.0), rel=1e-15)


def test_onnx_refuses_an_opset_below_18():
    X = data(np.float64)
    with pytest.raises(RuntimeError, match="opset 18"):
        to_onnx(sn.ZScoreScaler().fit(X), X[:1], target_opset=17)


class ShiftScaler(sn.ZScoreScaler):
    """A scaler registered after ``sklearn_norm.onnx`` was imported (with its description)."""

    def _export_description(self):
        return Affine(self.mean_, None, None)


class OpaqueScaler(sn.ZScoreScaler):
    """A scaler without an export description (its transform is its own, not its map's)."""

    def transform(self, X, copy=None):
        return super().transform(X, copy) ** 3


@pytest.mark.parametrize("cls", [ShiftScaler, OpaqueScaler])
def test_onnx_scalers_registered_later_convert_or_fail_loudly(cls):
    name = f"test_{cls.__name__}"
    sn.register(name)(cls)
    try:
        X = data(np.float64)
        est = cls().fit(X)
        if cls is OpaqueScaler:
            with pytest.raises(NotImplementedError, match="OpaqueScaler cannot be exported"):
                to_onnx(est, X[:1])
            return
        (got,) = run(to_onnx(est, X[:1]), X)
        np.testing.assert_allclose(got, X - est.mean_, rtol=0, atol=0)
    finally:
        del _REGISTRY[name]


class CentreScaler(ColumnScaler):
    """A column-wise scaler registered later whose map is an engine Affine: it has no
    export description of its own, ``_export`` derives it from ``_describe()``."""

    _parameter_constraints = {"copy": ["boolean"]}
    _need = (MOMENTS,)

    def __init__(self, *, copy=True):
        self.copy = copy

    def _learn(self, stats):
        return {"mean_": stats.mean, "n_samples_seen_": int(stats.n_rows)}

    def _describe(self):
        return EngineAffine(centre=self.mean_, factor=0.5, offset=3.0, clip=(2.0, 4.0))


def test_onnx_affine_scaler_registered_later_converts_from_its_description():
    sn.register("test_centre")(CentreScaler)
    try:
        X = data(np.float64)
        est = CentreScaler().fit(X)
        (got,) = run(to_onnx(est, X[:1]), X)
        expected = np.clip((X - np.nanmean(X, axis=0)) * 0.5 + 3.0, 2.0, 4.0)
        np.testing.assert_allclose(got, expected, rtol=1e-15, atol=1e-15)
        np.testing.assert_array_equal(got, est.transform(X))
    finally:
        del _REGISTRY["test_centre"]


def test_register_onnx_converters_lists_every_estimator():
    names = {cls.__name__ for cls in register_onnx_converters()}
    assert names >= {cls.__name__ for cls in sn.all_estimators()}
    assert names >= {cls.__name__ for cls in _REGISTRY.values()}
