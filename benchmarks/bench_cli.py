"""Wall time and peak memory of ``sklearn-norm fit-transform`` on a large CSV file.

The input is the one of issue 13: ``--rows`` rows (default 3,000,000) of an integer ``id``
and 8 lognormal float64 columns, written by pandas' ``to_csv`` (476 MB at the default
size) into a temporary folder. Writing it is timed, and so is reading it back with
``pandas.read_csv`` in chunks of 100,000 rows: together the reference, pandas' own
read + ``to_csv`` time, measured in the same run. Then the command line scales the 8
columns (``id`` passes through) ``--repeat`` times, each in a fresh subprocess whose wall
time, CPU time (``os.wait4``) and peak resident memory (the child's own ``VmHWM``) are
reported with their medians.

Run ``python benchmarks/bench_cli.py --help`` (``make bench`` runs it with the defaults).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = [f"x{j}" for j in range(8)]


def write_input(path, n_rows, seed=0):
    """Write the benchmark CSV with pandas; return ``to_csv``'s ``(wall s, cpu s)``."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"id": np.arange(n_rows)})
    for name in COLUMNS:
        frame[name] = rng.lognormal(0.0, 1.0, n_rows)
    start, cpu = time.perf_counter(), time.process_time()
    frame.to_csv(path, index=False)
    return time.perf_counter() - start, time.process_time() - cpu


def pandas_read(path, chunksize=100_000):
    """``(wall s, cpu s)`` to read ``path`` with ``pandas.read_csv`` in chunks."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in pd.read_csv(path, chunksize=chunksize):
        pass
    return time.perf_counter() - start, time.process_time() - cpu


# The child reports its own peak (VmHWM of its address space). Linux's ru_maxrss would not
# do: exec keeps the larger of the old and new peaks, and the old address space is this
# process's (holding the benchmark's DataFrame), so every child would seem as large as it.
_PEAK = """
import atexit, runpy, sys
module, path = sys.argv.pop(1), sys.argv.pop(1)
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print(int(line.split()[1]), file=open(path, "w"))
atexit.register(peak)
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def run_cli(argv, module="sklearn_norm"):
    """Run ``python -m module argv`` in a subprocess: ``(wall s, cpu s, peak RSS MiB)``."""
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", _PEAK, module, peak.name, *argv])
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if proc.returncode != 0:
            raise SystemExit(f"python -m {module} {' '.join(argv)} failed")
        return wall, usage.ru_utime + usage.ru_stime, int(peak.read()) / 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=3_000_000, help="rows of the CSV file")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the command line")
    parser.add_argument("--chunksize", type=int, default=100_000, help="--chunksize given")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_cli_") as folder:
        src, out = Path(folder) / "data.csv", Path(folder) / "scaled.csv"
        t_write = write_input(src, args.rows)
        t_read = pandas_read(src)
        size = src.stat().st_size / 1e6
        cli = ["fit-transform", str(src), "-m", "zscore", "-c", ",".join(COLUMNS), "-o", str(out)]
        cli += ["--chunksize", str(args.chunksize), "-q"]
        runs = [run_cli(cli) for _ in range(args.repeat)]
        floor = run_cli(["--version"])  # imports the command line and exits
    wall, cpu, rss = (statistics.median(r[i] for r in runs) for i in range(3))
    print(f"\n## Command line: fit-transform -m zscore, {args.rows:,} rows ({size:.0f} MB CSV)\n")
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print("| what | wall s | cpu s | peak RSS MiB |\n|---|---:|---:|---:|")
    for i, (w, c, r) in enumerate(runs, 1):
        print(f"| sklearn-norm run {i} | {w:.2f} | {c:.2f} | {r:.0f} |")
    print(f"| **sklearn-norm median** | **{wall:.2f}** | {cpu:.2f} | {rss:.0f} |")
    print(
        f"| floor: sklearn-norm --version (imports only) | {floor[0]:.2f} | {floor[1]:.2f} | {floor[2]:.0f} |"
    )
    both = [r + w for r, w in zip(t_read, t_write)]
    print(f"| pandas read_csv (chunks) + to_csv | {both[0]:.2f} | {both[1]:.2f} | - |")
    print(f"| of which to_csv | {t_write[0]:.2f} | {t_write[1]:.2f} | - |")
    print(
        f"\nspeed-up over pandas read + to_csv: {both[0] / wall:.1f}x wall, {both[1] / cpu:.1f}x cpu"
    )
    return {"runs": runs, "floor": floor, "pandas_read": t_read, "pandas_write": t_write}


if __name__ == "__main__":
    main()
