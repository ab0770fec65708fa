"""The chunk engine: cache-sized row blocks on a thread pool, and the run of a
column-wise scaler's description of its map (:func:`run`) on them.

Every pass over the data goes through :func:`map_blocks`: block boundaries depend only on
the shape and the item size, never on the number of threads, and results come back in
block order, so a reduction merged in that order is bit-identical whatever the thread
count.

Two tricks keep numpy's per-call overhead small next to the memory traffic:

* the workers pull block indices from a shared iterator (one task per thread, not one
  per block), and the calling thread works too;
* a block of a narrow C-contiguous array is *folded*: ``k`` consecutive rows are viewed
  as one row of ``k * n_features`` values (:func:`fold`), so a ufunc broadcasting
  per-feature parameters, or a reduction over rows, runs long inner loops instead of
  one short loop per row. The values and their order of operations per element do not
  change, so folding never changes a transform's result.
"""

import functools
import math
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_is_fitted

from ._config import effective_n_threads
from ._validation import check_X, inf_columns

#: Bytes of one row block of a transform: a block read from memory stays in cache (L2/L3)
#: for every later step on it; larger blocks spend less in numpy's per-call overhead.
BLOCK_BYTES = 1 << 21
#: Bytes of the float64 work copy of one row block of ``fit`` (a float32 block holds half
#: as many bytes), at the least: 1 and 2 MiB fit equally fast on 2 threads (1e6 x 50), and
#: a thread's work copy stays under 1 % of a float32 X of that size.
FIT_BLOCK_BYTES = 1 << 20
#: Data with a float64 work copy cuts into about this many blocks where that makes them
#: larger than the sizes above (at most :data:`MAX_WORK_BYTES` of work copy each): every
#: block costs a dozen numpy calls, each taking the GIL again, and on many cores the
#: threads queue for it (16 cores: z-score fit of 1 GB 0.129 s with 2 MiB blocks, 0.033 s
#: with 8 MiB). Sizes depend on the data only, never on the number of threads.
WORK_BLOCKS = 256
#: Largest float64 work copy of one block (the per-thread scratch is this large).
MAX_WORK_BYTES = 1 << 25
#: A thread keeps its scratch block between calls up to this many bytes (the blocks of
#: data up to about 512 MiB); a larger one is let go when the call ends.
KEEP_SCRATCH_BYTES = 1 << 21
#: Below this many bytes one thread is faster than waking a pool.
PARALLEL_MIN_BYTES = 1 << 22
#: Bytes of the run of consecutive blocks a thread takes at a time (huge pages are 2 MiB).
RUN_BYTES = 1 << 24
#: A folded row holds at least this many values (see :func:`fold`).
FOLD_VALUES = 4096

_pools = {}
_pools_lock = threading.Lock()
_worker = threading.local()


def _pool(n_workers):
    with _pools_lock:
        if n_workers not in _pools:
            _pools[n_workers] = ThreadPoolExecutor(n_workers, thread_name_prefix="sklearn_norm")
        return _pools[n_workers]


