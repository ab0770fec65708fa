"""Chunked, faithful reading and writing of CSV and Parquet files, for the command line.

Both formats go through pyarrow (the ``cli`` extra): its CSV reader parses blocks of
:data:`BLOCK_SIZE` bytes on threads.

* A :class:`Reader` yields a file's rows as Arrow tables of ``chunksize`` rows; a lone
  last row joins the chunk before it (a one-row batch has no unbiased variance, which
  ``BatchNormScaler(momentum=...)`` needs); the next chunk is parsed on a thread while
  the caller works on this one. The scaled columns are read as float64; in a
  CSV file the other columns are read as raw bytes, so they are written back byte for byte
  (quoted where a field needs quotes: a ``,``, ``"``, CR or LF); in Parquet they keep their
  Arrow arrays. A blank line is a missing value in a one-column CSV file and skipped
  otherwise, as pandas does.
* :func:`atomic_path` gives a temporary file beside the target, moved over the final name
  only when everything is written: a failed or interrupted run never leaves a
  half-written output (``_writer.ChunkWriter`` writes the chunks there).
* Compression follows the file name: ``.gz``, ``.bz2``, ``.zst`` (pyarrow's codecs) and
  ``.xz`` (Python's :mod:`lzma`), for input and output.
"""

import contextlib
import functools
import importlib
import io
import lzma
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
COMPRESSION = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}
INSTALL = 'pip install "sklearn-norm[cli]"'
BLOCK_SIZE = 1 << 19  # bytes of CSV parsed at a time (a longer row is read whole)


class UserError(Exception):
    """A problem with the user's input, reported as one line and a non-zero exit."""


def optional(module, purpose, install=None):
    """Import ``module`` or raise a :class:`UserError` saying what to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        package = module.split(".")[0]
        hint = install or f"pip install {package}"
        raise UserError(f"{purpose} needs {package}: {hint}") from None


def arrow():
    """pyarrow and its ``csv`` and ``compute`` modules, which the CLI needs.

    The first call makes jemalloc Arrow's default memory pool (unless the environment
    variable ``ARROW_DEFAULT_MEMORY_POOL`` chooses one): it returns freed blocks to the
    system sooner than mimalloc, pyarrow's default, when several threads allocate.
    """
    names = ("pyarrow", "pyarrow.csv", "pyarrow.compute")
    modules = [optional(name, "the command line", INSTALL) for name in names]
    _prefer_jemalloc(modules[0])
    return modules


def parquet():
    """``pyarrow.parquet``, imported only for Parquet files (it costs 9 MiB)."""
    return optional("pyarrow.parquet", "the command line", INSTALL)


@functools.cache
def _prefer_jemalloc(pa):
    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        with contextlib.suppress(NotImplementedError):  # a pyarrow built without it
            pa.set_memory_pool(pa.jemalloc_memory_pool())


def file_format(path):
    """``"csv"`` or ``"parquet"``, from the file name's suffix (``.csv.gz`` is csv)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    packed = bool(suffixes) and suffixes[-1] in COMPRESSION
    fmt = FORMATS.get(suffixes[-2 if packed else -1]) if len(suffixes) > packed else None
    if fmt is None:
        raise UserError(f"cannot tell the format of {str(path)!r}: name it *.csv or *.parquet")
    if fmt == "parquet" and packed:
        raise UserError(
            f"{str(path)!r}: Parquet files are compressed inside; drop the {suffixes[-1]!r} suffix"
        )
    return fmt


def compression(path):
    """The codec named by the file name's last suffix, or None."""
    return COMPRESSION.get(Path(path).suffix.lower())


def open_stream(path, codec, mode):
    """``(raw, stream)``: the file and the (de)compressing stream over it."""
    pa = arrow()[0]
    if codec == "xz":
        raw = open(path, mode)
        return raw, lzma.open(raw, mode)
    raw = pa.OSFile(str(path), mode)
    if codec is None:
        return raw, raw
    stream = pa.CompressedInputStream if mode == "rb" else pa.CompressedOutputStream
    return raw, stream(raw, codec)


