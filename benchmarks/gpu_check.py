"""Every estimator on torch CUDA tensors: kept device and dtype, numpy's values, timings.

On a machine with a CUDA GPU and torch installed, with scikit-learn's Array API dispatch:

1. checks: every estimator (defaults and the settings that learn or invert more) is fit
   and applied to a float32 CUDA tensor with NaN; learned arrays and outputs must stay
   on the GPU, outputs in float32, and equal the numpy path on the CPU (float32
   tolerance); ``partial_fit`` in two chunks must equal ``fit``;
2. timings: ``fit`` and ``transform`` of a 10,000,000 x 64 float32 array on the GPU
   (torch, synchronised) against the numpy path on the CPU, per estimator.

Finishes in well under 3 minutes; exits cleanly with a message when there is no CUDA.
Run ``python benchmarks/gpu_check.py`` (``--rows`` to change the size of the timings).
"""

import argparse
import os
import sys
import time

os.environ.setdefault("SCIPY_ARRAY_API", "1")  # before scikit-learn is imported

import numpy as np  # noqa: E402

#: Seconds after which the remaining timings are skipped (the whole run must stay < 3 min).
TIME_BUDGET = 150


def estimators():
    import sklearn_norm as sn

    return [cls() for cls in sn.all_estimators()] + [
        sn.BatchNormScaler(n_channels=4, weight=np.linspace(0.5, 2, 4)),
        sn.InstanceNormScaler(n_channels=4, track_running_stats=True),
        sn.InstanceNormScaler(n_channels=4, keep_stats=True),
        sn.GroupNormScaler(n_groups=4, keep_stats=True),
        sn.LayerNormScaler(keep_stats=True),
        sn.UnitNormScaler(keep_norm=True),
    ]


def data(n_rows, n_features=64, seed=0, nan=True):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, n_features), dtype=np.float32)
    X = np.abs(X, out=X) + np.float32(0.5)  # positive: every default accepts it
    if nan:
        X[rng.random(X.shape) < 0.01] = np.nan
    return X


def check(est, torch, X, dev):
    """Fit and apply on CUDA and on numpy; return a list of problems (empty: passed)."""
    from sklearn import clone

    from sklearn_norm._xp import to_numpy

    problems = []
    X_gpu = torch.asarray(X, device=dev)
    ref = clone(est).fit(X)
    got = clone(est).fit(X_gpu)
    for name, value in vars(ref).items():
        # learned attributes only: array parameters (e.g. ``weight``) stay as given
        if name.endswith("_") and isinstance(value, np.ndarray) and value.dtype != object:
            learned = getattr(got, name)
            if not (torch.is_tensor(learned) and learned.device.type == dev):
                problems.append(f"{name} not a tensor on {dev}")
            elif not np.allclose(to_numpy(learned), value, rtol=1e-5, atol=1e-6, equal_nan=True):
                problems.append(f"{name} differs from numpy")
    outputs = [("transform", got.transform(X_gpu), ref.transform(X))]
    if hasattr(got, "inverse_transform"):
        outputs.append(("inverse", got.inverse_transform(outputs[0][1]), X))
    for what, out, expected in outputs:
        if not (torch.is_tensor(out) and out.device.type == dev and out.dtype == torch.float32):
            problems.append(f"{what}: {type(out).__name__} {getattr(out, 'dtype', '')}")
        elif not np.allclose(to_numpy(out), expected, rtol=1e-4, atol=1e-4, equal_nan=True):
            problems.append(f"{what} differs from numpy")
    chunked = clone(est)
    half = X.shape[0] // 2
    chunked.partial_fit(X_gpu[:half]).partial_fit(X_gpu[half:])
    for name, value in vars(clone(est).partial_fit(X[:half]).partial_fit(X[half:])).items():
        if name.endswith("_") and isinstance(value, np.ndarray) and value.dtype != object:
            if not np.allclose(to_numpy(getattr(chunked, name)), value, rtol=1e-5, atol=1e-6):
                problems.append(f"partial_fit {name} differs from numpy")
    return problems


def timed(func, sync):
    start = time.perf_counter()
    result = func()
    sync()
    return time.perf_counter() - start, result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument(
        "--device", default="cuda", help="torch device ('cpu': a dry run of the script itself)"
    )
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("gpu_check: torch is not installed; nothing to check.")
        return 0
    if args.device == "cuda" and not torch.cuda.is_available():
        print("gpu_check: no CUDA device is available; nothing to check.")
        return 0
    from sklearn import clone, config_context

    began = time.perf_counter()
    name = torch.cuda.get_device_name(0) if args.device == "cuda" else args.device
    print(f"device: {name}, torch {torch.__version__}")
    failed = 0
    with config_context(array_api_dispatch=True):
        X = data(20_000)
        print("\n1. device, dtype and values against the numpy path (20,000 x 64 float32, 1% NaN)")
        for est in estimators():
            problems = check(est, torch, X, args.device)
            failed += bool(problems)
            print(f"  {'ok  ' if not problems else 'FAIL'} {est!r} {'; '.join(problems)}")

        X = data(args.rows, nan=False)
        X_gpu = torch.asarray(X, device=args.device)
        no_sync = lambda: None  # noqa: E731
        cuda_sync = torch.cuda.synchronize if args.device == "cuda" else no_sync
        print(f"\n2. timings on {args.rows:,} x 64 float32 (seconds; CPU: numpy path)")
        print(f"  {'estimator':60s} {'fit cpu':>8s} {'fit gpu':>8s} {'tr cpu':>8s} {'tr gpu':>8s}")
        for est in estimators():
            if time.perf_counter() - began > TIME_BUDGET:
                print(f"  (time budget of {TIME_BUDGET} s reached: remaining timings skipped)")
                break
            clone(est).fit(X_gpu[:1000])  # warm-up: CUDA kernels, lazy imports
            fit_cpu, cpu = timed(lambda e=est: clone(e).fit(X), no_sync)
            fit_gpu, gpu = timed(lambda e=est: clone(e).fit(X_gpu), cuda_sync)
            tr_cpu, _ = timed(lambda c=cpu: c.transform(X), no_sync)
            tr_gpu, out = timed(lambda g=gpu: g.transform(X_gpu), cuda_sync)
            del out
            print(f"  {est!r:60s} {fit_cpu:8.3f} {fit_gpu:8.3f} {tr_cpu:8.3f} {tr_gpu:8.3f}")
    print(
        f"\n{'all checks passed' if not failed else f'{failed} estimator(s) FAILED'} "
        f"in {time.perf_counter() - began:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
