import importlib.util
import os
from types import SimpleNamespace

# scikit-learn reads this when it is first imported: it turns on the Array API checks.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

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


# Hypothesis: `make test` is deterministic (the same examples every run, whatever the test
# order, no example database replaying an earlier run's failures); `make fuzz`
# (HYPOTHESIS_PROFILE=fuzz) draws new examples, many more, and prints how to reproduce one.
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci",
    max_examples=50,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=_QUIET,
)
settings.register_profile(
    "fuzz",
    max_examples=2000,
    derandomize=False,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=_QUIET,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# to_torch / from_torch against live PyTorch run where torch is installed (make test-torch);
# without it, test_torch_state.py checks from_torch's mapping on stored layer states
if importlib.util.find_spec("torch") is None:
    collect_ignore = ["test_torch_export.py"]
