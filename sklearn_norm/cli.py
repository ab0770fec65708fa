"""The ``sklearn-norm`` command line: fit, apply and undo scalers on CSV and Parquet files.

Files are streamed in chunks of ``--chunksize`` rows: ``fit`` calls ``partial_fit`` on each
chunk, ``transform`` and ``inverse-transform`` write each chunk as soon as it is scaled, so
memory is bounded by the chunk size whatever the file's size. Columns not selected pass
through untouched. Examples::

    sklearn-norm list
    sklearn-norm fit data.csv --method log --param base=10 --columns income,rent -o log.skops
    sklearn-norm transform data.parquet --scaler log.skops -o scaled.parquet
    sklearn-norm fit-transform data.csv -m zscore -o scaled.csv --save zscore.skops
    sklearn-norm inverse-transform scaled.csv --scaler zscore.skops -o restored.csv
"""

import argparse
import ast
import inspect
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from . import __version__
from ._io import (
    COMPRESSION,
    FORMATS,
    Reader,
    UserError,
    arrow,
    atomic_path,
    compression,
    file_format,
)
from ._persist import SAVE_FORMATS, load, save, save_format
from ._registry import _REGISTRY, make_scaler
from ._writer import ChunkWriter

PROG = "sklearn-norm"


# -- parsing ---------------------------------------------------------------------------
def _param(text):
    """``"base=10"`` -> ``("base", 10)``; a value that is not a Python literal stays text."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        value = ast.literal_eval(value.strip())
    except (ValueError, SyntaxError):
        value = value.strip()
    return name.strip(), value


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser():
    """The argument parser with one sub-command per action."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Fit, apply and undo sklearn_norm scalers on CSV and Parquet files, "
        "streamed in chunks.",
        epilog="examples:\n" + (__doc__ or "Examples::\n").split("Examples::\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    files = argparse.ArgumentParser(add_help=False)
    files.add_argument("input", help="input file, *.csv (optionally .gz, .bz2 …) or *.parquet")
    files.add_argument(
        "--chunksize", type=_positive, default=100_000, help="rows per chunk (default 100000)"
    )
    files.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    files.add_argument(
        "-c",
        "--columns",
        action="append",
        help="comma-separated columns to scale (repeatable); default: every numeric column "
        "when fitting, the scaler's own columns otherwise",
    )
    method = argparse.ArgumentParser(add_help=False)
    method.add_argument("-m", "--method", required=True, help="scaler name, see `list`")
    method.add_argument(
        "-p",
        "--param",
        action="append",
        type=_param,
        default=[],
        metavar="NAME=VALUE",
        help="scaler parameter, a Python literal or text (repeatable), e.g. base=10",
    )
    saving = argparse.ArgumentParser(add_help=False)
    saving.add_argument(
        "--save-format",
        choices=SAVE_FORMATS,
        help="skops (default) or joblib; default from the file name (*.joblib, *.pkl)",
    )

    p = sub.add_parser(
        "fit", parents=[files, method, saving], help="fit a scaler and save it (default .skops)"
    )
    p.add_argument("-o", "--output", help="scaler file (default: INPUT's name + .skops)")
    p.set_defaults(run=_cmd_fit)

    p = sub.add_parser(
        "fit-transform", parents=[files, method, saving], help="fit, then scale the same file"
    )
    p.add_argument("-o", "--output", required=True, help="output data file")
    p.add_argument("--save", metavar="SCALER", help="also save the fitted scaler here")
    p.set_defaults(run=_cmd_fit_transform)

    for name, inverse in (("transform", False), ("inverse-transform", True)):
        p = sub.add_parser(
            name,
            parents=[files],
            help=("undo a saved scaler" if inverse else "apply a saved scaler"),
        )
        p.add_argument("-s", "--scaler", required=True, help="scaler file written by `fit`")
        p.add_argument("-o", "--output", required=True, help="output data file")
        p.set_defaults(run=_cmd_apply, inverse=inverse)

    p = sub.add_parser("list", help="list the scaler methods and their parameters")
    p.set_defaults(run=_cmd_list)
    return parser


# -- helpers ---------------------------------------------------------------------------
def _columns(args):
    if not args.columns:
        return None
    return [c.strip() for part in args.columns for c in part.split(",") if c.strip()]


def _matrix(table, columns, names=True):
    """The ``columns`` of an Arrow table as one 2-D array (missing values as NaN).

    float32 when every column is float32, else float64; a DataFrame naming the columns
    (without a copy) when ``names``.
    """
    pa = arrow()[0]
    single = all(table.schema.field(c).type == pa.float32() for c in columns)
    values = np.empty((table.num_rows, len(columns)), np.float32 if single else np.float64)
    for j, c in enumerate(columns):
        values[:, j] = table.column(c).to_numpy()
    return pd.DataFrame(values, columns=columns, copy=False) if names else values


def _merge(table, consumed, produced, values):
    """``table`` with the ``consumed`` columns replaced by ``values`` (named ``produced``).

    A produced column that was consumed keeps its place; new ones go to the end;
    consumed ones not produced (e.g. kept statistics on the way back) are dropped. The
    other columns keep their Arrow arrays and fields; NaN becomes a missing value.
    """
    pa = arrow()[0]
    consumed = set(consumed)
    clash = [c for c in produced if c in table.column_names and c not in consumed]
    if clash:
        raise UserError(f"output column(s) {clash} clash with pass-through columns")
    values = np.asarray(values)
    new = {c: pa.array(values[:, j], from_pandas=True) for j, c in enumerate(produced)}
    fields, arrays = [], []
    for field, column in zip(table.schema, table.columns):
        if field.name not in consumed:
            fields.append(field)
            arrays.append(column)
        elif field.name in new:
            arrays.append(new.pop(field.name))
            fields.append(pa.field(field.name, arrays[-1].type))
    for name, array in new.items():
        fields.append(pa.field(name, array.type))
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, table.schema.metadata))


