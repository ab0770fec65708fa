"""The ``sklearn-norm`` command line, run in-process through ``main(argv)``."""

import fractions
import io
import os
import re
import subprocess
import sys

import joblib
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sklearn_norm import make_scaler
from sklearn_norm._persist import load
from sklearn_norm._writer import ChunkWriter
from sklearn_norm.cli import _merge, main

N_ROWS = 500
CHUNK = 64  # 8 chunks


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "id": [f"row{i}" for i in range(N_ROWS)],
            "income": rng.lognormal(3, 1, N_ROWS),
            "age": rng.integers(18, 90, N_ROWS),
            "score": rng.normal(50, 10, N_ROWS),
        }
    )
    df.loc[::37, "income"] = np.nan
    return df


@pytest.fixture
def csv(frame, tmp_path):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def parquet(frame, tmp_path):
    path = tmp_path / "data.parquet"
    frame.to_parquet(path)
    return path


def read(path):
    return pd.read_parquet(path) if str(path).endswith(".parquet") else pd.read_csv(path)


def run(*argv):
    return main([str(a) for a in argv])


def error_of(capsys, *argv):
    assert run(*argv) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    return err


def test_cli_list(capsys):
    assert run("list") == 0
    out = capsys.readouterr().out
    for name in ("minmax", "zscore", "decimal", "log"):
        assert name in out
    assert "LogScaler" in out and "base=" in out


def test_cli_fit_saves_skops_by_default(csv, frame, capsys):
    assert run("fit", csv, "-m", "log", "-p", "base=10", "-c", "income,age", "-q") == 0
    path = csv.with_name("data.skops")
    assert path.is_file() and str(path) in capsys.readouterr().out
    scaler = load(path)
    expected = make_scaler("log", base=10).fit(frame[["income", "age"]])
    assert scaler.base == 10 and list(scaler.feature_names_in_) == ["income", "age"]
    np.testing.assert_allclose(
        scaler.transform(frame[["income", "age"]]), expected.transform(frame[["income", "age"]])
    )


def test_cli_fit_joblib_on_request(csv, tmp_path):
    out = tmp_path / "s.bin"
    assert run("fit", csv, "-m", "minmax", "-p", "feature_range=(-1, 1)", "-o", out,
               "--save-format", "joblib", "-q") == 0  # fmt: skip
    assert not out.read_bytes().startswith(b"PK")  # not a zip, so not skops
    scaler = load(out)
    assert scaler.feature_range == (-1, 1)
    assert list(scaler.feature_names_in_) == ["income", "age", "score"]  # numeric by default


@pytest.fixture
def chunk_sizes(monkeypatch):
    """The number of rows of every chunk written."""
    sizes, write = [], ChunkWriter.write

    def spy(self, frame, *rest):
        sizes.append(len(frame))
        write(self, frame, *rest)

    monkeypatch.setattr(ChunkWriter, "write", spy)
    return sizes


