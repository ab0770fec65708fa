"""The command line keeps files faithful: pass-through bytes, rows, Arrow types, compression.

References are independent of the code under test: Python's ``csv``, ``float`` and
compression modules, scikit-learn's scalers, pyarrow's own tables, PyTorch's BatchNorm
update written as a formula.
"""

import bz2
import gzip
import lzma
import os
import re
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sklearn_norm import _io, _writer
from sklearn_norm.cli import main

# Raw pass-through fields as a minimal-quoting writer (Python's csv, pandas) writes them.
HEADER = 'code,flag,"note, free text",x'
RECORDS = [
    ("007", "true", '"a,b"', "1.5"),
    ("1", "NA", '"two\nlines"', "2"),
    ("", "", '"say ""hi"""', ""),
    ("1.0", "None", " padded ", "NA"),
    ("1e5", "nan", "é ü", "-3.25"),
    ("-0", "FALSE", '"x\r\ny"', "1e-3"),
]
X_VALUES = [1.5, 2.0, np.nan, np.nan, -3.25, 1e-3]


def run(*argv):
    return main([str(a) for a in argv])


def awkward_text(n_copies=1):
    lines = [",".join(r) for r in RECORDS * n_copies]
    return HEADER + "\n" + "".join(line + "\n" for line in lines)


def scaled_field_pattern(n_copies=1):
    """The expected output: every record's pass-through bytes kept, ``x`` any number."""
    body = "".join(
        re.escape(",".join(r[:3]) + ",") + r"([^,\"\r\n]*)\n" for r in RECORDS * n_copies
    )
    return re.compile(re.escape(HEADER) + r"\n" + body, re.DOTALL)


def parse_scaled(text):
    return np.array([float(t) if t else np.nan for t in text])


