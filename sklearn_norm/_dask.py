"""The dask adapter: fit from per-block statistics, transform lazily block by block.

Imported only when a dask collection reaches an estimator (the core never imports
dask). ``fit`` builds one ``Stats.of`` task per block (row chunk × column chunk of a
``dask.array.Array``, partition of a ``dask.dataframe.DataFrame``), reduces the blocks
of each column chunk with a tree of ``merge`` tasks, joins the column chunks and
computes the result in one ``compute``: only per-feature summaries leave the workers,
never the data. ``transform`` maps the estimator's own numpy ``transform`` over blocks
of whole rows and returns a lazy collection of the same kind, chunks and column names.
"""

import copy

import numpy as np

from ._base import forget
from ._engine import learn_rows, tracks_rows
from ._merge import merge
from ._sklearn_compat import get_output_config
from ._stats import Stats
from ._validation import check_weights, check_X, inf_columns


def _is_frame(X):
    return hasattr(X, "map_partitions") and hasattr(X, "columns")


def check(estimator, X, reset):
    """Validate the shape, dtypes and column names of ``X`` on a one-row stand-in.

    A dask array known to have no rows gets a stand-in without rows, so it is refused
    with the error a numpy array without rows gets.

    Sets (``reset``) or checks ``n_features_in_``/``feature_names_in_`` without
    computing anything.
    """
    if _is_frame(X):
        stand_in = X._meta_nonempty.iloc[:1]
    elif X.ndim != 2:
        raise ValueError(
            f"{type(estimator).__name__} expects a 2D dask array, got {X.ndim}D of shape "
            f"{X.shape}; reshape it to (n_samples, n_features)."
        )
    else:  # no rows: the stand-in has none either, so the error is numpy's
        stand_in = np.zeros((0 if X.shape[0] == 0 else 1, X.shape[1]), dtype=X.dtype)
    return check_X(estimator, stand_in, reset=reset).dtype


def _lazy_rows(X, bands):
    """A DataFrame's number of rows (delayed: dask does not know it) from its partitions
    ``bands`` (see ``_blocks``), else None."""
    import dask

    if not _is_frame(X):
        return None
    return dask.delayed(sum, pure=True)([dask.delayed(len, pure=True)(b[0]) for b in bands])


def refuse_no_rows(estimator, X, n_rows):
    """Refuse a DataFrame that turned out to have no rows with the numpy path's error
    (its empty pandas stand-in goes through the same checks; ``check`` refuses arrays)."""
    if n_rows == 0:
        check_X(estimator, X._meta, reset=False)


def _numpy_block(block):
    """A block as a float numpy array (pandas partitions too), as ``check_X`` makes it."""
    if hasattr(block, "to_numpy"):
        values = block.to_numpy()
        if values.dtype == object:  # pandas nullable dtypes: pd.NA is NaN
            values = block.to_numpy(dtype=np.float64, na_value=np.nan)
        block = values
    else:
        block = np.asarray(block)
    return block if block.dtype.kind == "f" else block.astype(np.float64)


def _block_stats(block, weights, need):
    block = _numpy_block(block)
    weights = None if weights is None else check_weights(np.asarray(weights), block)
    return Stats.of(block, weights, need)


def _join_columns(parts):
    """The summary of all features from the summaries of consecutive column chunks."""
    first = parts[0]
    fields = ("count", "mean", "m2", "min", "max", "has_inf")
    joined = {
        name: None
        if getattr(first, name) is None
        else np.concatenate([getattr(p, name) for p in parts])
        for name in fields
    }
    for name, zero in (("mean_lo", 0.0), ("exp", 0)):  # None counts as 0 (see Stats)
        if any(getattr(p, name) is not None for p in parts):
            joined[name] = np.concatenate(
                [
                    np.full(p.count.shape, zero) if getattr(p, name) is None else getattr(p, name)
                    for p in parts
                ]  # fmt: skip
            )
    return Stats(first.n_rows, **joined)


