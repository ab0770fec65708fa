"""Composition with scikit-learn (Pipeline, ColumnTransformer, GridSearchCV) and persistence."""

import io
import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn import preprocessing
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_wine
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline

from sklearn_norm import (
    DecimalScaler,
    LogScaler,
    MinMaxScaler,
    ZScoreScaler,
    all_estimators,
    make_scaler,
    scaler_grid,
)

ESTIMATORS = all_estimators()
NAMES = [cls.__name__ for cls in ESTIMATORS]


@pytest.fixture(scope="module")
def wine():
    return load_wine(return_X_y=True, as_frame=True)


def test_zscore_pipeline_matches_standard_scaler_pipeline(wine):
    X, y = wine
    ours = make_pipeline(ZScoreScaler(), RidgeClassifier()).fit(X, y)
    ref = make_pipeline(preprocessing.StandardScaler(), RidgeClassifier()).fit(X, y)
    np.testing.assert_allclose(
        ours.decision_function(X), ref.decision_function(X), rtol=1e-10, atol=1e-10
    )
    assert list(ours[:-1].get_feature_names_out()) == list(X.columns)


def test_minmax_column_transformer_on_named_dataframe(wine):
    X, _ = wine
    columns = {
        "mm": (MinMaxScaler(feature_range=(-1, 1)), ["alcohol", "malic_acid"]),
        "z": (ZScoreScaler(), ["ash", "magnesium"]),
        "dec": (DecimalScaler(), ["proline"]),
        "log": (LogScaler(base=10), ["color_intensity", "hue"]),
    }
    ct = ColumnTransformer([(name, est, cols) for name, (est, cols) in columns.items()])
    out = ct.set_output(transform="pandas").fit_transform(X)
    expected_names = [f"{name}__{c}" for name, (_, cols) in columns.items() for c in cols]
    assert list(ct.get_feature_names_out()) == expected_names
    assert list(out.columns) == expected_names
    mm = X[["alcohol", "malic_acid"]]
    np.testing.assert_allclose(
        out[["mm__alcohol", "mm__malic_acid"]].to_numpy(),
        preprocessing.MinMaxScaler(feature_range=(-1, 1)).fit_transform(mm),
        atol=1e-15,
    )
    np.testing.assert_allclose(
        out[["z__ash", "z__magnesium"]].to_numpy(),
        preprocessing.StandardScaler().fit_transform(X[["ash", "magnesium"]]),
        rtol=1e-12,
        atol=1e-12,
    )
    np.testing.assert_allclose(out["dec__proline"], X["proline"] / 10_000.0)
    np.testing.assert_allclose(
        out[["log__color_intensity", "log__hue"]].to_numpy(),
        np.log10(1 + X[["color_intensity", "hue"]].to_numpy()),
        rtol=1e-15,
    )


def test_registry_grid_search_over_scalers_in_pipeline(wine):
    X, y = wine
    methods = ["minmax", "zscore", "decimal", "log"]
    grid = scaler_grid(
        methods=methods,
        params={"log": {"base": [2, 10]}, "minmax": {"feature_range": [(0, 1), (-1, 1)]}},
    )
    pipe = Pipeline([("scaler", "passthrough"), ("knn", KNeighborsClassifier())])
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert len(search.cv_results_["params"]) == 2 + 1 + 1 + 2
    tried = {type(p["scaler"]).__name__ for p in search.cv_results_["params"]}
    assert tried == {"MinMaxScaler", "ZScoreScaler", "DecimalScaler", "LogScaler"}
    # kNN without scaling is poor on wine (proline dominates); every scaler helps a lot
    assert search.best_score_ > 0.9
    assert search.best_estimator_.named_steps["scaler"].n_features_in_ == X.shape[1]
    # the refitted best pipeline predicts like a hand-built one with the same scaler
    best = search.best_params_["scaler"].set_params(
        **{k.split("__", 1)[1]: v for k, v in search.best_params_.items() if "__" in k}
    )
    manual = make_pipeline(best, KNeighborsClassifier()).fit(X, y)
    np.testing.assert_array_equal(manual.predict(X), search.predict(X))


def test_registry_grid_search_every_registered_method(wine):
    X, y = wine
    grid = scaler_grid()  # methods=None: every registered scaler, defaults
    pipe = Pipeline([("scaler", "passthrough"), ("clf", RidgeClassifier())])
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert len(search.cv_results_["params"]) == len(grid)


def _round_trips(est):
    """(label, loaded) for pickle, joblib and skops (trusting only sklearn_norm types)."""
    loaded = [("pickle", pickle.loads(pickle.dumps(est)))]
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    loaded.append(("joblib", joblib.load(buffer)))
    data = sio.dumps(est)
    untrusted = sio.get_untrusted_types(data=data)
    assert untrusted, "sklearn_norm types are not trusted by default"
    outside = [t for t in untrusted if not t.startswith("sklearn_norm.")]
    assert not outside, f"skops needs types outside sklearn_norm: {outside}"
    loaded.append(("skops", sio.loads(data, trusted=untrusted)))
    return loaded


PERSIST_PARAMS = {
    "UnitNormScaler": {"keep_norm": True},
    "LayerNormScaler": {"keep_stats": True},
    "InstanceNormScaler": {"keep_stats": True, "track_running_stats": True},
    "GroupNormScaler": {"keep_stats": True},
    "RMSNormScaler": {"keep_stats": True},
    "ZScoreScaler": {"ddof": 1},
    "LogScaler": {"offset": "auto", "base": 2},
}


@pytest.mark.parametrize("cls", ESTIMATORS, ids=NAMES)
def test_estimator_pickle_joblib_skops_round_trip(cls):
    rng = np.random.default_rng(0)
    names = [f"f{i}" for i in range(6)]
    X = pd.DataFrame(rng.normal(3, 2, size=(30, 6)), columns=names)
    X.iloc[2, 3] = np.nan
    est = cls(**PERSIST_PARAMS.get(cls.__name__, {})).fit(X)
    est.partial_fit(X.iloc[:10])  # running statistics and private state persist too
    expected = est.transform(X)
    for label, loaded in _round_trips(est):
        assert type(loaded) is cls, label
        assert loaded.get_params() == est.get_params(), label
        np.testing.assert_array_equal(loaded.transform(X), expected, err_msg=label)
        np.testing.assert_array_equal(loaded.feature_names_in_, names, err_msg=label)
        if hasattr(est, "inverse_transform"):
            np.testing.assert_array_equal(
                loaded.inverse_transform(expected), est.inverse_transform(expected), label
            )
        # a loaded estimator keeps learning exactly like the original
        np.testing.assert_array_equal(
            loaded.partial_fit(X.iloc[10:]).transform(X),
            pickle.loads(pickle.dumps(est)).partial_fit(X.iloc[10:]).transform(X),
            err_msg=label,
        )


def test_zscore_pipeline_skops_round_trip(wine):
    X, y = wine
    pipe = make_pipeline(make_scaler("zscore"), RidgeClassifier()).fit(X, y)
    for label, loaded in _round_trips(pipe):
        np.testing.assert_array_equal(
            loaded.decision_function(X), pipe.decision_function(X), err_msg=label
        )