@pytest.mark.parametrize("source", ["csv", "parquet"])
@pytest.mark.parametrize("method", ["zscore", "minmax", "log"])
def test_cli_round_trip_streamed(source, method, frame, request, tmp_path, chunk_sizes):
    path = request.getfixturevalue(source)
    scaled, back = tmp_path / f"scaled.{source}", tmp_path / f"back.{source}"
    argv = ["fit-transform", path, "-m", method, "-c", "income,score", "-o", scaled]
    assert run(*argv, "--save", tmp_path / "s.skops", "--chunksize", CHUNK, "-q") == 0
    assert len(chunk_sizes) == -(-N_ROWS // CHUNK) and max(chunk_sizes) == CHUNK  # streamed
    whole = make_scaler(method).fit(frame[["income", "score"]])
    got = read(scaled)
    assert list(got.columns) == list(frame.columns)
    # chunks merged against one fit: statistics a few ulps apart (atol: outputs near 0)
    np.testing.assert_allclose(
        got[["income", "score"]],
        whole.transform(frame[["income", "score"]]),
        rtol=1e-12,
        atol=1e-14,
    )
    pd.testing.assert_series_equal(got["id"], frame["id"])  # passed through untouched
    pd.testing.assert_series_equal(got["age"], frame["age"])
    argv = ["inverse-transform", scaled, "-s", tmp_path / "s.skops", "-o", back]
    assert run(*argv, "--chunksize", CHUNK, "-q") == 0
    np.testing.assert_allclose(read(back)[["income", "score"]], frame[["income", "score"]])


def test_cli_round_trip_kept_statistics(csv, frame, tmp_path):
    cols = ["income", "age", "score"]
    scaled, back, saved = tmp_path / "scaled.csv", tmp_path / "back.csv", tmp_path / "s.skops"
    argv = ["fit-transform", csv, "-m", "layernorm", "-p", "keep_stats=True", "-o", scaled]
    assert run(*argv, "--save", saved, "--chunksize", CHUNK, "-q") == 0
    got = read(scaled)
    assert list(got.columns) == ["id", *cols, "mean", "std"]
    expected = make_scaler("layernorm", keep_stats=True).fit_transform(frame[cols])
    np.testing.assert_allclose(got[[*cols, "mean", "std"]], expected, rtol=1e-12)
    assert run("inverse-transform", scaled, "-s", saved, "-o", back, "-q") == 0
    restored = read(back)
    assert list(restored.columns) == list(frame.columns)
    np.testing.assert_allclose(restored[cols], frame[cols], rtol=1e-9)


def test_cli_error_cannot_undo(capsys, csv, tmp_path):
    assert run("fit", csv, "-m", "unitnorm", "-o", tmp_path / "u.skops", "-q") == 0
    err = error_of(capsys, "inverse-transform", csv, "-s", tmp_path / "u.skops",
                   "-o", tmp_path / "o.csv")  # fmt: skip
    assert "cannot be undone" in err and "keep_norm=True" in err


def test_cli_transform_with_saved_scaler_across_formats(csv, parquet, frame, tmp_path):
    scaler = tmp_path / "z.skops"
    assert run("fit", parquet, "-m", "zscore", "-o", scaler, "--chunksize", CHUNK, "-q") == 0
    out = tmp_path / "out.parquet"
    assert run("transform", csv, "-s", scaler, "-o", out, "--chunksize", CHUNK, "-q") == 0
    cols = ["income", "age", "score"]
    expected = make_scaler("zscore").fit(frame[cols]).transform(frame[cols])
    np.testing.assert_allclose(read(out)[cols], expected, rtol=1e-12, atol=1e-14)


def test_cli_gzip_csv_input(frame, tmp_path):
    path = tmp_path / "data.csv.gz"
    frame.to_csv(path, index=False)
    assert run("fit", path, "-m", "decimal", "-q") == 0
    assert load(tmp_path / "data.skops").n_features_in_ == 3


def test_cli_merge_appends_and_drops_columns():
    chunk = pa.table({"k": ["x", "y"], "a": [1.0, 2.0], "b": [3.0, 4.0]})
    out = _merge(chunk, ["a", "b"], ["a", "b", "mean"], np.ones((2, 3)))
    assert out.column_names == ["k", "a", "b", "mean"]
    back = _merge(out, ["a", "b", "mean"], ["a", "b"], np.zeros((2, 2)))
    assert back.column_names == ["k", "a", "b"]
    assert back.column("k").equals(chunk.column("k"))


def test_cli_error_missing_file(capsys, tmp_path):
    assert "no such file" in error_of(capsys, "fit", tmp_path / "nope.csv", "-m", "zscore")


def test_cli_error_non_numeric_column(capsys, csv):
    err = error_of(capsys, "fit", csv, "-m", "zscore", "-c", "id")
    assert "column 'id'" in err and "not numeric" in err


def test_cli_error_missing_column(capsys, csv):
    assert "['height']" in error_of(capsys, "fit", csv, "-m", "zscore", "-c", "height")


def test_cli_error_unknown_method(capsys, csv):
    err = error_of(capsys, "fit", csv, "-m", "bogus")
    assert "Unknown scaler method 'bogus'" in err and "'zscore'" in err


def test_cli_error_unknown_parameter(capsys, csv):
    assert "Unknown parameter" in error_of(capsys, "fit", csv, "-m", "log", "-p", "bas=2")


def test_cli_error_bad_parameter_syntax(capsys, csv):
    with pytest.raises(SystemExit) as info:
        run("fit", csv, "-m", "log", "-p", "base")
    assert info.value.code == 2 and "NAME=VALUE" in capsys.readouterr().err


def test_cli_error_not_a_scaler_file(capsys, csv, tmp_path):
    out = tmp_path / "out.csv"
    assert "not a scaler file" in error_of(capsys, "transform", csv, "-s", csv, "-o", out)
    broken = tmp_path / "broken.skops"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert "scaler file" in error_of(capsys, "transform", csv, "-s", broken, "-o", out)
    assert not out.exists()


def test_cli_error_refuses_foreign_types(capsys, csv, frame, tmp_path):
    from sklearn.preprocessing import StandardScaler
    from skops.io import dump

    out = tmp_path / "out.csv"
    scaler = make_scaler("zscore").fit(frame[["income"]])
    scaler.extra_ = fractions.Fraction(1, 3)  # a type skops does not trust
    dump(scaler, tmp_path / "odd.skops")
    err = error_of(capsys, "transform", csv, "-s", tmp_path / "odd.skops", "-o", out)
    assert "not sklearn_norm's (fractions.Fraction)" in err
    dump(StandardScaler().fit(frame[["income"]]), tmp_path / "sk.skops")
    err = error_of(capsys, "transform", csv, "-s", tmp_path / "sk.skops", "-o", out)
    assert "holds a StandardScaler, not a sklearn_norm scaler" in err
    joblib.dump(StandardScaler(), tmp_path / "sk.joblib")
    err = error_of(capsys, "transform", csv, "-s", tmp_path / "sk.joblib", "-o", out)
    assert "refusing to load sklearn.preprocessing" in err
    assert not out.exists()


def test_cli_error_missing_optional_dependency(capsys, parquet, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # as if not installed
    err = error_of(capsys, "fit", parquet, "-m", "zscore")
    assert 'the command line needs pyarrow: pip install "sklearn-norm[cli]"' in err


def test_cli_error_unknown_output_format(capsys, csv, tmp_path):
    assert run("fit", csv, "-m", "zscore", "-o", tmp_path / "s.skops", "-q") == 0
    err = error_of(capsys, "transform", csv, "-s", tmp_path / "s.skops", "-o", tmp_path / "o.txt")
    assert "cannot tell the format" in err


def test_cli_interrupted_run_leaves_no_partial_output(csv, tmp_path, monkeypatch, capsys):
    assert run("fit", csv, "-m", "zscore", "-o", tmp_path / "s.skops", "-q") == 0
    out = tmp_path / "out.csv"
    out.write_text("previous result\n")
    write = ChunkWriter.write

    def interrupted(self, frame, *rest):
        if self.n_chunks == 2:
            raise KeyboardInterrupt
        write(self, frame, *rest)

    monkeypatch.setattr(ChunkWriter, "write", interrupted)
    argv = ["transform", csv, "-s", tmp_path / "s.skops", "-o", out, "--chunksize", CHUNK]
    assert run(*argv) == 130
    assert "interrupted" in capsys.readouterr().err
    assert out.read_text() == "previous result\n"
    assert sorted(os.listdir(tmp_path)) == ["data.csv", "out.csv", "s.skops"]


@pytest.mark.parametrize("source", ["csv", "parquet"])
def test_cli_progress_bar_is_tqdm_on_a_terminal_only(source, request, tmp_path, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    path = request.getfixturevalue(source)
    argv = ["fit", path, "-m", "zscore", "-o", tmp_path / "s.skops", "--chunksize", CHUNK]
    drawn = {}
    for name, stream, quiet in (
        ("tty", Tty(), []),
        ("pipe", io.StringIO(), []),
        ("q", Tty(), ["-q"]),
    ):
        monkeypatch.setattr(sys, "stderr", stream)
        assert run(*argv, *quiet) == 0
        drawn[name] = stream.getvalue()
    unit = "B" if source == "csv" else " rows"
    bar = rf"fit data\.{source}: 100%\|[█#]+\| [0-9.]+k?/[0-9.]+k? \[.*{unit}/s\]"
    assert re.search(bar, drawn["tty"])
    assert drawn["pipe"] == drawn["q"] == ""


def test_cli_python_dash_m(csv, tmp_path):
    out = tmp_path / "out.parquet"
    proc = subprocess.run(
        [sys.executable, "-m", "sklearn_norm", "fit-transform", str(csv), "-m", "minmax",
         "-o", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # not a terminal: no progress bar
    assert read(out)[["income", "age", "score"]].max().max() == pytest.approx(1.0)
    proc = subprocess.run(
        [sys.executable, "-m", "sklearn_norm", "fit", str(tmp_path / "missing.csv"), "-m", "log"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 1 and proc.stderr.startswith("sklearn-norm: error: no such file")


def test_cli_bench_script_runs_on_a_tiny_file(capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_cli.py"
    spec = importlib.util.spec_from_file_location("bench_cli", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.main(["--rows", "2000", "--repeat", "1"])
    ((wall, cpu, rss),) = result["runs"]
    assert wall > 0 and cpu > 0 and rss > 0 and min(result["pandas_write"]) > 0
    assert "| **sklearn-norm median** |" in capsys.readouterr().out
