"""The command line's reader makes the next chunk on a thread; it loads only what a file needs.

Each check observes the behaviour itself (a thread that ran, a file closed, the modules a
fresh interpreter imported, the pool pyarrow reports), not the code's own account of it.
"""

import os
import subprocess
import sys
import threading

import pytest

from sklearn_norm import _io


def _source(log, made_second=None, fail_after=None):
    """Yield 0, 1, 2, ... (logging each), setting ``made_second`` once 1 is made."""
    try:
        for i in range(5):
            if i == fail_after:
                raise ValueError(f"cannot make item {i}")
            log.append(i)
            if i == 1 and made_second is not None:
                made_second.set()
            yield i
    finally:
        log.append("closed")


def test_read_ahead_makes_the_next_chunk_while_the_caller_holds_this_one():
    log, made_second = [], threading.Event()
    items = _io._read_ahead(_source(log, made_second))
    assert next(items) == 0
    # The caller still holds item 0 and asks for nothing: item 1 is made on the thread.
    assert made_second.wait(timeout=30)
    assert list(items) == [1, 2, 3, 4]
    assert log == [0, 1, 2, 3, 4, "closed"]


def test_read_ahead_raises_an_error_where_its_item_is_taken():
    log = []
    items = _io._read_ahead(_source(log, fail_after=2))
    assert next(items) == 0
    assert next(items) == 1
    with pytest.raises(ValueError, match="cannot make item 2"):
        next(items)
    assert log == [0, 1, "closed"]


def test_read_ahead_stopped_early_closes_its_source_and_thread():
    log, before = [], set(threading.enumerate())
    items = _io._read_ahead(_source(log))
    assert next(items) == 0
    started = set(threading.enumerate()) - before
    assert [t.name.split("_")[0] for t in started] == ["sklearn-norm-read"]
    items.close()
    assert log[-1] == "closed"
    assert log[:-1] in ([0], [0, 1])  # item 1 may have been made ahead, never more
    assert not any(t.is_alive() for t in started)


_CHILD = """
import sys
import pyarrow as pa
from sklearn_norm.cli import main
assert main(["fit-transform", sys.argv[1], "-m", "zscore", "-o", sys.argv[2], "-q"]) == 0
print("pyarrow.parquet" in sys.modules, pa.default_memory_pool().backend_name)
"""


@pytest.mark.parametrize("pool", [None, "system"])
def test_csv_run_skips_parquet_and_uses_jemalloc_unless_told(tmp_path, pool):
    src = tmp_path / "in.csv"
    src.write_text("a,b\n1,2\n3,5\n4,4\n")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    env.update({"ARROW_DEFAULT_MEMORY_POOL": pool} if pool else {})
    argv = [sys.executable, "-c", _CHILD, str(src), str(tmp_path / "out.csv")]
    child = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    assert child.stdout.splitlines()[-1].split() == ["False", pool or "jemalloc"]
