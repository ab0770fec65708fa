"""Every registered method and public name is documented: user guide, API, README.

A new scaler needs only its own user-guide page (and its toctree line): the API
reference lists the package's names itself (``docs/_api.py``), and the README's table
shows the methods at a glance, each row checked against the registry.
"""

import re
import sys
from pathlib import Path

import numpy as np
import pytest

import sklearn_norm
import sklearn_norm.functional as functional
from sklearn_norm._base import ColumnScaler
from sklearn_norm._registry import _REGISTRY

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "docs"))
import _api  # noqa: E402

sys.path.remove(str(ROOT / "docs"))


@pytest.mark.parametrize("method", sorted(_REGISTRY))
def test_method_documented(method):
    cls = _REGISTRY[method].__name__
    page = ROOT / "docs" / "user_guide" / f"{method}.rst"
    assert page.is_file(), f"no user-guide page {page.name}"
    text = page.read_text(encoding="utf-8")
    assert cls in text and ".. plot::" in text and "PyTorch" in text
    index = (ROOT / "docs" / "user_guide" / "index.rst").read_text(encoding="utf-8")
    assert f"\n   {method}\n" in index, f"{method} not in the user guide's toctree"


def test_readme_table_rows_name_registered_methods_and_their_classes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r'^\| `"(\w+)"` \| `(\w+)` \|', readme, flags=re.MULTILINE)
    assert len(rows) >= 10
    for method, cls in rows:
        assert method in _REGISTRY and _REGISTRY[method].__name__ == cls, (method, cls)


def test_api_reference_lists_every_public_name_once():
    api = (ROOT / "docs" / "api.rst").read_text(encoding="utf-8")
    assert ".. include:: _api_lists.rst" in api
    listed = [name for _, _, names, _ in _api.sections() for name in names]
    assert sorted(listed) == sorted([*sklearn_norm.__all__, *functional.__all__])
    text = _api.api_lists()
    assert all(f"\n   {name}\n" in text for name in listed)


@pytest.mark.parametrize("method", sorted(_REGISTRY))
def test_api_reference_lists_each_scaler_in_its_family(method):
    cls = _REGISTRY[method]
    sections = {title: names for title, _, names, _ in _api.sections()}
    family = "Column-wise scalers" if issubclass(cls, ColumnScaler) else "Sample-wise scalers"
    assert cls.__name__ in sections[family]
    # the family is what the class does: the column-wise ones learn per-feature statistics
    fitted = cls().fit(np.arange(12.0).reshape(6, 2) ** 2 + 1)
    learned = {k for k in vars(fitted) if k.endswith("_") and not k.startswith("_")}
    per_feature = learned - {"n_features_in_", "n_samples_seen_", "feature_names_in_"}
    assert bool(per_feature) == (family == "Column-wise scalers"), (cls.__name__, per_feature)
