"""The demo's functions, run quickly (2-fold cross-validation)."""

import numpy as np
import pytest

from sklearn_norm import demo
from sklearn_norm._registry import _REGISTRY

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def search():
    return demo.run(cv=2)


def test_demo_table_ranks_every_registered_scaler(search):
    lines = demo.ranked_table(search).splitlines()
    assert lines[0].split()[:2] == ["rank", "accuracy"]
    rows = lines[1:]
    assert len(rows) == len(search.cv_results_["params"])
    ranks = [int(row.split()[0]) for row in rows]
    assert ranks == sorted(ranks) and ranks[0] == 1
    scores = [float(row.split()[1]) for row in rows]
    assert scores == sorted(scores, reverse=True)
    for cls in _REGISTRY.values():
        assert any(f"{cls.__name__}(" in row for row in rows), cls.__name__
    assert "LogScaler(base=10)" in "\n".join(rows)  # the main parameters are searched


def test_demo_saves_and_reloads_best_pipeline(search, tmp_path):
    X, _ = demo.load_data()
    path = tmp_path / "best.skops"
    reloaded = demo.save_and_reload(search.best_estimator_, X, path)
    assert path.is_file() and path.read_bytes()[:2] == b"PK"
    np.testing.assert_array_equal(reloaded.predict(X), search.best_estimator_.predict(X))


def test_demo_writes_pictures(search, tmp_path):
    X, _ = demo.load_data()
    for path in (
        demo.plot_scores(search, tmp_path / "scores.png"),
        demo.plot_distributions(X, tmp_path / "dist.png"),
    ):
        data = path.read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000


def test_demo_main_prints_paths(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(demo, "PARAMS", {})  # defaults only: one candidate per method
    demo.main(["--cv", "2", "--n-jobs", "1", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "best:" in out and "identical predictions" in out
    for name in ("best_pipeline.skops", "scores.png", "distributions.png"):
        assert str(tmp_path / name) in out and (tmp_path / name).is_file()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--cv", "1"], "--cv must be at least 2"),
        (["--n-jobs", "0"], "--n-jobs must not be 0"),
        (["--out", "/dev/null/x"], "cannot write to --out"),
    ],
)
def test_demo_bad_arguments_are_one_line_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        demo.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