def _tree(parts, combine):
    """Reduce delayed ``parts`` pairwise with ``combine`` (a tree of depth log2(n))."""
    import dask

    task = dask.delayed(combine, pure=True)
    while len(parts) > 1:
        pairs = [task(a, b) for a, b in zip(parts[::2], parts[1::2])]
        parts = pairs + parts[len(pairs) * 2 :]
    return parts[0]


def _blocks(X):
    """Delayed blocks as a list of row bands, each a list of column chunks."""
    if _is_frame(X):
        return [[part] for part in X.to_delayed()]
    return [list(band) for band in X.to_delayed()]


def _weight_blocks(sample_weight, X, n_bands):
    """One piece of ``sample_weight`` per row band (delayed, or numpy slices)."""
    if sample_weight is None:
        return [None] * n_bands
    if _is_frame(X):
        if not (hasattr(sample_weight, "to_delayed") and sample_weight.npartitions == n_bands):
            raise TypeError(
                "With a dask DataFrame, pass sample_weight as a dask Series with the same "
                f"partitions ({n_bands}), e.g. a column of the same frame."
            )
        return list(sample_weight.to_delayed())
    if hasattr(sample_weight, "to_delayed"):  # a dask array: align its chunks with X's rows
        return list(sample_weight.rechunk((X.chunks[0],)).to_delayed())
    weights = np.asarray(sample_weight)
    if weights.shape != (X.shape[0],):
        raise ValueError(f"sample_weight.shape == {weights.shape}, expected ({X.shape[0]},).")
    bounds = np.cumsum((0, *X.chunks[0]))
    return [weights[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def fit(estimator, X, sample_weight, reset):
    """``fit`` (``reset``) or ``partial_fit`` of a column-wise scaler on a dask collection."""
    import dask

    if reset:
        forget(estimator)
    if estimator._check_params is not None:
        estimator._check_params()
    first = not hasattr(estimator, "_stats")
    check(estimator, X, reset=first)
    bands = _blocks(X)
    block_stats = dask.delayed(_block_stats, pure=True)
    need = estimator._need
    parts = [
        [block_stats(block, weights, need) for block in band]
        for band, weights in zip(bands, _weight_blocks(sample_weight, X, len(bands)))
    ]
    columns = [_tree(list(chunk), merge) for chunk in zip(*parts)]
    stats, n_rows = dask.compute(
        dask.delayed(_join_columns, pure=True)(columns), _lazy_rows(X, bands)
    )
    refuse_no_rows(estimator, X, n_rows)
    return estimator._fit(X, reset=reset, stats=stats)


def _block_sketch(block, k):
    from ._sketch import QuantileSketch

    return QuantileSketch.of(_numpy_block(block), k)


def fit_sketch(estimator, X, reset):
    """``fit``/``partial_fit`` of a quantile-based scaler: one KLL sketch per block and
    feature, merged in a tree per column chunk (only the sketches leave the workers)."""
    import dask

    from ._sketch import join_columns
    from ._sketch import merge as merge_sketches

    if reset:
        forget(estimator)
    if estimator._check_params is not None:
        estimator._check_params()
    first = not hasattr(estimator, "n_features_in_")
    check(estimator, X, reset=first)
    block_sketch = dask.delayed(_block_sketch, pure=True)
    bands = _blocks(X)
    parts = [[block_sketch(block, estimator.sketch_size) for block in band] for band in bands]
    columns = [_tree(list(chunk), merge_sketches) for chunk in zip(*parts)]
    sketch, n_rows = dask.compute(
        dask.delayed(join_columns, pure=True)(columns), _lazy_rows(X, bands)
    )
    refuse_no_rows(estimator, X, n_rows)
    return estimator._absorb_sketch(sketch, first)


def _array_block(block, estimator, method):
    out = getattr(estimator, method)(block, copy=True)  # never write into dask's blocks
    return out if isinstance(out, np.ndarray) else np.asarray(out)


def _frame_block(frame, estimator, method, columns):
    import pandas as pd

    out = getattr(estimator, method)(frame, copy=True)
    values = out.to_numpy() if hasattr(out, "to_numpy") else np.asarray(out)
    return pd.DataFrame(values, index=frame.index, columns=columns)


def output_columns(estimator, inverse):
    """Names of the output columns of ``transform`` (or ``inverse_transform``)."""
    if inverse:
        names = getattr(estimator, "feature_names_in_", None)
        if names is None:
            names = [f"x{i}" for i in range(estimator.n_features_in_)]
        return list(names)
    return list(estimator.get_feature_names_out())


def apply(estimator, X, copy_, inverse):
    """Lazy ``transform``/``inverse_transform``: a dask collection like ``X``.

    The estimator's numpy method runs on each block of whole rows (a column-chunked
    array is joined along columns first and split back afterwards). Errors about the
    values (infinities, invalid logarithms) surface when the result is computed.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    container = get_output_config("transform", estimator)["dense"]
    if not inverse and container != "default":
        raise ValueError(
            f"{type(estimator).__name__} is set to return {container} output (set_output or "
            "sklearn.set_config(transform_output=...)), which would compute the whole dask "
            "result in memory; use set_output(transform='default') for a lazy dask "
            "collection, and call .compute() on it where the data fits."
        )
    if inverse:  # kept statistics make the input wider: the blocks check it
        dtype = np.result_type(*X.dtypes) if _is_frame(X) else X.dtype
        dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    else:
        dtype = check(estimator, X, reset=False)
    frozen = copy.deepcopy(estimator)  # a later refit must not change this lazy result
    method = "inverse_transform" if inverse else "transform"
    columns = output_columns(frozen, inverse)
    if _is_frame(X):
        import pandas as pd

        meta = pd.DataFrame(np.empty((0, len(columns)), dtype=dtype), columns=columns)
        return X.map_partitions(_frame_block, frozen, method, columns, meta=meta)
    whole = X.rechunk({1: -1}) if X.numblocks[1] > 1 else X
    out = whole.map_blocks(
        _array_block,
        frozen,
        method,
        dtype=dtype,
        chunks=(whole.chunks[0], (len(columns),)),
        meta=np.empty((0, 0), dtype=dtype),
    )
    if X.numblocks[1] > 1 and len(columns) == X.shape[1]:
        out = out.rechunk(X.chunks)
    return out


def _row_sums(block, estimator):
    block = _numpy_block(block)
    has_inf = inf_columns(block)
    has_inf = np.zeros(block.shape[1], dtype=bool) if has_inf is None else has_inf
    return has_inf, estimator._batch_sums(block)


def _add(a, b):
    return a[0] | b[0], a[1] + b[1]


def fit_rows(estimator, X, reset, partial):
    """``fit``/``partial_fit`` of a sample-wise scaler on a dask collection.

    Records the features; a scaler that tracks running statistics gets its batch sums
    from one task per block of whole rows, added up in one ``compute``. Otherwise
    only a DataFrame's number of rows is computed (no rows is refused, as for numpy;
    infinities then surface in ``transform``).
    """
    import dask

    if reset:
        forget(estimator)
    dtype = check(estimator, X, reset=reset)
    n_features = estimator.n_features_in_
    estimator._layout = estimator._make_layout(n_features)
    if not tracks_rows(estimator, n_features, dtype):
        refuse_no_rows(estimator, X, *dask.compute(_lazy_rows(X, _blocks(X))))
        return estimator
    whole = X if _is_frame(X) or X.numblocks[1] == 1 else X.rechunk({1: -1})
    row_sums = dask.delayed(_row_sums, pure=True)
    bands = _blocks(whole)
    parts = [row_sums(band[0], estimator) for band in bands]
    (has_inf, sums), n_rows = dask.compute(_tree(parts, _add), _lazy_rows(X, bands))
    refuse_no_rows(estimator, X, n_rows)
    return learn_rows(estimator, X, reset, partial, has_inf, sums)


#: Sample-wise scalers transform as the column-wise ones do: block by block of whole rows.
apply_rows = apply
