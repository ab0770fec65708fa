"""The streamed quantile scalers: KLL sketch update throughput and bounded memory.

``bench_scalers.py`` times the exact ``fit`` and the ``transform`` of ``RobustScaler``
and ``QuantileScaler`` against scikit-learn. This script times their *streamed* fit,
``partial_fit`` over chunks of rows (the chunks are views of ``X``: nothing is copied
for them), reports the sketch's update throughput (values per second) and the peak
extra memory of the whole stream as a fraction of ``X`` (target ≤ 2 %, issue 15), with
the ``rank_error_`` reached.

Run ``python benchmarks/bench_quantile.py --help`` (``make bench`` runs it too).
"""

import argparse
import statistics
import sys
import time
import tracemalloc

import numpy as np

import sklearn_norm

#: the streamed fit's target: peak extra memory at most this fraction of X
MEMORY_TARGET = 0.02


def stream(est, X, chunk_rows):
    """``partial_fit`` of ``est`` on consecutive chunks of ``chunk_rows`` rows of ``X``."""
    for start in range(0, X.shape[0], chunk_rows):
        est.partial_fit(X[start : start + chunk_rows])
    return est


def peak_extra(func):
    """Peak bytes allocated during ``func()`` (numpy reports its buffers to tracemalloc)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        func()
        return max(0, tracemalloc.get_traced_memory()[1] - before)
    finally:
        tracemalloc.stop()


def bench(name, X, chunk_rows, repeat, memory):
    times, est = [], None
    for _ in range(repeat):
        est = sklearn_norm.make_scaler(name)
        start = time.perf_counter()
        stream(est, X, chunk_rows)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    row = {
        "name": name,
        "dtype": X.dtype.name,
        "seconds": seconds,
        "values_per_s": X.size / seconds,
        "rank_error": est.rank_error_,
    }
    if memory:
        row["mem"] = peak_extra(lambda: stream(sklearn_norm.make_scaler(name), X, chunk_rows))
        row["mem"] /= X.nbytes
    return row


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--chunk-rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--only", default="robust,quantile")
    parser.add_argument("--no-memory", action="store_true")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    rng = np.random.default_rng(0)
    rows = []
    for dtype in args.dtypes.split(","):
        X = rng.lognormal(0, 1, (args.rows, args.cols)).astype(dtype)
        for name in args.only.split(","):
            rows.append(bench(name, X, args.chunk_rows, args.repeat, not args.no_memory))
            print(f"done {name} {dtype}", file=sys.stderr, flush=True)
    print(
        f"\nstreamed fit: partial_fit on {args.rows:,} x {args.cols} in chunks of "
        f"{args.chunk_rows:,} rows, median of {args.repeat}\n"
    )
    print(
        "| scaler | dtype | seconds | sketch updates / s | rank_error_ | peak extra mem (% X) | ≤ 2 % |"
    )
    print("|---|---|---:|---:|---:|---:|---|")
    for r in rows:
        mem = r.get("mem")
        print(
            f"| {r['name']} | {r['dtype']} | {r['seconds']:.2f} | {r['values_per_s']:.3g} | "
            f"{r['rank_error']:.4f} | {'-' if mem is None else f'{100 * mem:.2f}'} | "
            f"{'-' if mem is None else ('yes' if mem <= MEMORY_TARGET else 'no')} |"
        )
    return rows


if __name__ == "__main__":
    main()