def test_cli_passes_awkward_text_through_byte_for_byte(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes(awkward_text().encode())
    assert run("fit-transform", src, "-m", "zscore", "-c", "x", "-o", out, "-q") == 0
    match = scaled_field_pattern().fullmatch(out.read_bytes().decode())
    assert match is not None, out.read_bytes()
    got = parse_scaled(match.groups())
    expected = StandardScaler().fit_transform(np.array(X_VALUES)[:, None])[:, 0]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_cli_passes_any_encoding_through(tmp_path, capsys):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes("name,x\ncafé,1\nbar,3\n".encode("latin-1"))
    assert run("fit-transform", src, "-m", "minmax", "-o", out, "-q") == 0
    lines = [line.split(b",") for line in out.read_bytes().split(b"\n")]
    assert [line[0] for line in lines] == [b"name", "café".encode("latin-1"), b"bar", b""]
    assert [float(line[1]) for line in lines[1:-1]] == [0.0, 1.0]
    src.write_bytes("né,x\na,1\n".encode("latin-1"))
    assert run("fit-transform", src, "-m", "minmax", "-o", out, "-q") == 1
    err = capsys.readouterr().err
    assert "the header of" in err and "not UTF-8" in err


def test_cli_blank_line_in_one_column_csv_is_a_missing_value(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("x\n1\n\n3\n\n5\n")
    assert run("fit-transform", src, "-m", "minmax", "-o", out, "-q") == 0
    lines = out.read_text().split("\n")
    assert lines[0] == "x" and lines[-1] == ""  # header, then one line per row
    expected = MinMaxScaler().fit_transform([[1], [np.nan], [3], [np.nan], [5]])[:, 0]
    np.testing.assert_array_equal(parse_scaled(lines[1:-1]), expected)


OPENERS = {"gz": gzip.open, "bz2": bz2.open, "xz": lzma.open, "zst": zstandard.open}
MAGIC = {"gz": b"\x1f\x8b", "bz2": b"BZh", "xz": b"\xfd7zXZ\x00", "zst": b"\x28\xb5\x2f\xfd"}


@pytest.mark.parametrize("suffix", sorted(OPENERS))
def test_cli_compression_follows_the_suffix(suffix, tmp_path):
    plain_in, plain_out = tmp_path / "in.csv", tmp_path / "out.csv"
    plain_in.write_bytes(awkward_text(3).encode())
    packed_in, packed_out = tmp_path / f"in.csv.{suffix}", tmp_path / f"out.csv.{suffix}"
    with OPENERS[suffix](packed_in, "wb") as handle:
        handle.write(plain_in.read_bytes())
    argv = ["-m", "minmax", "-c", "x", "-q"]
    assert run("fit-transform", plain_in, "-o", plain_out, *argv) == 0
    assert run("fit-transform", packed_in, "-o", packed_out, *argv) == 0
    assert packed_out.read_bytes().startswith(MAGIC[suffix])
    with OPENERS[suffix](packed_out, "rb") as handle:
        assert handle.read() == plain_out.read_bytes()


def test_cli_compressed_parquet_is_refused(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("x\n1\n2\n")
    assert run("fit-transform", src, "-m", "minmax", "-o", tmp_path / "o.parquet.gz") == 1
    err = capsys.readouterr().err
    assert "o.parquet.gz" in err and "Parquet" in err
    assert sorted(os.listdir(tmp_path)) == ["in.csv"]


def test_cli_header_only_input_gives_header_only_output(tmp_path, capsys):
    train, empty, out = tmp_path / "train.csv", tmp_path / "empty.csv", tmp_path / "out.csv"
    train.write_text(awkward_text())
    empty.write_text(HEADER + "\n")
    assert run("fit", train, "-m", "zscore", "-c", "x", "-o", tmp_path / "s.skops", "-q") == 0
    assert run("transform", empty, "-s", tmp_path / "s.skops", "-o", out, "-q") == 0
    assert out.read_text() == HEADER + "\n"
    assert run("fit", empty, "-m", "zscore", "-c", "x", "-o", tmp_path / "e.skops") == 1
    err = capsys.readouterr().err
    assert "has no rows to fit on" in err and "not numeric" not in err


def test_cli_error_is_one_whole_line(tmp_path, capsys, monkeypatch):
    import sklearn_norm.cli as cli

    def fails(*args, **kwargs):
        raise ValueError("The first line.\nThe second line\n  with its detail.\n")

    monkeypatch.setattr(cli, "make_scaler", fails)
    src = tmp_path / "in.csv"
    src.write_text("x\n1\n2\n")
    assert run("fit", src, "-m", "zscore") == 1
    err = capsys.readouterr().err
    assert err == "sklearn-norm: error: The first line. The second line with its detail.\n"


def test_cli_error_in_a_late_chunk_leaves_the_output_as_it_was(tmp_path, capsys):
    clean, src, out = tmp_path / "clean.csv", tmp_path / "in.csv", tmp_path / "out.csv"
    rows = [f"r{i},{i}.5" for i in range(300)]
    clean.write_text("code,x\n" + "\n".join(rows) + "\n")
    rows[290] = "r290,oops"  # after 18 chunks of 16 rows are written
    src.write_text("code,x\n" + "\n".join(rows) + "\n")
    out.write_text("previous result\n")
    assert run("fit", clean, "-m", "zscore", "-o", tmp_path / "s.skops", "-q") == 0
    argv = ["transform", src, "-s", tmp_path / "s.skops", "-o", out, "--chunksize", 16]
    assert run(*argv) == 1
    err = capsys.readouterr().err
    assert "'x'" in err and "oops" in err
    assert out.read_text() == "previous result\n"
    assert sorted(os.listdir(tmp_path)) == ["clean.csv", "in.csv", "out.csv", "s.skops"]


def test_cli_momentum_with_a_one_row_last_chunk(tmp_path):
    rng = np.random.default_rng(1)
    values = rng.normal(3, 2, (129, 2))  # chunks of 64: 64 + 64 + 1
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("a,b\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in values))
    argv = ["fit-transform", src, "-m", "batchnorm", "-p", "momentum=0.1", "-o", out]
    assert run(*argv, "--chunksize", 64, "-q") == 0
    # PyTorch's train-mode update from mean 0, variance 1; a lone last row joins its chunk
    mean, var = np.zeros(2), np.ones(2)
    for chunk in (values[:64], values[64:]):
        mean = 0.9 * mean + 0.1 * chunk.mean(axis=0)
        var = 0.9 * var + 0.1 * chunk.var(axis=0, ddof=1)
    expected = (values - mean) / np.sqrt(var + 1e-5)
    got = np.array([[float(v) for v in line.split(",")] for line in out.read_text().split()[1:]])
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("block_size, rows_per_write", [(48, 3), (97, 1 << 13), (1 << 20, 5)])
def test_cli_any_chunk_and_block_size_gives_the_same_bytes(
    tmp_path, monkeypatch, block_size, rows_per_write
):
    monkeypatch.setattr(_io, "BLOCK_SIZE", block_size)
    monkeypatch.setattr(_writer, "_ROWS_PER_WRITE", rows_per_write)  # pieces of a chunk
    src, saved = tmp_path / "in.csv", tmp_path / "s.skops"
    src.write_bytes(awkward_text(7).encode())
    assert run("fit", src, "-m", "minmax", "-c", "x", "-o", saved, "-q") == 0
    outputs = set()
    for chunksize in (1, 2, 3, 5, 8, 13, 41, 42, 43, 1000):
        out = tmp_path / f"out{chunksize}.csv"
        assert run("transform", src, "-s", saved, "-o", out, "--chunksize", chunksize, "-q") == 0
        outputs.add(out.read_bytes())
    assert len(outputs) == 1
    assert scaled_field_pattern(7).fullmatch(outputs.pop().decode()) is not None


def test_cli_parquet_pass_through_keeps_arrow_types(tmp_path):
    n = 50
    rng = np.random.default_rng(2)
    table = pa.table(
        {
            "id": pa.array(np.arange(n, dtype=np.int32)),
            "name": pa.array([None if i % 7 == 0 else f"n{i}" for i in range(n)]),
            "cat": pa.array([["lo", "hi"][i % 2] for i in range(n)]).dictionary_encode(),
            "when": pa.array(np.arange(n) * 1000, pa.timestamp("ms", tz="UTC")),
            "count": pa.array([None if i % 5 == 0 else i for i in range(n)], pa.int64()),
            "x": pa.array(rng.normal(size=n).astype(np.float32)),  # scaled: float32 kept
            "flag": pa.array([i % 3 == 0 for i in range(n)]),
            "tags": pa.array([[i, i + 1] for i in range(n)], pa.list_(pa.int64())),
            "y": pa.array(rng.lognormal(size=n).astype(np.float32)),
        }
    )
    src, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(table, src)
    argv = ["fit-transform", src, "-m", "zscore", "-c", "x,y", "-o", out, "--chunksize", 16]
    assert run(*argv, "-q") == 0
    got = pq.read_table(out)
    assert got.column_names == table.column_names
    for name in ("id", "name", "cat", "when", "count", "flag", "tags"):
        assert got.schema.field(name).type == table.schema.field(name).type, name
        assert got.column(name).combine_chunks().equals(table.column(name).combine_chunks())
    assert got.schema.field("x").type == got.schema.field("y").type == pa.float32()
    for name in ("x", "y"):
        values = table.column(name).to_numpy().astype(np.float64)[:, None]
        expected = StandardScaler().fit_transform(values)[:, 0]
        np.testing.assert_allclose(got.column(name).to_numpy(), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("column", ["x", "h"])
def test_cli_scaled_text_parses_back_to_the_same_floats(tmp_path, column):
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [rng.lognormal(0, 50, 300), [5e-324, 2.5e-310, 1e300, 1 / 3, 0.1, 2.0**53 + 2]]
    )
    halves = rng.lognormal(0, 10, len(values)).astype(np.float32)
    table = pa.table({"x": values, "h": halves})
    src, out = tmp_path / "in.parquet", tmp_path / "out.csv"
    pq.write_table(table, src)
    assert run("fit-transform", src, "-m", "decimal", "-c", column, "-o", out, "-q") == 0
    from sklearn_norm import DecimalScaler

    frame = table.to_pandas()[[column]]
    expected = DecimalScaler().fit(frame).transform(frame)[:, 0]
    assert expected.dtype == frame[column].dtype
    lines = out.read_text().split()
    assert lines[0] == "x,h" and len(lines) == len(values) + 1
    position = ["x", "h"].index(column)
    got = np.array([line.split(",")[position] for line in lines[1:]])
    np.testing.assert_array_equal(got.astype(expected.dtype), expected)  # numpy parses


def test_cli_needs_pyarrow_and_says_how_to_get_it(tmp_path, capsys, monkeypatch):
    for name in ("pyarrow", "pyarrow.csv", "pyarrow.compute", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    src = tmp_path / "in.csv"
    src.write_text("x\n1\n2\n")
    assert run("fit", src, "-m", "zscore", "-o", tmp_path / "s.joblib") == 1
    assert 'pip install "sklearn-norm[cli]"' in capsys.readouterr().err
