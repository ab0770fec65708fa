"""Thread scaling: ``fit`` and ``transform`` times for 1, 2, 4 ... threads, with the floors.

For each estimator and dtype, the median of ``--repeat`` runs of ``fit`` and ``transform``
under ``config_context(n_threads=t)`` for ``t`` = 1, 2, 4, ... up to the core count, next to
numpy's single-threaded floors (``X.sum(axis=0)``, ``X.copy()``). Run it on a machine with
many cores: ``python benchmarks/bench_threads.py [--rows N] [--only zscore,minmax]``.
"""

import argparse
import functools
import os
import statistics
import time

import numpy as np

import sklearn_norm as sn

ESTIMATORS = {
    "minmax": sn.MinMaxScaler,
    "zscore": sn.ZScoreScaler,
    "log": sn.LogScaler,
    "unitnorm": sn.UnitNormScaler,
    "layernorm": sn.LayerNormScaler,
}


def median_time(func, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
        del result
    return statistics.median(times)


def timed(cls, X, op, n_threads, repeat):
    """Median seconds of ``cls().fit(X)`` or of a fitted ``transform(X)`` on ``n_threads``."""
    with sn.config_context(n_threads=n_threads):
        if op == "fit":
            return median_time(lambda: cls().fit(X), repeat)
        fitted = cls().fit(X)
        return median_time(lambda: fitted.transform(X), repeat)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=4_000_000)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default=",".join(ESTIMATORS))
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    threads = [t for t in (1, 2, 4, 8, 16, 32, 64) if t <= cores]
    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        X = rng.uniform(0.5, 10.5, (args.rows, args.features)).astype(dtype)
        floors = (
            median_time(functools.partial(X.sum, axis=0), args.repeat),
            median_time(X.copy, args.repeat),
        )
        print(
            f"\n{args.rows:,} x {args.features} {np.dtype(dtype).name}, {cores} cores; "
            f"floors: sum {floors[0]:.3f} s, copy {floors[1]:.3f} s (one thread)"
        )
        print(f"  {'estimator':10s} {'op':9s} " + " ".join(f"{t:>7d}t" for t in threads))
        for name in args.only.split(","):
            cls = ESTIMATORS[name]
            for op in ("fit", "transform"):
                row = [timed(cls, X, op, t, args.repeat) for t in threads]
                print(f"  {name:10s} {op:9s} " + " ".join(f"{s:8.3f}" for s in row))


if __name__ == "__main__":
    main()
