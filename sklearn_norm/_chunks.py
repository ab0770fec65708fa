"""The chunk engine: cache-sized row blocks on a thread pool.

Every pass over the data goes through :func:`map_blocks`: block boundaries depend only on
the shape and the item size, never on the number of threads, and results come back in
block order, so a reduction merged in that order is bit-identical whatever the thread
count.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._config import effective_n_threads

#: Bytes of one row block: small enough to stay in a core's L2 cache.
BLOCK_BYTES = 1 << 18
#: Below this many bytes one thread is faster than waking a pool.
PARALLEL_MIN_BYTES = 1 << 23

_pools = {}


def _pool(n_threads):
    if n_threads not in _pools:
        _pools[n_threads] = ThreadPoolExecutor(n_threads, thread_name_prefix="sklearn_norm")
    return _pools[n_threads]


def row_blocks(n_rows, row_bytes):
    """Fixed ``(start, stop)`` row ranges of about :data:`BLOCK_BYTES` each."""
    step = max(1, BLOCK_BYTES // max(int(row_bytes), 1))
    return [(start, min(start + step, n_rows)) for start in range(0, n_rows, step)]


def map_blocks(func, n_rows, row_bytes):
    """Call ``func(start, stop)`` on every row block; return the results in block order."""
    blocks = row_blocks(n_rows, row_bytes)
    n_threads = effective_n_threads()
    if n_threads == 1 or len(blocks) < 2 or n_rows * row_bytes < PARALLEL_MIN_BYTES:
        return [func(start, stop) for start, stop in blocks]
    return list(_pool(n_threads).map(lambda block: func(*block), blocks))


def apply_rows(kernel, X, out):
    """Write ``kernel(X[block], out=out[block])`` for every row block of a numpy array.

    ``out`` may be ``X`` itself (in place). A kernel writes its result into ``out``.
    """
    row_bytes = X.shape[1] * X.itemsize if X.ndim == 2 else X.itemsize

    def one(start, stop):
        kernel(X[start:stop], out=out[start:stop])

    map_blocks(one, X.shape[0], row_bytes)
    return out


def output_for(X, copy):
    """The array a transform writes into: ``X`` itself when allowed, else a new one."""
    if not copy and isinstance(X, np.ndarray) and X.flags.writeable:
        return X
    return np.empty_like(X)
