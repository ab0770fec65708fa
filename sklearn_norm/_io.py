"""Chunked readers and writers of CSV and Parquet files, for the command line.

A :class:`Reader` yields a file's rows as DataFrames of at most ``chunksize`` rows (pandas'
``read_csv(chunksize=...)`` or pyarrow's ``ParquetFile.iter_batches``), so memory stays
bounded by the chunk size. A :class:`ChunkWriter` appends DataFrames to a temporary file
beside the target, moved over the final name only when everything is written
(:func:`atomic_path`): an interrupted run never leaves a half-written output behind.
"""

import contextlib
import os
import tempfile
from pathlib import Path

import pandas as pd

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
COMPRESSION = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}


class UserError(Exception):
    """A problem with the user's input, reported as one line and a non-zero exit."""


def optional(module, purpose):
    """Import ``module`` or raise a :class:`UserError` saying what to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        package = module.split(".")[0]
        raise UserError(f"{purpose} needs {package}: pip install {package}") from None


def file_format(path):
    """``"csv"`` or ``"parquet"``, from the file name's suffix (``.csv.gz`` is csv)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in COMPRESSION:
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in FORMATS:
        return FORMATS[suffixes[-1]]
    raise UserError(f"cannot tell the format of {str(path)!r}: name it *.csv or *.parquet")


class Reader:
    """The rows of a CSV or Parquet file, chunk by chunk.

    Parameters
    ----------
    path : str or path-like
        The file.
    chunksize : int
        Largest number of rows in a chunk.

    Attributes
    ----------
    total : int
        The amount of work for a progress bar: bytes for CSV, rows for Parquet.
    """

    def __init__(self, path, chunksize):
        self.path = Path(path)
        if not self.path.is_file():
            raise UserError(f"no such file: {str(self.path)!r}")
        self.format = file_format(self.path)
        self.chunksize = int(chunksize)
        if self.format == "csv":
            self.total = self.path.stat().st_size
        else:
            self.total = self._parquet().metadata.num_rows

    def _parquet(self):
        pq = optional("pyarrow.parquet", "reading Parquet")
        try:
            return pq.ParquetFile(self.path)
        except Exception as exc:  # pyarrow raises ArrowInvalid and friends
            raise UserError(f"{str(self.path)!r} is not a Parquet file ({exc})") from None

    def __iter__(self):
        """Yield ``(chunk, done)``: a DataFrame and the work done so far."""
        if self.format == "parquet":
            done = 0
            for batch in self._parquet().iter_batches(batch_size=self.chunksize):
                done += batch.num_rows
                yield batch.to_pandas(), done
            return
        compression = COMPRESSION.get(self.path.suffix.lower())
        with open(self.path, "rb") as handle:
            try:
                chunks = pd.read_csv(handle, chunksize=self.chunksize, compression=compression)
                for chunk in chunks:
                    yield chunk, handle.tell()
            except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
                msg = str(exc).strip().splitlines()[0]
                raise UserError(f"cannot read {str(self.path)!r} as CSV: {msg}") from None


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; move it over ``path`` only on success."""
    path = Path(path)
    if not path.parent.is_dir():
        raise UserError(f"output folder {str(path.parent)!r} does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class ChunkWriter:
    """Append DataFrames to a CSV or Parquet file (a temporary one, see :func:`atomic_path`).

    Parameters
    ----------
    path : path-like
        Where to write.
    fmt : {"csv", "parquet"}
        The format.
    """

    def __init__(self, path, fmt):
        self.path, self.format = Path(path), fmt
        self._handle = self._parquet = None
        self.n_chunks = 0

    def write(self, frame):
        """Append the rows of ``frame``; the first one fixes the columns and their types."""
        if self.format == "csv":
            if self._handle is None:
                self._handle = open(self.path, "w", newline="", encoding="utf-8")
            frame.to_csv(self._handle, header=self.n_chunks == 0, index=False)
        else:
            self._write_parquet(frame)
        self.n_chunks += 1

    def _write_parquet(self, frame):
        pa = optional("pyarrow", "writing Parquet")
        pq = optional("pyarrow.parquet", "writing Parquet")
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.path, table.schema)
        else:
            try:
                table = table.cast(self._parquet.schema)
            except (pa.ArrowInvalid, ValueError) as exc:
                raise UserError(
                    f"chunk {self.n_chunks + 1} has other column types than the first "
                    f"({exc}); use a larger --chunksize or write CSV"
                ) from None
        self._parquet.write_table(table)

    def close(self):
        """Finish the file."""
        if self._handle is not None:
            self._handle.close()
        if self._parquet is not None:
            self._parquet.close()