class _WholeLineEnds(io.RawIOBase):
    """A binary stream whose reads never end between a CR and what follows it.

    pyarrow's CSV reader (26.0) drops the LF of a quoted CR LF that a block boundary
    splits; reads that keep trailing CRs for the next read never split one.
    """

    def __init__(self, stream):
        self._stream, self._carry = stream, b""

    def readable(self):
        return True

    def read(self, size=-1):
        data = self._carry + self._stream.read(size - len(self._carry) if size >= 0 else -1)
        kept = data.rstrip(b"\r")
        if kept and len(kept) < len(data):
            data, self._carry = kept, data[len(kept) :]
        else:
            self._carry = b""
        return data


def close_stream(raw, stream):
    """Close a ``(raw, stream)`` pair from :func:`open_stream`."""
    stream.close()
    raw.close()


_END = object()


def _read_ahead(iterator):
    """The items of ``iterator``, each next one made on a thread while the caller uses this one.

    Parsing a chunk (pyarrow releases the GIL) then overlaps the caller's work on the one
    before; one chunk more is held. An error making an item is raised where it is taken;
    when the caller stops early, ``iterator`` is closed once the item being made is done.
    """
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="sklearn-norm-read") as pool:
            ahead = pool.submit(next, iterator, _END)
            while (item := ahead.result()) is not _END:
                ahead = pool.submit(next, iterator, _END)
                yield item
    finally:
        iterator.close()


def _rechunk(pa, batches, schema, size):
    """Tables of ``size`` rows from ``(batch, done)`` pairs; a lone last row joins the one before.

    Always yields at least one table (an empty one for a file without rows).
    """
    pending, n_rows, done, n_chunks = [], 0, 0, 0
    for batch, done in batches:
        pending.append(batch)
        n_rows += batch.num_rows
        while n_rows >= size + 2:
            table = pa.Table.from_batches(pending, schema)
            rest = table.slice(size)
            pending, n_rows, n_chunks = rest.to_batches(), rest.num_rows, n_chunks + 1
            yield table.slice(0, size), done
    if n_rows or not n_chunks:
        yield pa.Table.from_batches(pending, schema), done


