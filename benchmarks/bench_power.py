"""PowerScaler against scikit-learn's PowerTransformer: fit and transform times, λ agreement.

Both run in one process, interleaved round by round (medians), on skewed features of
several shapes (lognormal, exponential, gamma, normal, uniform, heavy-tailed; values of
both signs for Yeo-Johnson). scikit-learn's ``fit`` takes about a minute on
1,000,000 x 50, so the default is a quick run of 100,000 rows; ``--full`` runs the
issue's size. Run ``python benchmarks/bench_power.py --help`` (``make bench`` runs the
quick mode).
"""

import argparse
import statistics
import sys
import time

import numpy as np
from sklearn.preprocessing import PowerTransformer

from sklearn_norm import PowerScaler
from sklearn_norm._config import effective_n_threads


def make_data(rows, cols, method, seed=0):
    """Skewed features of six shapes, repeated; strictly positive for Box-Cox."""
    rng = np.random.default_rng(seed)
    shapes = [
        lambda: rng.lognormal(0.0, 1.0, rows),
        lambda: rng.exponential(2.0, rows),
        lambda: rng.gamma(2.0, 1.5, rows) - 2.0,
        lambda: rng.normal(0.0, 1.0, rows),
        lambda: rng.uniform(-1.0, 3.0, rows),
        lambda: rng.standard_t(5, rows),
    ]
    X = np.column_stack([shapes[j % len(shapes)]() for j in range(cols)])
    if method == "box-cox":
        X = np.abs(X) + 0.05
    return X


def timed(func):
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def bench(rows, cols, dtype, method, repeat, sklearn_repeat):
    """Median seconds of fit and transform of both, and the largest λ difference."""
    X = make_data(rows, cols, method).astype(dtype)
    times = {key: [] for key in ("fit", "sk fit", "transform", "sk transform")}
    ours = ref = None
    for round_ in range(repeat):
        seconds, ours = timed(lambda: PowerScaler(method=method).fit(X))
        times["fit"].append(seconds)
        times["transform"].append(timed(lambda est=ours: est.transform(X))[0])
        if round_ < sklearn_repeat:
            seconds, ref = timed(lambda: PowerTransformer(method=method).fit(X))
            times["sk fit"].append(seconds)
            times["sk transform"].append(timed(lambda est=ref: est.transform(X))[0])
    medians = {key: statistics.median(t) for key, t in times.items()}
    delta = float(np.max(np.abs(ours.lambdas_ - ref.lambdas_)))
    return medians, delta


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--full", action="store_true", help="1,000,000 rows (minutes)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of PowerScaler")
    parser.add_argument("--sklearn-repeat", type=int, default=None, help="default: --repeat")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--methods", default="yeo-johnson,box-cox")
    args = parser.parse_args(argv)
    if args.full:
        args.rows = 1_000_000
    if args.sklearn_repeat is None:
        args.sklearn_repeat = args.repeat
    args.sklearn_repeat = max(1, min(args.sklearn_repeat, args.repeat))
    return args


def main(argv=None):
    args = parse(argv)
    print(
        f"PowerScaler vs PowerTransformer, {args.rows:,} x {args.cols}, medians of "
        f"{args.repeat} rounds (scikit-learn: {args.sklearn_repeat}), "
        f"{effective_n_threads()} threads"
    )
    print("| method | dtype | op | PowerScaler s | scikit-learn s | speed-up | max abs Δλ |")
    print("|---|---|---|---|---|---|---|")
    rows = []
    for method in args.methods.split(","):
        for dtype in args.dtypes.split(","):
            medians, delta = bench(
                args.rows, args.cols, dtype, method, args.repeat, args.sklearn_repeat
            )
            for op in ("fit", "transform"):
                ours, sk = medians[op], medians[f"sk {op}"]
                rows.append({"method": method, "dtype": dtype, "op": op, "ours": ours, "sk": sk})
                print(
                    f"| {method} | {dtype} | {op} | {ours:.3f} | {sk:.3f} | "
                    f"{sk / ours:.1f}x | {delta:.1e} |"
                )
            sys.stdout.flush()
    return rows


if __name__ == "__main__":
    main()
