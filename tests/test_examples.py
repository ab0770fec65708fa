"""Every gallery example runs (matplotlib without a display) and draws something."""

import runpy
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("plot_*.py"))


def test_examples_found():
    assert len(EXAMPLES) >= 6
    numbers = [p.name.split("_")[1] for p in EXAMPLES]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(path, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    plt.close("all")
    try:
        runpy.run_path(str(path), run_name="__main__")
        if path.stem != "plot_06_persistence":  # the persistence example draws nothing
            assert plt.get_fignums(), f"{path.name} drew no figure"
    finally:
        plt.close("all")