def _call(method, table, consumed, produced, inverse):
    """``method`` on the ``consumed`` columns of ``table`` (named unless ``inverse``)."""
    if not table.num_rows:  # a file with a header and no rows: nothing to scale
        return np.empty((0, len(produced)))
    return method(_matrix(table, consumed, names=not inverse))


def _progress(args, label, reader):
    """A tqdm bar on stderr, drawn only when it is a terminal (never with ``--quiet``)."""
    return tqdm(
        total=reader.total,
        desc=f"{label} {reader.path.name}",
        unit="B" if reader.format == "csv" else " rows",
        unit_scale=True,
        disable=True if args.quiet else None,
    )


def _chunks(reader, bar, columns, **options):
    """The reader's chunks, advancing ``bar`` to the work done after each."""
    for table, done in reader.chunks(columns, **options):
        yield table
        bar.update(done - bar.n)


def _fit(args):
    params = dict(args.param)
    scaler = make_scaler(args.method, **params)
    reader = Reader(args.input, args.chunksize)
    columns = _columns(args) or reader.numeric
    if not columns:
        raise UserError(f"{str(reader.path)!r} has no numeric column to scale")
    n_rows = 0
    with _progress(args, "fit", reader) as bar:
        for table in _chunks(reader, bar, columns, others=False):
            if table.num_rows:
                scaler.partial_fit(_matrix(table, columns))
                n_rows += table.num_rows
    if not n_rows:
        raise UserError(f"{str(reader.path)!r} has no rows to fit on")
    return scaler


def _apply(scaler, args, inverse):
    """Scale (or unscale) ``args.input`` chunk by chunk into ``args.output``."""
    fmt = file_format(args.output)
    reader = Reader(args.input, args.chunksize)
    names_in = getattr(scaler, "feature_names_in_", None)
    if inverse and not hasattr(scaler, "inverse_transform"):
        raise UserError(
            f"{type(scaler).__name__} cannot be undone with these parameters "
            "(a sample-wise scaler needs keep_stats=True, or keep_norm=True for unitnorm)"
        )
    given = _columns(args)
    if names_in is None and given is None:
        raise UserError("the scaler was fitted without column names: pass --columns")
    fitted = list(names_in) if names_in is not None else given
    if given is not None and given != fitted:
        raise UserError(f"the scaler was fitted on columns {fitted}; --columns gives {given}")
    out_names = list(scaler.get_feature_names_out(fitted))
    consumed, produced = (out_names, fitted) if inverse else (fitted, out_names)
    method = scaler.inverse_transform if inverse else scaler.transform
    label = "inverse-transform" if inverse else "transform"

    def prepare(piece):  # runs on the writer's threads
        return _merge(piece, consumed, produced, _call(method, piece, consumed, produced, inverse))

    with _progress(args, label, reader) as bar, atomic_path(args.output) as tmp:
        with ChunkWriter(tmp, fmt, compression(args.output)) as writer, warnings.catch_warnings():
            # inverse_transform's input has the output's columns (kept statistics too), not
            # the fitted ones: it gets plain values, without the feature-name warning.
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
            for table in _chunks(reader, bar, consumed, as_text=fmt == "csv"):
                writer.write(table, prepare)


def _scaler_path(args):
    if args.output:
        return args.output
    suffix = ".joblib" if args.save_format == "joblib" else ".skops"
    path = Path(args.input)
    stem = path.name
    while Path(stem).suffix.lower() in {*FORMATS, *COMPRESSION}:
        stem = Path(stem).stem
    return str(path.with_name(stem + suffix))


# -- commands --------------------------------------------------------------------------
def _cmd_fit(args):
    scaler = _fit(args)
    path = _scaler_path(args)
    save(scaler, path, save_format(path, args.save_format))
    print(f"{scaler!r} fitted on {scaler.n_features_in_} column(s), saved to {path}")


def _cmd_fit_transform(args):
    scaler = _fit(args)
    if args.save:
        save(scaler, args.save, save_format(args.save, args.save_format))
    _apply(scaler, args, inverse=False)
    print(f"{scaler!r} applied, written to {args.output}")


def _cmd_apply(args):
    scaler = load(args.scaler)
    _apply(scaler, args, inverse=args.inverse)


def _cmd_list(args):
    rows = []
    for name, cls in _REGISTRY.items():
        params = inspect.signature(cls).parameters.values()
        shown = ", ".join(f"{p.name}={p.default!r}" for p in params if p.name != "copy")
        rows.append((name, cls.__name__, shown))
    width = max(len(r[0]) for r in rows)
    width_cls = max(len(r[1]) for r in rows)
    for name, cls, shown in rows:
        print(f"{name:<{width}}  {cls:<{width_cls}}  {shown}")


def main(argv=None):
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except (UserError, ValueError, TypeError, OSError) as exc:
        text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        print(f"{PROG}: error: {text or type(exc).__name__}", file=sys.stderr)
        return 1
    return 0
