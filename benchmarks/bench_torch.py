"""sklearn_norm on torch tensors against PyTorch's own operators on the same tensors.

Per estimator and dtype, each call of sklearn_norm under
``sklearn.set_config(array_api_dispatch=True)`` (``SCIPY_ARRAY_API=1``) is timed
interleaved with its PyTorch-native equivalent (``torch.var_mean``, ``torch.aminmax``,
the elementwise expression, ``F.batch_norm``, ``F.layer_norm``, ``F.group_norm``,
``F.instance_norm``, ``F.rms_norm``, ``F.normalize``) in one process, so that each ratio compares runs
that saw the same machine load. Wall-clock and process CPU time are both reported
(medians); on a shared machine the CPU-time ratio is the steadier of the two. The last
column is the bandwidth a call reaches (a fit reads X once, a transform reads it and
writes the output) as a share of ``x.clone()``'s, measured in the same run: on a GPU the
issue asks transforms >= 50 % and fits >= 30 %.

The sample-wise scalers learn nothing but the number of features; their ``fit`` and
``partial_fit`` still read the data once to refuse infinities, so they are compared with
``torch.isinf(X).any()``; their inverses need the kept statistics (``keep_stats=True``,
``keep_norm=True`` rows). Every estimator has ``fit``, ``partial_fit``, ``transform`` and
``inverse_transform`` rows; ``PowerScaler``'s fit (λ by maximum likelihood) has no native
equivalent, so those rows time ours alone (ratio ``nan``).

Run ``python benchmarks/bench_torch.py --help`` (``make bench-torch``). CPU always, CUDA
too when a device is present (``--devices``); timings on CUDA are synchronised.
"""

import argparse
import math
import os
import statistics
import sys
import time

os.environ.setdefault("SCIPY_ARRAY_API", "1")  # before scikit-learn is imported

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from torch_natives import cases  # noqa: E402  (benchmarks/, the script's folder)

import sklearn_norm as sn  # noqa: E402

#: the issue's limit on sklearn_norm / native
TARGET = 1.3


def native_terms(torch, est, X):
    """The fitted scaler's map as native tensors in ``X``'s dtype (built before timing)."""

    def t(value):
        return torch.as_tensor(np.asarray(sn._xp.to_numpy(value), dtype=np.float64)).to(
            device=X.device, dtype=X.dtype
        )

    terms = {}
    for name, attr in (
        ("mean", "mean_"),
        ("var", "var_"),
        ("data_min", "data_min_"),
        ("center", "center_"),
        ("quantiles", "quantiles_"),
        ("lambdas", "lambdas_"),
    ):
        if hasattr(est, attr):
            terms[name] = t(getattr(est, attr))
    if hasattr(est, "running_mean_"):
        terms["mean"] = t(est.running_mean_)
        terms["var"] = t(est.running_var_)
        terms["scale"] = t(np.sqrt(sn._xp.to_numpy(est.running_var_) + est.eps))
    elif hasattr(est, "scale_"):
        terms["scale"] = t(est.scale_)
    elif hasattr(est, "n_digits_"):
        terms["scale"] = t(10.0 ** -sn._xp.to_numpy(est.n_digits_).astype(np.float64))
    return terms


def sync_for(torch, device):
    return torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)


def timed(func, sync):
    """``(wall seconds, process CPU seconds)`` of one call."""
    sync()
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    sync()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    del result
    return wall, cpu


