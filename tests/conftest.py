import os

# scikit-learn reads this when it is first imported: it turns on the Array API checks.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

from types import SimpleNamespace

import numpy as np
import pytest

_FLOAT = {"float32": ("Float32", "float32"), "float64": ("Float64", "float64")}


def _make_dataframe(name, columns, dtype="float64"):
    """A DataFrame of ``name``'s library from ``{column: values}`` (None: missing)."""
    import pandas as pd

    if name == "polars":
        import polars as pl

        kind = pl.Float32 if dtype == "float32" else pl.Float64
        return pl.DataFrame({k: pl.Series(k, list(v), dtype=kind) for k, v in columns.items()})
    nullable, plain = _FLOAT[dtype]
    if name == "pandas_nullable":
        return pd.DataFrame({k: pd.array(list(v), dtype=nullable) for k, v in columns.items()})
    values = {
        k: np.array([np.nan if x is None else x for x in v], dtype=plain)
        for k, v in columns.items()
    }
    return pd.DataFrame(values)


@pytest.fixture(params=["pandas", "pandas_nullable", "polars"])
def df_module(request):
    """The DataFrame library under test (as skrub's ``df_module``): ``name``,
    ``make_dataframe(columns, dtype="float64")``, ``DataFrame`` (its type) and ``output``
    (its ``set_output`` name)."""
    name = request.param
    if name == "polars":
        import polars as pl

        frame_type, output = pl.DataFrame, "polars"
    else:
        import pandas as pd

        frame_type, output = pd.DataFrame, "pandas"
    return SimpleNamespace(
        name=name,
        DataFrame=frame_type,
        output=output,
        make_dataframe=lambda columns, dtype="float64": _make_dataframe(name, columns, dtype),
    )
