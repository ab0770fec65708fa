"""sklearn_norm on dask: fit speed against dask-ml, and an array larger than memory.

``compare``: ``ZScoreScaler`` against ``dask_ml.preprocessing.StandardScaler`` and
``MinMaxScaler`` against ``dask_ml.preprocessing.MinMaxScaler``, fitting the same lazily
made array (default 4,000,000 x 50 float64; each block is made when a task needs it, so
every fit makes the data anew; see :func:`lazy_array`), best of ``--repeat``.
Target: sklearn_norm's fit takes at most half of dask-ml's time.

``big``: fits ``ZScoreScaler`` on a lazily made array larger than the machine's
memory (default 120,000,000 x 32 float64 = 28.6 GiB), transforms it and reduces the
result to its column sums (a lazy pipeline: nothing is gathered), and reports the peak
resident memory of the process. Target: under 4 GiB.

Both use dask's threaded scheduler in this process. Needs the ``bench`` extra (dask-ml)
for ``compare``. Run ``python benchmarks/bench_dask.py --help``.
"""

import argparse
import resource
import time

import dask
import dask.array as da
import numpy as np

import sklearn_norm as sn


def lazy_array(n_rows, n_features, chunk_rows, seed=0, source="shifted"):
    """A float64 array whose blocks are made only when a task needs them (never stored).

    ``source="shifted"``: each block is one random block (mean 1e3, std 3) plus its
    block index / 100, a fresh array costing one pass over memory, so the timings
    measure the statistics rather than a random number generator (the time to make and
    sum the blocks is printed as the floor). ``source="resident"``: each block is a
    read-only view of that one random block, made for free: the timings are the
    statistics alone, as when the blocks are already in the workers' memory.
    """
    base = np.random.default_rng(seed).standard_normal((chunk_rows, n_features)) * 3.0 + 1e3
    n_full, rest = divmod(n_rows, chunk_rows)
    row_chunks = (chunk_rows,) * n_full + ((rest,) if rest else ())

    base.flags.writeable = False

    def block(block_id=None):
        rows = row_chunks[block_id[0]]
        return base[:rows] if source == "resident" else base[:rows] + 0.01 * block_id[0]

    return da.map_blocks(block, chunks=(row_chunks, (n_features,)), dtype=np.float64)


def best_time(func, X, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(X)
        times.append(time.perf_counter() - start)
    return min(times)


def compare(args):
    from dask_ml import preprocessing as dml

    X = lazy_array(args.rows, args.features, args.chunk_rows, source=args.source)
    pairs = [
        ("ZScoreScaler vs StandardScaler", sn.ZScoreScaler, dml.StandardScaler, "mean_", "var_"),
        (
            "MinMaxScaler vs MinMaxScaler",
            sn.MinMaxScaler,
            dml.MinMaxScaler,
            "data_min_",
            "data_max_",
        ),
    ]
    print(
        f"fit of a lazily made ({args.source}) {args.rows:,} x {args.features} float64 array, "
        f"chunks of {args.chunk_rows:,} rows, {dask.system.CPU_COUNT} cores, best of {args.repeat}"
    )
    print(f"{'pair':34s} {'sklearn_norm':>12s} {'dask-ml':>9s} {'ratio':>6s}")
    ok = True
    for label, ours, theirs, *attrs in pairs:
        t_generate = best_time(lambda X: X.sum(axis=0).compute(), X, 1)
        t_ours = best_time(ours().fit, X, args.repeat)
        t_theirs = best_time(theirs().fit, X, args.repeat)
        a, b = ours().fit(X), theirs().fit(X)
        for attr in attrs:
            np.testing.assert_allclose(getattr(a, attr), np.asarray(getattr(b, attr)), rtol=1e-9)
        ratio = t_ours / t_theirs
        ok &= ratio <= 0.5
        print(
            f"{label:34s} {t_ours:11.2f}s {t_theirs:8.2f}s {ratio:6.2f}   "
            f"(making and summing the blocks alone: {t_generate:.2f}s)"
        )
    print("target fit <= 0.5x dask-ml:", "met" if ok else "NOT met")
    return ok


def peak_rss_gib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux


def big(args):
    X = lazy_array(args.rows, args.features, args.chunk_rows)
    size = X.nbytes / 2**30
    print(
        f"lazily generated {args.rows:,} x {args.features} float64 = {size:.1f} GiB, "
        f"chunks of {args.chunk_rows:,} rows ({X.npartitions} blocks)"
    )
    start = time.perf_counter()
    est = sn.ZScoreScaler().fit(X)
    t_fit = time.perf_counter() - start
    print(
        f"fit: {t_fit:.1f}s, mean_[:3] = {np.round(est.mean_[:3], 4)}, "
        f"scale_[:3] = {np.round(est.scale_[:3], 4)}, peak RSS so far {peak_rss_gib():.2f} GiB"
    )
    start = time.perf_counter()
    sums = est.transform(X).sum(axis=0).compute()
    t_transform = time.perf_counter() - start
    peak = peak_rss_gib()
    print(
        f"transform -> column sums: {t_transform:.1f}s, |sum| max {np.abs(sums).max():.3g} "
        f"(near 0: standardised data)"
    )
    print(
        f"peak RSS of the process: {peak:.2f} GiB for {size:.1f} GiB of data "
        f"(target < 4 GiB: {'met' if peak < 4 else 'NOT met'})"
    )
    return peak < 4


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["compare", "big"])
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--features", type=int, default=None)
    parser.add_argument("--chunk-rows", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--source", choices=["shifted", "resident"], default="shifted")
    args = parser.parse_args(argv)
    defaults = {"compare": (4_000_000, 50, 250_000), "big": (120_000_000, 32, 500_000)}
    rows, features, chunk_rows = defaults[args.mode]
    args.rows = args.rows or rows
    args.features = args.features or features
    args.chunk_rows = args.chunk_rows or chunk_rows
    with dask.config.set(scheduler="threads"):
        ok = compare(args) if args.mode == "compare" else big(args)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