def bench(torch, X, repeat, only=None):
    """Rows ``{estimator, op, dtype, ours, native, ratio, cpu_ratio}`` for ``X``."""
    sync = sync_for(torch, str(X.device))
    X.clone()  # warm-up
    copy_s = statistics.median(timed(X.clone, sync)[0] for _ in range(max(repeat, 3)))
    copy_bw = 2 * X.numel() * X.element_size() / copy_s  # bytes read + written per second
    print(
        f"| {X.device} | {X.dtype} | `x.clone()` | copy | {copy_s:.3f} | | | | 100% |", flush=True
    )
    rows = []
    for label, make, ops in cases(torch, X.shape[1]):
        if only and not any(o in label for o in only):
            continue
        fitted = make().fit(X)
        terms = native_terms(torch, fitted, X)
        Y = fitted.transform(X)
        for op, native in ops.items():
            ours, theirs = _calls(op, make, fitted, X, Y, native, terms)
            if native is None:  # no native equivalent: ours alone
                theirs = lambda: None  # noqa: E731
            ours(), theirs()  # warm-up
            a, b = [], []
            for _ in range(repeat):  # interleaved: both sides see the same load
                a.append(timed(ours, sync))
                b.append(timed(theirs, sync))
            wall_a = statistics.median(w for w, _ in a)
            wall_b = statistics.median(w for w, _ in b) if native else math.nan
            cpu_a = statistics.median(c for _, c in a)
            cpu_b = statistics.median(c for _, c in b) if native else math.nan
            rows.append(
                {
                    "estimator": label,
                    "op": op,
                    "dtype": str(X.dtype).replace("torch.", ""),
                    "device": str(X.device),
                    "ours": wall_a,
                    "native": wall_b,
                    "ratio": wall_a / wall_b,
                    "cpu_ratio": cpu_a / cpu_b if cpu_b > 0 else math.nan,
                    # a fit reads X once; a transform reads it and writes the output
                    "of_copy": (1 if "fit" in op else 2)
                    * X.numel()
                    * X.element_size()
                    / wall_a
                    / copy_bw,
                }
            )
            print(_line(rows[-1]), flush=True)
        del Y, fitted
    return rows


def _calls(op, make, fitted, X, Y, native, terms):
    """``(sklearn_norm's call, the native call)`` of ``op``."""
    if op == "fit":
        return (lambda: make().fit(X)), (lambda: native(X, fitted))
    if op == "partial_fit":
        return (lambda: make().partial_fit(X)), (lambda: native(X, fitted))
    if op == "transform":
        return (lambda: fitted.transform(X)), (lambda: native(X, terms))
    return (lambda: fitted.inverse_transform(Y)), (lambda: native(Y, terms))


HEADER = (
    "| device | dtype | estimator | call | sklearn_norm (s) | native (s) | ratio | CPU ratio "
    "| of copy bw |\n|---|---|---|---|---:|---:|---:|---:|---:|"
)


def _line(r):
    flag = " **" if r["ratio"] > TARGET else ""  # NaN: no native equivalent
    return (
        f"| {r['device']} | {r['dtype']} | {r['estimator']} | {r['op']} | {r['ours']:.3f} | "
        f"{r['native']:.3f} | {r['ratio']:.2f}{flag} | {r['cpu_ratio']:.2f} | "
        f"{r['of_copy']:.0%} |"
    )


def make_data(torch, rows, cols, dtype, device, seed=0):
    """Lognormal ``rows x cols`` values (positive: every default scaler accepts them)."""
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(rows, cols, generator=gen, dtype=torch.float64).exp_()
    return X.to(dtype=getattr(torch, dtype), device=device)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--devices", default=None, help="default: cpu, and cuda when present")
    parser.add_argument("--only", default=None, help="comma-separated parts of estimator names")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    try:
        import torch
    except ImportError:
        print("bench_torch: torch is not installed; nothing to measure.")
        return []
    torch.set_num_threads(args.threads)
    devices = args.devices.split(",") if args.devices else ["cpu"]
    if args.devices is None and torch.cuda.is_available():
        devices.append("cuda")
    only = args.only.split(",") if args.only else None
    print(
        f"torch {torch.__version__}, numpy {np.__version__}, sklearn {sklearn.__version__}, "
        f"{args.rows:,} x {args.cols} lognormal, {args.threads} threads, medians of "
        f"{args.repeat}, interleaved; ratio = sklearn_norm / native (target <= {TARGET})\n"
    )
    print(HEADER)
    rows = []
    with sklearn.config_context(array_api_dispatch=True):
        for device in devices:
            for dtype in args.dtypes.split(","):
                X = make_data(torch, args.rows, args.cols, dtype, device)
                rows += bench(torch, X, args.repeat, only)
                del X
    over = [r for r in rows if r["ratio"] > TARGET]
    compared = [r for r in rows if not math.isnan(r["ratio"])]
    print(
        f"\n{len(compared) - len(over)} of {len(compared)} calls within {TARGET}x (** marks "
        f"the rest); {len(rows) - len(compared)} without a native equivalent (nan)"
    )
    return rows


if __name__ == "__main__":
    main()
    sys.exit(0)
