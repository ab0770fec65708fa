"""KLL (datasketches) against a t-digest (fastdigest): time and rank error when merged.

Each distribution's 10^6 values are cut in 10 chunks; each chunk is sketched and the
sketches merged; the rank error of 999 quantiles is counted exactly against the sorted
data. ``pip install fastdigest`` first (the ``bench`` extra has it). The figures quoted
in ``docs/user_guide/robust.rst`` come from this script.
"""

import time

import datasketches
import fastdigest
import numpy as np

P = np.linspace(0.001, 0.999, 999)


def max_rank_error(sorted_values, quantiles):
    """Largest distance of a quantile's true rank interval from its target."""
    low = np.searchsorted(sorted_values, quantiles, "left") / sorted_values.size
    high = np.searchsorted(sorted_values, quantiles, "right") / sorted_values.size
    return float(np.maximum(0, np.maximum(low - P, P - high)).max())


def kll(chunks, k=1000):
    sketches = [datasketches.kll_doubles_sketch(k) for _ in chunks]
    for sketch, chunk in zip(sketches, chunks):
        sketch.update(chunk)
    for other in sketches[1:]:
        sketches[0].merge(other)
    return np.array(sketches[0].get_quantiles(P.tolist(), True))


def tdigest(chunks):
    digests = [fastdigest.TDigest.from_values(chunk) for chunk in chunks]
    merged = digests[0]
    for other in digests[1:]:
        merged = merged.merge(other)
    return np.array([merged.quantile(p) for p in P])


def main():
    rng = np.random.default_rng(0)
    data = {
        "normal": rng.normal(size=10**6),
        "lognormal": rng.lognormal(0, 2, 10**6),
        "t(1.5)": rng.standard_t(1.5, 10**6),
        "ties": rng.integers(0, 7, 10**6).astype(float),
    }
    print("| data | KLL s | KLL max rank error | t-digest s | t-digest max rank error |")
    print("|---|---:|---:|---:|---:|")
    for name, x in data.items():
        chunks, xs = np.array_split(x, 10), np.sort(x)
        row = []
        for method in (kll, tdigest):
            start = time.perf_counter()
            q = method(chunks)
            row += [time.perf_counter() - start, max_rank_error(xs, q)]
        print(f"| {name} | {row[0]:.2f} | {row[1]:.5f} | {row[2]:.2f} | {row[3]:.5f} |")


if __name__ == "__main__":
    main()
