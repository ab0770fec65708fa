"""numpydoc validation of every public name and of the estimators' own methods."""

import pytest
from numpydoc.validate import validate

import sklearn_norm
import sklearn_norm.functional as functional

# numpydoc's checks that every public docstring passes. Left out: the ones scikit-learn
# leaves out too (ES01 extended summary, SA01 See Also, EX01 examples on methods, RT02
# named returns, SS05 verb form), and YD01 (context managers are not generators).
CHECKS = {
    "GL01", "GL02", "GL03", "GL05", "GL06", "GL07", "GL09", "GL10",
    "SS01", "SS02", "SS03", "SS04", "SS06",
    "PR01", "PR02", "PR03", "PR04", "PR05", "PR06", "PR07", "PR08", "PR09", "PR10",
    "RT01", "RT03", "RT04", "RT05", "SA02", "SA03",
}  # fmt: skip
METHODS = (
    "fit",
    "partial_fit",
    "transform",
    "inverse_transform",
    "get_feature_names_out",
    "to_torch",
    "from_torch",
)


def public_names():
    names = [f"sklearn_norm.{name}" for name in sklearn_norm.__all__]
    names += [f"sklearn_norm.functional.{name}" for name in functional.__all__]
    names += ["sklearn_norm.onnx", "sklearn_norm.onnx.register_onnx_converters"]
    for cls in sklearn_norm.all_estimators():
        for method in METHODS:
            owner = next((base for base in cls.__mro__ if method in vars(base)), None)
            if owner is not None and owner.__module__.startswith("sklearn_norm"):
                names.append(f"sklearn_norm.{cls.__name__}.{method}")
    return names


def test_docstrings_cover_the_api():
    names = public_names()
    assert "sklearn_norm.ZScoreScaler.partial_fit" in names
    assert "sklearn_norm.functional.weight_norm" in names


@pytest.mark.parametrize("name", public_names())
def test_docstring(name):
    result = validate(name)
    assert result["docstring"], f"{name} has no docstring"
    errors = [f"{code}: {msg}" for code, msg in result["errors"] if code in CHECKS]
    assert not errors, f"{name}:\n" + "\n".join(errors)
