import importlib.util
import os

from hypothesis import HealthCheck, settings

# scikit-learn reads this when it is first imported: it turns on the Array API checks.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

# Hypothesis: `make test` is deterministic (the same examples every run, whatever the test
# order, no example database replaying an earlier run's failures); `make fuzz`
# (HYPOTHESIS_PROFILE=fuzz) draws new examples, many more, and prints how to reproduce one.
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci",
    max_examples=50,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=_QUIET,
)
settings.register_profile(
    "fuzz",
    max_examples=2000,
    derandomize=False,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=_QUIET,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# to_torch / from_torch against live PyTorch run where torch is installed (make test-torch);
# without it, test_torch_state.py checks from_torch's mapping on stored layer states
if importlib.util.find_spec("torch") is None:
    collect_ignore = ["test_torch_export.py"]
