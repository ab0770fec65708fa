"""benchmarks/bench_scalers.py runs on a tiny input (no timing is asserted)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from sklearn_norm._registry import _REGISTRY

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_scalers.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_scalers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_smoke_runs_every_registered_scaler(bench, capsys):
    argv = ["--rows", "300", "--cols", "6", "--repeat", "1", "--small-repeat", "1"]
    rows, small, f32 = bench.main(argv)
    out = capsys.readouterr().out
    assert {r["name"] for r in rows} == set(_REGISTRY)
    assert {(r["dtype"], r["op"]) for r in rows} == {
        (d, op) for d in ("float64", "float32") for op in ("fit", "transform")
    }
    assert all(r["ours"] > 0 and r["floor"] > 0 for r in rows)
    assert all("mem" in r for r in rows)
    assert set(f32) == set(_REGISTRY) and set(small) == {"array", "pandas DataFrame"}
    assert all(len(results) == len(_REGISTRY) for results in small.values())
    for name in _REGISTRY:
        assert name in out
    assert "| scaler | dtype | op |" in out
    # the least possible work runs beside every transform with a scikit-learn equivalent
    compared = [r for r in rows if r["op"] == "transform" and r["sklearn"] is not None]
    assert compared and all(r["bound"] > 0 for r in compared)
    assert "what this machine allows" in out
    least = [r for r in compared if r["name"] in bench.NUMPY_STEPS]
    assert least and all(r["numpy"] > 0 for r in least)
    assert "least numpy work" in out


def test_bound_is_the_copy_or_the_logarithm(bench):
    X = bench.make_data(500, 7, "float32")
    np.testing.assert_array_equal(bench.bound("minmax", X), X)
    np.testing.assert_array_equal(bench.bound("log", X), np.log1p(X))


@pytest.mark.parametrize("shape", [(500, 7), (5000, 3)])  # one block; folded blocks
def test_numpy_least_work_is_the_map_with_unit_parameters(bench, shape):
    X = bench.make_data(*shape, "float64")
    expected = {
        "minmax": X - 1.0,
        "zscore": X - 1.0,
        "decimal": X,
        "log": np.log1p(X),
        "batchnorm": X - 1.0,
        "unitnorm": X / np.linalg.norm(X, axis=1, keepdims=True),
    }
    assert set(expected) == set(bench.NUMPY_STEPS)
    for name, want in expected.items():
        np.testing.assert_allclose(bench.numpy_least(name, X), want, rtol=1e-15)
    X32 = X.astype(np.float32)
    wide = X32.astype(np.float64)
    want = wide / np.linalg.norm(wide, axis=1, keepdims=True)  # within 2 float32 ulps
    np.testing.assert_allclose(bench.numpy_least("unitnorm", X32), want, rtol=2.4e-7)


def test_bench_smoke_quick_flag(bench):
    args = bench.parse(["--quick"])
    assert args.rows < 100_000 and args.repeat <= 3


def test_peak_extra_counts_the_threads_scratch_blocks(bench):
    from sklearn_norm import ZScoreScaler

    X = bench.make_data(200_000, 10, "float32")  # several fit blocks, each widened
    ZScoreScaler().fit(X)  # the threads keep their scratch blocks after this call ...
    assert bench.peak_extra(lambda: ZScoreScaler().fit(X)) >= 1 << 20  # ... yet they count
