"""make_scaler and scaler_grid: building and grid-searching scalers by short name."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.model_selection import ParameterGrid

import sklearn_norm
from sklearn_norm import LogScaler, MinMaxScaler, all_estimators, make_scaler, scaler_grid
from sklearn_norm._registry import _REGISTRY

#: The short names the SPEC promises; a scaler registered beyond them needs no edit here.
CONTRACT = {
    "minmax", "zscore", "decimal", "log", "unitnorm", "batchnorm", "layernorm",
    "instancenorm", "groupnorm", "maxabs", "robust", "quantile", "power", "rmsnorm",
}  # fmt: skip


def _registered():
    """Short names in the registry, each from ``@register("name")`` in its class's module."""
    return sorted(_REGISTRY)


def _class_name(method):
    """The class a short name builds: ``"minmax"`` -> ``MinMaxScaler`` (case aside)."""
    return {cls.__name__.lower(): cls.__name__ for cls in all_estimators()}[f"{method}scaler"]


def test_registry_names_are_the_contracts_and_the_classes():
    assert CONTRACT <= set(_registered())
    assert len(_registered()) == len(all_estimators())
    for method in _registered():
        assert _REGISTRY[method].__name__ == _class_name(method)


@pytest.mark.parametrize("method", _registered())
def test_registry_make_scaler_builds_each_registered_class(method):
    scaler = make_scaler(method)
    assert type(scaler).__name__ == _class_name(method)
    assert type(scaler) is getattr(sklearn_norm, _class_name(method))
    assert scaler.get_params() == type(scaler)().get_params()


def test_registry_make_scaler_passes_params():
    scaler = make_scaler("log", base=2, signed=True)
    assert isinstance(scaler, LogScaler)
    assert scaler.base == 2 and scaler.signed is True
    assert make_scaler("minmax", feature_range=(-1, 1)).feature_range == (-1, 1)


def test_registry_make_scaler_unknown_name_lists_known_ones():
    with pytest.raises(ValueError, match=r"Unknown scaler method 'robst'") as info:
        make_scaler("robst")
    for name in _registered():
        assert repr(name) in str(info.value)


def test_registry_make_scaler_unknown_param_names_it_and_valid_ones():
    with pytest.raises(ValueError, match=r"\['bse'\] for LogScaler \('log'\).*'base'"):
        make_scaler("log", bse=2)


def test_registry_scaler_grid_shapes():
    grid = scaler_grid(
        methods=["minmax", "log", "zscore"],
        params={"log": {"base": [2, 10], "signed": [False, True]}, "zscore": {"ddof": [0, 1]}},
    )
    assert [sorted(entry) for entry in grid] == [
        ["scaler"],
        ["scaler", "scaler__base", "scaler__signed"],
        ["scaler", "scaler__ddof"],
    ]
    assert [type(entry["scaler"][0]) for entry in grid][:2] == [MinMaxScaler, LogScaler]
    assert grid[1]["scaler__base"] == [2, 10]
    assert all(len(entry["scaler"]) == 1 for entry in grid)
    # usable as a GridSearchCV param_grid: 1 + 2 * 2 + 2 candidates
    assert len(ParameterGrid(grid)) == 7


def test_registry_scaler_grid_step_name():
    grid = scaler_grid(step="norm", methods=["log"], params={"log": {"base": [2]}})
    assert sorted(grid[0]) == ["norm", "norm__base"]


def test_registry_scaler_grid_methods_none_covers_all_registered():
    grid = scaler_grid()
    built = [type(entry["scaler"][0]).__name__ for entry in grid]
    assert built == [_class_name(name) for name in _registered()]
    # every exported estimator can be grid-searched by a short name
    assert sorted(built) == sorted(cls.__name__ for cls in all_estimators())
    assert all(sorted(entry) == ["scaler"] for entry in grid)
    assert all(isinstance(entry["scaler"][0], BaseEstimator) for entry in grid)


def test_registry_scaler_grid_params_for_method_not_in_methods():
    with pytest.raises(ValueError, match=r"params given for method\(s\) \['log'\] not in methods"):
        scaler_grid(methods=["minmax"], params={"log": {"base": [2]}})


def test_registry_scaler_grid_unknown_method_and_param():
    with pytest.raises(ValueError, match=r"Unknown scaler method 'nope'.*'minmax'"):
        scaler_grid(methods=["minmax", "nope"])
    with pytest.raises(ValueError, match=r"Unknown parameter\(s\) \['bse'\] for LogScaler"):
        scaler_grid(methods=["log"], params={"log": {"bse": [2]}})


def test_registry_scaler_grid_fresh_instances():
    first, second = scaler_grid(methods=["minmax"]), scaler_grid(methods=["minmax"])
    assert first[0]["scaler"][0] is not second[0]["scaler"][0]


@pytest.mark.parametrize("values", ["l1", 2, None])
def test_registry_scaler_grid_values_must_be_lists(values):
    with pytest.raises(ValueError, match="must be a list of candidate values"):
        scaler_grid(methods=["unitnorm"], params={"unitnorm": {"norm": values}})


def test_registry_scaler_grid_takes_tuples_and_arrays():
    grid = scaler_grid(methods=["log"], params={"log": {"base": (2, 10)}})
    assert grid[0]["scaler__base"] == [2, 10]
    grid = scaler_grid(methods=["log"], params={"log": {"base": np.array([2.0, 10.0])}})
    assert grid[0]["scaler__base"] == [2.0, 10.0]


def test_registry_holds_every_exported_estimator():
    exported = {
        obj
        for obj in vars(sklearn_norm).values()
        if isinstance(obj, type) and issubclass(obj, BaseEstimator)
    }
    assert exported == set(all_estimators())
    assert {cls.__name__ for cls in exported} <= set(sklearn_norm.__all__)
