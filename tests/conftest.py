import importlib.util
import os

# scikit-learn reads this when it is first imported: it turns on the Array API checks.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

# to_torch / from_torch against live PyTorch run where torch is installed (make test-torch);
# without it, test_torch_state.py checks from_torch's mapping on stored layer states
if importlib.util.find_spec("torch") is None:
    collect_ignore = ["test_torch_export.py"]
