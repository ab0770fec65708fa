"""The engine's per-thread scratch blocks: reused within a call, large ones let go after it."""

import threading

import numpy as np
import pytest

from sklearn_norm import LayerNormScaler, ZScoreScaler, _chunks, config_context
from sklearn_norm.functional._rows import WIDE_BYTES

RNG = np.random.default_rng(0)
X = RNG.normal(size=(120_000, 10))  # 9.6 MB: several blocks, on the thread pool


def _on_every_thread(n_threads, func):
    """``func()`` on the calling thread and on each worker of the pool; the results."""
    n_workers = n_threads - 1
    results = [func()]
    if n_workers:
        barrier = threading.Barrier(n_workers)  # one task on each worker thread

        def probe():
            barrier.wait(timeout=10)
            return func()

        pool = _chunks._pool(n_workers)
        results += [f.result() for f in [pool.submit(probe) for _ in range(n_workers)]]
    return results


def _scratch_of_every_thread(n_threads):
    """The scratch block each thread of the pool holds now, and the calling thread's."""
    return _on_every_thread(n_threads, lambda: getattr(_chunks._worker, "scratch", None))


def _let_go_of_scratch():
    _chunks._worker.scratch = None


CALLS = {
    "zscore-fit": lambda: ZScoreScaler().fit(X),  # the fit's float64 deviations
    "layernorm-float32-transform": lambda: (
        LayerNormScaler()
        .fit(X)
        .transform(
            X.astype(np.float32)  # widened rows
        )
    ),
}


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("n_threads", [1, 2])
def test_scratch_beyond_the_kept_size_is_let_go(monkeypatch, name, n_threads):
    # A block kept from an earlier test (up to 2 MiB, e.g. UnitNormScaler(norm="l1")'s)
    # would be reused and held beyond WIDE_BYTES here: start from threads that hold none.
    _on_every_thread(n_threads, _let_go_of_scratch)
    with config_context(n_threads=n_threads):
        CALLS[name]()
        held = _scratch_of_every_thread(n_threads)
        assert any(buf is not None for buf in held)  # blocks up to 2 MiB are kept ...
        largest = 1 << 21 if name == "zscore-fit" else WIDE_BYTES  # (rows: in slices)
        assert all(buf is None or buf.nbytes <= largest for buf in held)
        monkeypatch.setattr(_chunks, "KEEP_SCRATCH_BYTES", 1 << 18)
        CALLS[name]()
        assert all(buf is None for buf in _scratch_of_every_thread(n_threads))  # ... larger not
