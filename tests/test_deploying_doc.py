"""The code of docs/deploying.rst runs, in order, and its printed differences are small."""

import contextlib
import importlib.util
import io
import re
from pathlib import Path

PAGE = Path(__file__).parents[1] / "docs" / "deploying.rst"


def code_blocks():
    """The page's ``.. code-block:: python`` blocks; with torch absent, those before torch."""
    text = PAGE.read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", text):
        blocks.append("\n".join(line[3:] for line in match.group(1).splitlines()))
    if importlib.util.find_spec("torch") is None:
        blocks = blocks[: next(i for i, b in enumerate(blocks) if "import torch" in b)]
    return blocks


def test_deploying_page_runs_and_matches(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace, printed = {}, io.StringIO()
    blocks = code_blocks()
    assert len(blocks) >= 1 and "to_onnx" in blocks[0]
    with contextlib.redirect_stdout(printed):
        for block in blocks:
            exec(compile(block, str(PAGE), "exec"), namespace)
    differences = [float(line) for line in printed.getvalue().split()]
    assert len(differences) == len(blocks) and max(differences) < 1e-4, differences
    assert (tmp_path / "model.onnx").is_file()
