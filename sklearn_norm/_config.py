"""Global settings of sklearn_norm: the number of threads of the chunk engine."""

import os
import threading
from contextlib import contextmanager

_local = threading.local()
_DEFAULTS = {"n_threads": None}
#: Default of the keyword arguments: the setting is left as it is.
_UNCHANGED = object()


def _config():
    if not hasattr(_local, "config"):
        _local.config = dict(_DEFAULTS)
    return _local.config


def get_config():
    """Return a copy of the current settings.

    Returns
    -------
    config : dict
        ``{"n_threads": int or None}``; ``None`` means every core the process may use.
    """
    return dict(_config())


def set_config(n_threads=_UNCHANGED):
    """Set the settings of sklearn_norm for the current thread.

    Parameters
    ----------
    n_threads : int or None, optional
        Largest number of threads the chunk engine uses. ``None`` uses every core,
        limited by the thread limits joblib sets in its workers (``OMP_NUM_THREADS``,
        ``threadpoolctl``), so nested parallelism never oversubscribes. Not given: left
        as it is (the default setting is ``None``).
    """
    if n_threads is _UNCHANGED:
        return
    positive_int = isinstance(n_threads, int) and not isinstance(n_threads, bool)
    if n_threads is not None and not (positive_int and n_threads >= 1):
        raise ValueError(f"n_threads must be a positive int or None, got {n_threads!r}.")
    _config()["n_threads"] = n_threads


@contextmanager
def config_context(*, n_threads=_UNCHANGED):
    """Context manager that changes the settings inside a ``with`` block.

    Parameters
    ----------
    n_threads : int or None, optional
        See :func:`set_config`; not given, the setting is left as it is.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import ZScoreScaler, config_context
    >>> with config_context(n_threads=1):
    ...     ZScoreScaler().fit_transform(np.array([[1.0], [3.0]])).ravel().tolist()
    [-1.0, 1.0]
    """
    old = get_config()
    set_config(n_threads=n_threads)
    try:
        yield
    finally:
        set_config(**old)


def effective_n_threads():
    """Number of threads to use now: the setting, capped by the process's limits."""
    from ._sklearn_compat import _openmp_effective_n_threads

    limit = _openmp_effective_n_threads()
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        limit = min(limit, int(env))
    try:
        limit = min(limit, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        pass
    wanted = _config()["n_threads"]
    return max(1, min(limit, wanted) if wanted is not None else limit)