class Reader:
    """The rows of a CSV or Parquet file, chunk by chunk, as Arrow tables.

    Parameters
    ----------
    path : str or path-like
        The file.
    chunksize : int
        Number of rows in a chunk (the last one may hold one row more).

    Attributes
    ----------
    columns : list of str
        The column names, in the file's order.
    numeric : list of str
        The columns holding numbers (for CSV as pyarrow infers them from the first block).
    total : int
        The amount of work for a progress bar: bytes for CSV, rows for Parquet.
    """

    def __init__(self, path, chunksize):
        self.path = Path(path)
        self.format = file_format(self.path)
        if not self.path.is_file():
            raise UserError(f"no such file: {str(self.path)!r}")
        self.chunksize = int(chunksize)
        self._pa, self._csv, _ = arrow()
        if self.format == "csv":
            self.total = self.path.stat().st_size
            schema = self._csv_schema()
        else:
            schema = self._parquet().schema_arrow
            self.total = self._parquet().metadata.num_rows
        pa = self._pa
        self.columns = list(schema.names)
        self.numeric = [
            f.name for f in schema if pa.types.is_integer(f.type) or pa.types.is_floating(f.type)
        ]

    def _where(self):
        return repr(str(self.path))

    def _parquet(self):
        try:
            return parquet().ParquetFile(self.path)
        except Exception as exc:  # pyarrow raises ArrowInvalid and friends
            raise UserError(f"{self._where()} is not a Parquet file ({exc})") from None

    def _csv_reader(self, convert, scaled=(), one_column=False):
        raw, stream = open_stream(self.path, compression(self.path), "rb")
        options = self._csv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=not one_column
        )
        try:
            reader = self._csv.open_csv(
                _WholeLineEnds(stream),
                read_options=self._csv.ReadOptions(block_size=BLOCK_SIZE),
                parse_options=options,
                convert_options=convert,
            )
        except BaseException as exc:
            close_stream(raw, stream)
            raise self._csv_error(exc, scaled) from None
        return raw, stream, reader

    def _csv_schema(self):
        raw, stream, reader = self._csv_reader(self._csv.ConvertOptions())
        close_stream(raw, stream)
        try:
            reader.schema.names  # noqa: B018 (decodes the names)
        except UnicodeDecodeError as exc:
            raise self._csv_error(exc, ()) from None
        return reader.schema

    def _csv_error(self, exc, scaled):
        if isinstance(exc, UnicodeDecodeError):
            return UserError(f"the header of {self._where()} is not UTF-8 text ({exc})")
        if not isinstance(exc, (self._pa.ArrowInvalid, OSError, EOFError, lzma.LZMAError)):
            return exc
        text = " ".join(str(exc).split())
        if text == "Empty CSV file":
            return UserError(f"{self._where()} is empty: a CSV file starts with a header line")
        found = re.match(
            r"In CSV column #(\d+): CSV conversion error to (\w+): (invalid value .*)", text
        )
        if found:
            name = self.columns[int(found[1])]
            if name in scaled:
                return UserError(
                    f"column {name!r} of {self._where()} is not numeric: {found[3]}; "
                    "choose numeric columns with --columns"
                )
            return UserError(
                f"column {name!r} of {self._where()} changes type after its first rows "
                f"(read as {found[2]}, then {found[3]}); write CSV, whose other columns "
                "are copied as text"
            )
        return UserError(f"cannot read {self._where()} as CSV: {text}")

    def chunks(self, scaled, others=True, as_text=True):
        """Yield ``(table, done)``: a chunk and the work done so far.

        Parameters
        ----------
        scaled : list of str
            Columns read as numbers (float64 from CSV); checked to exist and be numeric.
        others : bool, default=True
            Also read the other columns (False reads only ``scaled``, for fitting).
        as_text : bool, default=True
            Read the other columns of a CSV file as raw bytes (else as pyarrow infers).
        """
        self._check(scaled)
        yield from _read_ahead(self._chunks(scaled, others, as_text))

    def _chunks(self, scaled, others, as_text):
        if self.format == "parquet":
            batches = self._parquet().iter_batches(
                batch_size=self.chunksize, columns=None if others else list(scaled)
            )
            schema = self._parquet().schema_arrow
            if not others:
                schema = self._pa.schema([schema.field(c) for c in scaled])

            def counted():
                n_rows = 0
                for batch in batches:
                    n_rows += batch.num_rows
                    yield batch, n_rows

            yield from _rechunk(self._pa, counted(), schema, self.chunksize)
            return
        yield from self._csv_chunks(scaled, others, as_text)

    def _csv_chunks(self, scaled, others, as_text):
        pa = self._pa
        types = {c: pa.large_binary() for c in self.columns} if others and as_text else {}
        types.update((c, pa.float64()) for c in scaled)
        convert = self._csv.ConvertOptions(
            column_types=types, include_columns=None if others else list(scaled)
        )
        raw, stream, reader = self._csv_reader(convert, scaled, len(self.columns) == 1)
        try:
            batches = ((b, raw.tell()) for b in reader if b.num_rows)
            yield from _rechunk(pa, batches, reader.schema, self.chunksize)
        except (pa.ArrowInvalid, OSError, EOFError, lzma.LZMAError) as exc:
            raise self._csv_error(exc, scaled) from None
        finally:
            close_stream(raw, stream)

    def _check(self, scaled):
        missing = [c for c in scaled if c not in self.columns]
        if missing:
            raise UserError(f"column(s) {missing} not in {self._where()}; it has {self.columns}")
        twice = sorted({c for c in scaled if self.columns.count(c) > 1})
        if twice:
            raise UserError(f"column(s) {twice} appear more than once in {self._where()}")
        if self.format == "parquet":
            types = self._parquet().schema_arrow
            for c in scaled:
                if c not in self.numeric:
                    raise UserError(
                        f"column {c!r} of {self._where()} is not numeric (type "
                        f"{types.field(c).type}); choose numeric columns with --columns"
                    )


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
