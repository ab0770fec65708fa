"""A/B of two checkouts: each operation timed back to back on both, order alternating.

    python benchmarks/ab_trees.py OLD_ROOT NAMES ROUNDS

``OLD_ROOT`` is a checkout of an older commit (``git worktree add --detach /tmp/old
COMMIT``); its package is imported from there, this checkout's from the installed one.
One long-lived worker process per tree times each operation (``fit`` / ``transform`` on
200,000 x 50 in float64 and float32: min of 9 runs; ``fit`` + ``transform``,
``fit_transform`` on 200 x 10 arrays and DataFrames: min of 200) and the table gives the
medians of the minima and the median over rounds of after / before. Used for issue 14's
"no speed loss" check (benchmarks/README.md).
"""

import statistics
import subprocess
import sys
import time

WORKER = "worker"


def worker(root):
    """Serve timing requests on stdin: ``"name op kind"`` -> ``"min median"`` seconds."""
    if root:
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in str(f)]
        sys.path.insert(0, root)
    import numpy as np
    import pandas as pd

    import sklearn_norm as sn

    assert not root or sn.__file__.startswith(root), sn.__file__
    rng = np.random.default_rng(0)
    big = {d: rng.normal(size=(200_000, 50)).astype(d) for d in ("float64", "float32")}
    small = rng.normal(size=(200, 10))
    frame = pd.DataFrame(small, columns=[f"c{i}" for i in range(10)])
    fitted = {}
    print("ready", flush=True)
    for line in sys.stdin:
        name, what, kind = line.split()
        X, n = (big[kind], 9) if kind in big else (frame if kind == "frame" else small, 200)
        X = abs(X) if name == "log" else X
        call = _call(sn, fitted, name, what, kind, X)
        call()
        times = []
        for _ in range(n):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        print(min(times), statistics.median(times), flush=True)


def _call(sn, fitted, name, what, kind, X):
    """The timed call: a fitted scaler's transform, a fit, or both."""
    if what == "transform":
        est = fitted.setdefault((name, kind), sn.make_scaler(name).fit(X))
        return lambda: est.transform(X)
    if what == "fit":
        return lambda: sn.make_scaler(name).fit(X)
    if what == "fit+transform":
        return lambda: sn.make_scaler(name).fit(X).transform(X)
    return lambda: sn.make_scaler(name).fit_transform(X)


def main(old_root, names, rounds):
    ops = []
    for name in names.split(","):
        for kind in ("float64", "float32"):
            ops += [f"{name} fit {kind}", f"{name} transform {kind}"]
        ops += [f"{name} fit+transform small", f"{name} fit+transform frame"]
        ops += [f"{name} fit_transform small"]
    workers = {}
    for side, root in (("before", old_root), ("after", "")):
        workers[side] = subprocess.Popen(
            [sys.executable, __file__, WORKER, root],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd="/",
        )  # fmt: skip
        assert workers[side].stdout.readline().strip() == "ready"
    times = {op: {"before": [], "after": []} for op in ops}
    for r in range(int(rounds)):
        for op in ops:
            for side in ("before", "after") if r % 2 == 0 else ("after", "before"):
                workers[side].stdin.write(op + "\n")
                workers[side].stdin.flush()
                times[op][side].append(float(workers[side].stdout.readline().split()[0]))
    print(f"{rounds} rounds; before = {old_root}, after = this checkout; ratio = after / before")
    print("| operation | before ms | after ms | after / before |\n|---|---:|---:|---:|")
    for op in ops:
        b, a = times[op]["before"], times[op]["after"]
        ratio = statistics.median(y / x for x, y in zip(b, a))
        print(
            f"| {op} | {statistics.median(b) * 1e3:.3f} | {statistics.median(a) * 1e3:.3f} | {ratio:.3f} |"
        )


if __name__ == "__main__":
    if sys.argv[1] == WORKER:
        worker(sys.argv[2])
    else:
        main(*sys.argv[1:])
