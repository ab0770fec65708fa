"""Every registered method and public name is documented: README table, user guide, API."""

from pathlib import Path

import pytest

import sklearn_norm
import sklearn_norm.functional as functional
from sklearn_norm._registry import _REGISTRY

ROOT = Path(__file__).parents[1]


@pytest.mark.parametrize("method", sorted(_REGISTRY))
def test_method_documented(method):
    cls = _REGISTRY[method].__name__
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f'| `"{method}"` | `{cls}` |' in readme, f"README's table lacks {method}"
    page = ROOT / "docs" / "user_guide" / f"{method}.rst"
    assert page.is_file(), f"no user-guide page {page.name}"
    text = page.read_text(encoding="utf-8")
    assert cls in text and ".. plot::" in text and "PyTorch" in text
    index = (ROOT / "docs" / "user_guide" / "index.rst").read_text(encoding="utf-8")
    assert f"\n   {method}\n" in index, f"{method} not in the user guide's toctree"


def test_api_reference_lists_every_public_name():
    api = (ROOT / "docs" / "api.rst").read_text(encoding="utf-8")
    listed = {line.strip() for line in api.splitlines() if line.startswith("   ")}
    missing = [n for n in [*sklearn_norm.__all__, *functional.__all__] if n not in listed]
    assert not missing, f"docs/api.rst lacks {missing}"
