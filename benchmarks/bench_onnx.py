"""onnxruntime against ``transform``: every registered scaler, exported with skl2onnx.

Each scaler (defaults) is fitted on the data, exported with ``skl2onnx.to_onnx`` and run
by onnxruntime's CPU provider (its default threads); the table gives the best of
``--repeat`` wall times of ``transform`` and of ``session.run`` on the same float32 data
(the calls interleaved), and their ratio. No target: it says what serving the exported
graph costs.

    .venv/bin/python benchmarks/bench_onnx.py [--rows 1000000 --cols 50 --repeat 5]
"""

import argparse
import time

import numpy as np
import onnxruntime as ort
from skl2onnx import to_onnx

import sklearn_norm.onnx  # noqa: F401  (registers the converters)
from sklearn_norm._registry import _REGISTRY


def best_times(funcs, repeat):
    """The best wall time of each function, the calls interleaved (a shared machine's
    load then falls on all of them alike)."""
    best = [float("inf")] * len(funcs)
    for _ in range(repeat):
        for i, func in enumerate(funcs):
            start = time.perf_counter()
            func()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def bench(name, X, repeat):
    est = _REGISTRY[name]().fit(X)
    onx = to_onnx(est, X[:1])
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    feed = {session.get_inputs()[0].name: X}
    got, expected = session.run(None, feed)[0], est.transform(X)
    agree = bool(np.allclose(got, expected, rtol=1e-5, atol=1e-5, equal_nan=True))
    ours, runtime = best_times([lambda: est.transform(X), lambda: session.run(None, feed)], repeat)
    return {"name": name, "transform": ours, "onnxruntime": runtime, "agree": agree}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default=None, help="comma-separated short names")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(_REGISTRY)
    rng = np.random.default_rng(0)
    X = rng.lognormal(0.0, 1.0, (args.rows, args.cols)).astype(np.float32)
    print(
        f"\nONNX: onnxruntime {ort.__version__} against transform, {args.rows:,} x {args.cols} float32"
    )
    print("| scaler | transform (s) | onnxruntime (s) | onnxruntime / transform | same values |")
    print("|---|---|---|---|---|")
    rows = []
    for name in names:
        row = bench(name, X, args.repeat)
        rows.append(row)
        ratio = row["onnxruntime"] / row["transform"]
        print(
            f"| {name} | {row['transform']:.3f} | {row['onnxruntime']:.3f} | {ratio:.2f}x "
            f"| {'yes' if row['agree'] else 'NO'} |"
        )
    return rows


if __name__ == "__main__":
    main()
