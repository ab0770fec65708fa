"""Every sklearn_norm function and deep-learning estimator against PyTorch.

The cases and PyTorch's outputs are stored in ``tests/fixtures/torch_*.npz`` (written by
``tests/fixtures/make_torch_fixtures.py``), so these tests need no torch. When torch is
importable, every case is also run live: PyTorch's outputs are recomputed from the
stored inputs. Tolerances: 1e-10 in float64, 1e-5 in float32.
"""

import functools
from pathlib import Path

import pytest
from fixtures.ours import run, targets
from fixtures.torch_cases import load_fixtures, run_torch
from numpy.testing import assert_allclose

CASES = load_fixtures(Path(__file__).parent / "fixtures")
TOLERANCE = {"float64": 1e-10, "float32": 1e-5}

try:
    import torch  # noqa: F401
except ImportError:
    SOURCES = ("fixture",)
else:
    SOURCES = ("fixture", "live")


def reference(outputs, key):
    """PyTorch's output ``key``: a name, or ``(name, k)`` for step ``k`` of a sequence."""
    if isinstance(key, tuple):
        name, step = key
        return outputs[name][step]
    return outputs[key]


@functools.cache
def live_outputs(case_id):
    params, inputs, _ = CASES[case_id]
    return run_torch(params, inputs)


PARAMS = [
    pytest.param(source, case_id, target, id=f"{source}-{case_id}-{target}")
    for source in SOURCES
    for case_id, (params, _, _) in CASES.items()
    for target in targets(params)
]


def test_torch_fixtures_present():
    methods = {params["method"] for params, _, _ in CASES.values()}
    assert len(methods) == 10
    assert {p["dtype"] for p, _, _ in CASES.values()} == {"float32", "float64"}


@pytest.mark.parametrize("source, case_id, target", PARAMS)
def test_matches_torch(source, case_id, target):
    params, inputs, stored = CASES[case_id]
    outputs = stored if source == "fixture" else live_outputs(case_id)
    tol = TOLERANCE[params["dtype"]]
    for key, ours in run(target, params, inputs):
        expected = reference(outputs, key)
        if key in ("out", "out_unit") or key[0] == "eval":  # learned statistics are float64
            assert ours.dtype == expected.dtype, f"{target}: {key}"
        assert_allclose(ours, expected, rtol=tol, atol=tol, err_msg=f"{target}: {key}")