def fold(n_features):
    """Number of rows folded into one long row for arrays with ``n_features`` columns."""
    return max(1, -(-FOLD_VALUES // max(int(n_features), 1)))


def work_block_bytes(n_values, smallest, itemsize=8):
    """Bytes of a block of data of ``n_values`` values of ``itemsize`` bytes, whose
    float64 work copy is ``smallest`` bytes for small data and grows to about
    ``n_values * 8 / WORK_BLOCKS``, up to :data:`MAX_WORK_BYTES`."""
    wanted = int(n_values) * 8 // WORK_BLOCKS
    return max(1, max(int(smallest), min(wanted, MAX_WORK_BYTES)) * itemsize // 8)


def row_blocks(n_rows, row_bytes, multiple=1, block_bytes=None):
    """Fixed ``(start, stop)`` row ranges of about ``block_bytes`` each.

    ``block_bytes`` defaults to :data:`BLOCK_BYTES`; every block but the last holds a
    multiple of ``multiple`` rows.
    """
    block_bytes = BLOCK_BYTES if block_bytes is None else block_bytes
    step = max(1, block_bytes // max(int(row_bytes), 1))
    step = max(multiple, step - step % multiple)
    return [(start, min(start + step, n_rows)) for start in range(0, n_rows, step)]


def n_threads_for(n_blocks, n_bytes):
    """Threads :func:`map_blocks` uses for ``n_blocks`` blocks of ``n_bytes`` in all."""
    if n_blocks < 2 or n_bytes < PARALLEL_MIN_BYTES:
        return 1
    return min(effective_n_threads(), n_blocks)


def map_blocks(func, n_rows, row_bytes, multiple=1, block_bytes=None):
    """Call ``func(start, stop)`` on every row block; return the results in block order.

    ``func`` runs on any thread, on the blocks of :func:`row_blocks` (rows of
    ``row_bytes`` bytes, a multiple of ``multiple`` rows, ``block_bytes`` each): the
    results come in block order, whatever the number of threads.
    """
    size = BLOCK_BYTES if block_bytes is None else block_bytes
    if 0 < n_rows and n_rows * int(row_bytes) <= size:  # one block: no engine to start
        return [func(0, n_rows)]
    blocks = row_blocks(n_rows, row_bytes, multiple, block_bytes)
    return map_items(lambda block: func(*block), blocks, n_rows * int(row_bytes))


def map_items(func, items, n_bytes):
    """Call ``func(item)`` for every item on the thread pool; results in item order.

    ``n_bytes`` is the data all the items cover together (below
    :data:`PARALLEL_MIN_BYTES` one thread does it all). A thread takes a run of
    consecutive items spanning about :data:`RUN_BYTES`, so that two threads rarely fault
    in (and wait on) the same huge page of a new output; a nested call runs serially.
    Every thread lets go of a scratch block beyond :data:`KEEP_SCRATCH_BYTES` when done.
    """
    n_threads = n_threads_for(len(items), n_bytes)
    if getattr(_worker, "busy", False):  # nested calls run serially
        return [func(item) for item in items]
    if n_threads == 1:
        try:
            return [func(item) for item in items]
        finally:
            _drop_large_scratch()
    results = [None] * len(items)
    run = -(-RUN_BYTES * len(items) // max(int(n_bytes), 1))
    run = max(1, min(run, len(items) // (4 * n_threads)))  # still 4 runs per thread
    todo = iter(range(0, len(items), run))  # next() on it is atomic under the GIL
    failed = []

    def work():
        _worker.busy = True
        try:
            _work()
        finally:
            _worker.busy = False
            _drop_large_scratch()

    def _work():
        for first in todo:
            for i in range(first, min(first + run, len(items))):
                if failed:
                    return
                try:
                    results[i] = func(items[i])
                except BaseException as exc:  # re-raised in the calling thread
                    failed.append(exc)
                    return

    pool = _pool(n_threads - 1)
    futures = [pool.submit(work) for _ in range(n_threads - 1)]
    work()
    for future in futures:
        future.result()
    if failed:
        raise failed[0]
    return results


def scratch(shape, dtype=np.float64):
    """A work array of the calling thread, reused from block to block (never returned).

    It is kept between calls up to :data:`KEEP_SCRATCH_BYTES` (large data has larger
    blocks: a pool thread would otherwise hold up to :data:`MAX_WORK_BYTES` for good).
    """
    size = int(np.prod(shape))
    buf = getattr(_worker, "scratch", None)
    if buf is None or buf.size < size or buf.dtype != dtype:
        buf = _worker.scratch = np.empty(max(size, 1), dtype=dtype)
    return buf[:size].reshape(shape)


def _drop_large_scratch():
    """Let go of the calling thread's scratch block if it exceeds :data:`KEEP_SCRATCH_BYTES`."""
    buf = getattr(_worker, "scratch", None)
    if buf is not None and buf.nbytes > KEEP_SCRATCH_BYTES:
        _worker.scratch = None


def colreduce(ufunc, a, k):
    """``ufunc.reduce(a, axis=0)`` of a 2-D block, on rows folded by ``k`` where possible.

    The folded reduction gives ``k`` partial results per column, combined in a fixed
    order, so the result depends only on the block, not on the thread running it.
    """
    rows, cols = a.shape
    main = rows - rows % k if k > 1 and a.flags.c_contiguous else 0
    if not main:
        return ufunc.reduce(a, axis=0)
    result = ufunc.reduce(
        ufunc.reduce(a[:main].reshape(-1, k * cols), axis=0).reshape(k, cols), axis=0
    )
    if main < rows:
        result = ufunc(result, ufunc.reduce(a[main:], axis=0))
    return result


def col_min(a):
    """NaN-ignoring column minima of a 2-D block (``fmin`` on folded rows)."""
    return colreduce(np.fmin, a, fold(a.shape[1]))


def colwise(ufunc, a, param, out, k):
    """``ufunc(a, param, out=out)`` with per-column ``param``, on rows folded by ``k``."""
    rows = a.shape[0]
    ok = k > 1 and a.flags.c_contiguous and out.flags.c_contiguous
    main = rows - rows % k if ok else 0
    src = a
    if out is not a and a.dtype != out.dtype:  # widen first: a mixed-dtype ufunc is slow
        np.copyto(out, a)
        src = out
    if main:
        cols = a.shape[1] * k  # k rows viewed as one
        ufunc(src[:main].reshape(-1, cols), np.tile(param, k), out=out[:main].reshape(-1, cols))
    if main < rows:
        ufunc(src[main:], param, out=out[main:])
    return out


def finite_sum(a):
    """Whether the sum of the values of a block is finite (no NaN, no infinity in it).

    An overflowing sum reads as not finite too, so a False only asks for an exact look.
    A large C-contiguous float32/float64 block is summed by ``einsum`` (several vector
    accumulators, no stores: about twice numpy's pairwise ``add.reduce``; on small blocks
    its set-up costs more than it saves); other large blocks as rows of
    :data:`FOLD_VALUES` values added column by column.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if not a.flags.c_contiguous:
            return bool(np.isfinite(np.add.reduce(a, axis=None)))
        if a.size < 2 * FOLD_VALUES:
            return math.isfinite(np.add.reduce(a.reshape(-1)))
        if a.dtype in _EINSUM_SUM:
            return bool(np.isfinite(np.einsum("i->", a.reshape(-1))))
        flat = a.reshape(-1)
        main = flat.size - flat.size % FOLD_VALUES
        total = np.add.reduce(np.add.reduce(flat[:main].reshape(-1, FOLD_VALUES), axis=0))
        return bool(np.isfinite(total + np.add.reduce(flat[main:])))


#: Dtypes whose sums ``einsum`` accumulates in vector registers of their own type.
_EINSUM_SUM = (np.dtype(np.float32), np.dtype(np.float64))


def apply_rows(kernel, X, out, wide_kernel=None):
    """Write ``kernel(X[block], out=out[block])`` for every row block of a numpy array.

    ``wide_kernel`` is the same map for rows folded by :func:`fold` (per-feature
    parameters tiled), used where ``X`` and ``out`` are C-contiguous 2-D arrays;
    ``out`` may be ``X`` (in place). Returns ``out``.
    """
    n_cols = X.shape[1] if X.ndim == 2 else 1
    k = fold(n_cols)
    block = functools.partial(_apply_block, kernel, wide_kernel, k, X, out, None, None)
    folded = wide_kernel is not None and X.flags.c_contiguous and out.flags.c_contiguous
    map_blocks(block, X.shape[0], n_cols * X.itemsize, k if folded else 1)
    return out


def _apply_block(kernel, wide, k, X, out, floor, on_output, start, stop):
    """Map the rows ``start:stop`` of ``X`` into ``out`` and test them while in cache.

    ``wide`` (or None) maps rows folded by ``k`` where ``X`` and ``out`` are
    C-contiguous 2-D arrays; ``kernel`` None only tests the input. ``on_output``: None
    tests nothing; True tests the output just written (the map keeps every NaN and
    infinity non-finite), False the input (and that it lies above ``floor``). Returns
    None for a block that is fine (a finite sum), else the exact look at its input:
    ``(columns with an infinity, columns at or below floor)``, or None for NaN only.
    """
    x = X[start:stop]
    tested = x
    if kernel is not None:
        y = out[start:stop]
        rows, cols = x.shape if x.ndim == 2 else (x.shape[0], 1)
        folded = wide is not None and k > 1 and x.flags.c_contiguous and y.flags.c_contiguous
        main = rows - rows % k if folded else 0
        if main:
            wide(x[:main].reshape(-1, k * cols), out=y[:main].reshape(-1, k * cols))
        if main < rows:
            kernel(x[main:], out=y[main:])
        tested = y if on_output else x
    if on_output is None:
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        ok = finite_sum(tested)
        if ok and tested is x and floor is not None:
            ok = np.minimum.reduce(x, axis=None) > np.max(floor)
    if ok:
        return None  # else a NaN (allowed), an infinity or a value too low
    has_inf = inf_columns(x, nonfinite=True)
    has_inf = np.zeros(x.shape[1], dtype=bool) if has_inf is None else has_inf
    low = np.zeros_like(has_inf) if floor is None else col_min(x) <= floor
    return (has_inf, low) if has_inf.any() or low.any() else None


# -- the engine: a column-wise scaler's description run on the blocks ------------------
#: Kernels kept, by description: ``key -> (kernel, folded kernel)``; oldest dropped first
#: (the package's one cache: building a kernel costs 10-40 us, most of a transform of a
#: few rows).
_KEPT = {}
_KEPT_LOCK = threading.Lock()
#: Most kernels kept.
KEEP = 64
#: Descriptions with a per-feature array beyond this size (4,096 float64 features) are
#: not kept: building is cheap next to the work, and no copy of the array is kept.
KEY_BYTES = 1 << 15


def run(estimator, X, copy, inverse, checked=False):
    """``transform`` (or ``inverse_transform``) of a column-wise scaler on numpy or sparse
    input (dask and Array API inputs go to their adapters first; ``checked``: ``X`` was
    validated by this ``fit_transform``'s fit).

    Top to bottom: validate ``X``; ask the scaler for its description; find its kernels
    (kept by the value of the description: a refit, a ``set_params`` or a learned array
    changed in place describe another map), the plain one and one for narrow rows folded
    ``k`` at a time; map the row blocks on the threads, testing each block while in
    cache (its output where the map keeps non-finite values non-finite); for a bad block,
    raise naming the columns.
    """
    from . import _engine  # descriptions and their kernels (it imports functional)

    if not hasattr(estimator, "n_features_in_"):  # set by every fit
        check_is_fitted(estimator)
    copy = estimator.copy if copy is None else copy
    if not checked:
        X = check_X(estimator, X, reset=False, names=not inverse)
    description = estimator._describe()
    if sparse.issparse(X):
        return _engine.run_sparse(estimator, description, X, copy, inverse)
    if isinstance(description, _engine.Affine):
        floor, on_output, per_row = None, description.clip is None or inverse, True
    else:  # a per-feature table (quantiles) is not folded: its kernel loops over columns
        floor = None if inverse else description.floor
        on_output = floor is not None or description.keeps_nonfinite[inverse]
        per_row = max(map(np.ndim, description.per_feature.values()), default=0) <= 1
    k = fold(X.shape[1]) if X.ndim == 2 and per_row else 1
    k = k if 1 < k <= X.shape[0] else 1
    key = description_key(description, inverse, k, X.dtype)
    kernels = None if key is None else _KEPT.get(key)
    if kernels is None:
        tiled = None if k == 1 else _engine.kernel(description, inverse, _tiler(k), X.dtype)
        kernels = (_engine.kernel(description, inverse, dtype=X.dtype), tiled)
        if key is not None:
            with _KEPT_LOCK:
                _KEPT[key] = kernels
                while len(_KEPT) > KEEP:
                    del _KEPT[next(iter(_KEPT))]
    out = X if not copy and X.flags.writeable else np.empty_like(X)
    row_bytes = X.shape[1] * X.itemsize if X.ndim == 2 else X.itemsize
    folded = kernels[1] is not None and X.flags.c_contiguous and out.flags.c_contiguous
    if out is X:  # in place: refuse bad input before writing anything
        test = functools.partial(_apply_block, None, None, k, X, X, floor, False)
        _engine.raise_for_blocks(estimator, X, map_blocks(test, X.shape[0], row_bytes))
        on_output = None
    block = functools.partial(_apply_block, *kernels, k, X, out, floor, on_output)
    flags = map_blocks(block, X.shape[0], row_bytes, k if folded else 1)
    if flags.count(None) != len(flags):
        _engine.raise_for_blocks(estimator, X, flags)
    return out


def _tiler(k):
    """Per-feature parameters for rows folded ``k`` at a time."""
    return lambda p: np.tile(p, k)


def description_key(description, *extra):
    """A hashable key of what ``description``'s kernel depends on (an elementwise map's
    ``floor`` and ``keeps_nonfinite`` do not), with ``extra``; None where an array is too
    large or a value cannot be compared by value."""
    key = [type(description), *extra]
    parts = description
    if hasattr(description, "per_feature"):  # Elementwise
        per_feature, options = description.per_feature, description.options
        parts = (description.build, *per_feature, *per_feature.values(), *options.items())
    for part in parts:
        if type(part) is not np.ndarray and not isinstance(part, list):
            key.append(part)
            continue
        part = np.asarray(part)
        if part.nbytes > KEY_BYTES or part.dtype.hasobject:
            return None
        key += [part.dtype.str, part.shape, part.tobytes()]
    key = tuple(key)
    try:
        hash(key)
    except TypeError:
        return None
    return key
