"""benchmarks/bench_onnx.py runs on a tiny input and its graphs agree (no timing asserted)."""

import importlib.util
from pathlib import Path

from sklearn_norm._registry import _REGISTRY

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_onnx.py"


def test_bench_onnx_smoke_runs_every_registered_scaler(capsys):
    spec = importlib.util.spec_from_file_location("bench_onnx", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = module.main(["--rows", "200", "--cols", "6", "--repeat", "1"])
    assert {r["name"] for r in rows} == set(_REGISTRY)
    assert all(r["agree"] and r["transform"] > 0 and r["onnxruntime"] > 0 for r in rows)
    assert "| scaler | transform (s) | onnxruntime (s) |" in capsys.readouterr().out
