#!/usr/bin/env bash
# The GPU check in one call of a lent device machine (its image has torch, numpy, scipy,
# pandas, pytest; no internet). From the repository root, after fetching the wheels that
# image lacks into .whl/ (see benchmarks/README.md, "GPU"):
#   bash benchmarks/gpu_check.sh   # writes gpu_check.log, pytest_cuda.log, bench_torch.log to $OUT
set -o pipefail
OUT=${OUT:-build/gpu}
mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1 SCIPY_ARRAY_API=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import sys, numpy, scipy, sklearn, torch; print('python', sys.version.split()[0], \
'numpy', numpy.__version__, 'scipy', scipy.__version__, 'sklearn', sklearn.__version__, \
'torch', torch.__version__, 'cpus', __import__('os').cpu_count())"
# 1. every estimator on CUDA tensors vs numpy, then timings (10M x 64 float32)
timeout 200 python3 benchmarks/gpu_check.py 2>&1 | tee "$OUT/gpu_check.log"
check=$?
# 2. the torch-on-CUDA cases of the test suite: our Array API tests and scikit-learn's
#    check_array_api_input for every estimator
timeout 200 python3 -m pytest -q -p no:cacheprovider -p no:benchmark -n 8 -k cuda \
    tests/test_array_api.py tests/test_common.py 2>&1 | tee "$OUT/pytest_cuda.log" | tail -25
tests=$?
# 3. issue 17: sklearn_norm against PyTorch's own operators on the GPU (ratios and the
#    share of x.clone()'s bandwidth, measured in the same run)
timeout 150 python3 benchmarks/bench_torch.py --devices cuda --rows 10000000 --cols 64 \
    --dtypes float32 --repeat 3 2>&1 | tee "$OUT/bench_torch.log" | tail -45
bench=$?
echo "gpu_check exit $check, pytest exit $tests, bench_torch exit $bench"
exit $((check || tests || bench))
