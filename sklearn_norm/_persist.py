"""Save a fitted scaler to a file and load it back trusting only sklearn_norm's types.

``.skops`` files (the default) are checked with ``skops.io.get_untrusted_types`` and loaded
with ``trusted=`` listing only types of sklearn_norm. joblib files are read by joblib's own
unpickler restricted to sklearn_norm's classes and the few numpy and joblib names that
arrays need, so a file that would run any other code is refused, not loaded.
"""

import pickle
import zipfile
from pathlib import Path

from ._io import UserError, atomic_path, optional

SAVE_FORMATS = ("skops", "joblib")
_ARRAY_GLOBALS = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("joblib.numpy_pickle", "NumpyArrayWrapper"),
}


def _ours(qualified_name):
    return qualified_name.split(".", 1)[0] == "sklearn_norm"


def save_format(path, given=None):
    """The format to save with: ``given``, else ``"joblib"`` for ``*.joblib``/``*.pkl``."""
    if given is not None:
        return given
    return "joblib" if Path(path).suffix.lower() in (".joblib", ".pkl") else "skops"


def save(scaler, path, fmt=None):
    """Write ``scaler`` to ``path`` atomically, with skops (default) or joblib."""
    fmt = save_format(path, fmt)
    with atomic_path(path) as tmp:
        if fmt == "skops":
            optional("skops.io", "saving as .skops").dump(scaler, tmp)
        else:
            import joblib

            joblib.dump(scaler, tmp)


def _load_skops(path):
    sio = optional("skops.io", "loading a .skops file")
    untrusted = sio.get_untrusted_types(file=path)
    foreign = [name for name in untrusted if not _ours(name)]
    if foreign:
        raise UserError(
            f"{str(path)!r} holds types that are not sklearn_norm's ({', '.join(foreign)}); "
            "refusing to load it"
        )
    return sio.load(path, trusted=untrusted)


def _load_joblib(path):
    from joblib.numpy_pickle import NumpyUnpickler

    class Restricted(NumpyUnpickler):
        def find_class(self, module, name):
            if _ours(module) or (module, name) in _ARRAY_GLOBALS:
                return super().find_class(module, name)
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")

    with open(path, "rb") as handle:
        if handle.read(1) != b"\x80":  # every pickle since protocol 2 starts with PROTO
            raise UserError(
                f"{str(path)!r} is not a scaler file (neither skops nor uncompressed joblib)"
            )
        handle.seek(0)
        return Restricted(str(path), handle, True).load()


def load(path):
    """Load a scaler saved by :func:`save` (either format), trusting only sklearn_norm.

    Raises
    ------
    UserError
        When the file is missing, is not a saved sklearn_norm estimator, or holds
        other types.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"no such scaler file: {str(path)!r}")
    try:
        obj = _load_skops(path) if zipfile.is_zipfile(path) else _load_joblib(path)
    except UserError:
        raise
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{str(path)!r} is not a sklearn_norm scaler file ({reason})") from None
    if not _ours(type(obj).__module__):
        raise UserError(f"{str(path)!r} holds a {type(obj).__name__}, not a sklearn_norm scaler")
    return obj
