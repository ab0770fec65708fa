"""The API reference's lists of names, made from the package itself (``make docs``).

A scaler registered with ``@register`` and exported from ``sklearn_norm`` appears under
its family (column-wise: a ``ColumnScaler``; sample-wise: the others) and a function
exported from ``sklearn_norm.functional`` in the functional list, without editing
``api.rst``: ``conf.py`` writes :func:`api_lists` to ``_api_lists.rst``, which
``api.rst`` includes.
"""

import sklearn_norm
import sklearn_norm.functional as functional
from sklearn_norm._base import ColumnScaler
from sklearn_norm._registry import _REGISTRY

SCALER_TEMPLATE = ":template: class.rst"


def sections():
    """``[(title, module, names, template)]``: every public name, once, in its section."""
    scalers = sorted(_REGISTRY.values(), key=lambda cls: cls.__name__)
    column = [c.__name__ for c in scalers if issubclass(c, ColumnScaler)]
    sample = [c.__name__ for c in scalers if not issubclass(c, ColumnScaler)]
    others = sorted(set(sklearn_norm.__all__) - set(column) - set(sample))
    return [
        ("Column-wise scalers", "sklearn_norm", column, SCALER_TEMPLATE),
        ("Sample-wise scalers", "sklearn_norm", sample, SCALER_TEMPLATE),
        ("Selecting scalers and configuration", "sklearn_norm", others, None),
        ("Functional API", "sklearn_norm.functional", sorted(functional.__all__), None),
    ]


def api_lists():
    """The sections as reStructuredText: a heading and an autosummary table each."""
    lines = []
    for title, module, names, template in sections():
        lines += [title, "-" * len(title), "", f".. currentmodule:: {module}", ""]
        if module == "sklearn_norm.functional":
            lines += [f".. automodule:: {module}", "   :no-members:", ""]
        lines += [".. autosummary::", "   :toctree: generated/"]
        lines += [f"   {template}"] if template else []
        lines += ["", *(f"   {name}" for name in names), ""]
    return "\n".join(lines) + "\n"
