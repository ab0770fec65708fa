"""Input validation: the one entry point every estimator calls.

Wraps scikit-learn's ``validate_data`` and adds what it lacks: non-numeric DataFrame
columns and infinities are reported by column name, sparse input that a transform
cannot keep sparse gets a TypeError that says what to do.
"""

import numpy as np
from scipy import sparse
from sklearn.utils import check_array
from sklearn.utils.validation import FLOAT_DTYPES

from ._sklearn_compat import _check_sample_weight, validate_data


def column_label(estimator, index):
    """``"'income'"`` when the estimator knows feature names, else ``"column 3"``."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None and index < len(names):
        return f"column {names[index]!r}"
    return f"column {index}"


def column_labels(estimator, mask):
    """Comma-separated labels of the columns where ``mask`` holds."""
    return ", ".join(column_label(estimator, int(i)) for i in np.flatnonzero(mask))


#: What ``pandas.api.types.infer_dtype`` (missing values skipped) calls an object column
#: holding only numbers (or booleans, or nothing but missing values).
_NUMBERS = frozenset({"integer", "floating", "mixed-integer-float", "decimal", "boolean", "empty"})


def _numbers_only(column):
    from pandas.api.types import infer_dtype

    return infer_dtype(column, skipna=True) in _NUMBERS


def _object_numbers_as_float(X):
    """A pandas DataFrame with its object columns of numbers made float64 (a new frame).

    scikit-learn accepts such columns; their missing values (None, NaN, ``pd.NA``) become
    NaN. Other object columns are left for :func:`_non_numeric_columns` to name.
    """
    if type(X).__module__.split(".")[0] != "pandas" or not hasattr(X, "dtypes"):
        return X
    names = [
        name for name, dtype in X.dtypes.items() if dtype.kind == "O" and _numbers_only(X[name])
    ]
    if not names:
        return X
    X = X.copy(deep=False)
    for name in names:
        column = X[name]
        X[name] = column.where(column.notna(), np.nan).astype(np.float64)
    return X


def _non_numeric_columns(X):
    module = type(X).__module__.split(".")[0]
    if module == "pandas" and hasattr(X, "dtypes"):
        from pandas.api.types import is_bool_dtype, is_numeric_dtype

        return [
            (str(name), str(dtype))
            for name, dtype in X.dtypes.items()
            if not (is_numeric_dtype(dtype) or is_bool_dtype(dtype))
        ]
    if module == "polars" and hasattr(X, "schema"):
        import polars as pl

        return [
            (name, str(dtype))
            for name, dtype in X.schema.items()
            if not (dtype.is_numeric() or dtype == pl.Boolean)
        ]
    return []


#: ``check_X``'s default ``sparse_reason``: ask the estimator (``_sparse_reason()``).
ASK = "ask"


def check_X(estimator, X, *, reset, sparse_reason=ASK, copy=False, names=True):
    """Validate ``X`` for ``estimator`` and return it as a float array (or sparse matrix).

    Parameters
    ----------
    estimator : estimator
        Records ``n_features_in_``/``feature_names_in_`` when ``reset``, checks them
        otherwise.
    X : array-like, DataFrame or sparse matrix
    reset : bool
        First call of ``fit``/``partial_fit``.
    sparse_reason : str or None, default=ASK
        ``None`` accepts sparse input; otherwise why it is refused; by default the
        estimator's ``_sparse_reason()`` (asked only where ``X`` is not a float array).
    copy : bool
        Force a copy.
    names : bool
        Check the column names against ``feature_names_in_``; ``False`` (for
        ``inverse_transform``, as scikit-learn does) checks the number of columns only.
    """
    # what validate_data would return, found cheaply for plain float arrays and frames:
    # a non-empty 2-D native-byte-order float32/float64 ``numpy.ndarray`` (not a memmap)
    # for an estimator without feature names (``validate_data`` costs about a
    # millisecond per call, which dominates ``fit`` and ``transform`` on small inputs)
    plain = None
    if type(X) is np.ndarray and X.ndim == 2 and X.dtype in _NATIVE_FLOATS and X.size:
        known = getattr(estimator, "n_features_in_", None)
        if not hasattr(estimator, "feature_names_in_") and (reset or known == X.shape[1]):
            plain = X
    if plain is None:
        plain = _plain_float_frame(estimator, X, reset)
    if plain is not None:
        if reset:  # as validate_data records them
            estimator.n_features_in_ = plain.shape[1]
            if plain is not X:
                estimator.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return plain.copy(order="K") if copy else plain  # keeps F order, as validate_data
    if sparse_reason is ASK:
        sparse_reason = estimator._sparse_reason()
    X = _object_numbers_as_float(X)
    bad = _non_numeric_columns(X)
    if bad:
        listed = ", ".join(f"{name!r} ({dtype})" for name, dtype in bad)
        raise TypeError(
            f"{type(estimator).__name__} needs numeric columns, got non-numeric column(s) "
            f"{listed}; encode them or leave them out with a ColumnTransformer."
        )
    if sparse.issparse(X) and sparse_reason is not None:
        raise TypeError(
            f"{type(estimator).__name__} does not accept sparse input with these parameters: "
            f"{sparse_reason}. Convert with X.toarray() if the data fits in memory."
        )
    options = {
        "accept_sparse": ("csr", "csc") if sparse_reason is None else False,
        "dtype": _polars_float32(X) or FLOAT_DTYPES,
        "ensure_all_finite": False,
        "copy": copy,
    }
    try:
        if not names and not reset:
            X = check_array(X, estimator=estimator, **options)
            if X.shape[1] != estimator.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {type(estimator).__name__} is "
                    f"expecting {estimator.n_features_in_} features as input."
                )
            return canonical(X)
        return canonical(validate_data(estimator, X, reset=reset, **options))
    except (TypeError, ValueError) as err:
        _name_unconvertible_column(estimator, X, err)
        raise


def canonical(X):
    """A sparse ``X`` with duplicate entries summed (as scipy does) and sorted indices.

    A non-canonical matrix is copied first: the caller's matrix is never changed.
    Anything else is returned as it is.
    """
    if sparse.issparse(X) and not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X


_NATIVE_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _polars_float32(X):
    """``np.float32`` for a polars frame of Float32 columns only, else None.

    scikit-learn's ``check_array`` keeps a float32 pandas frame float32 but makes a
    polars one float64; a floating input keeps its dtype here, whatever the frame.
    """
    if type(X).__module__.split(".")[0] != "polars" or not hasattr(X, "schema"):
        return None
    import polars as pl

    dtypes = list(X.schema.values())
    return np.float32 if dtypes and all(dt == pl.Float32 for dt in dtypes) else None


def _plain_float_frame(estimator, X, reset):
    """The array ``validate_data`` would return for a pandas or polars DataFrame, or None.

    Found cheaply (tens of µs instead of about a millisecond) where nothing needs
    checking beyond what is read here: a non-empty pandas DataFrame of numpy
    float32/float64 columns, or a polars one of Float32/Float64 columns, named by
    strings, and after ``fit`` (not ``reset``) named as the estimator was fitted, in the
    same order. Its ``to_numpy()`` is what ``check_array`` makes of it (pandas: the same
    view of the frame's block, read-only under copy-on-write; polars: the same
    Fortran-ordered copy; float64 for mixed widths, float32 kept).
    """
    module = type(X).__module__.split(".")[0]
    if type(X).__name__ != "DataFrame" or module not in ("pandas", "polars") or 0 in X.shape:
        return None
    if module == "pandas":
        floats = all(dtype in _NATIVE_FLOATS for dtype in X.dtypes)
    else:
        import polars as pl

        floats = all(dtype in (pl.Float32, pl.Float64) for dtype in X.dtypes)
    columns = list(X.columns)
    if not floats or not all(type(name) is str for name in columns):
        return None
    if not reset and columns != list(getattr(estimator, "feature_names_in_", [None])):
        return None
    array = X.to_numpy()
    return array if array.dtype in _NATIVE_FLOATS and array.ndim == 2 else None


def _name_unconvertible_column(estimator, X, err):
    """Re-raise a failed float conversion of a numpy object/str array naming the column."""
    if isinstance(X, list | tuple):
        try:
            X = np.asarray(X)
        except (TypeError, ValueError):
            return
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.dtype.kind not in "OUS":
        return
    for index in range(X.shape[1]):
        try:
            X[:, index].astype(np.float64)
        except (TypeError, ValueError) as column_err:
            raise type(column_err)(
                f"{type(estimator).__name__} needs numeric values, got a non-numeric value in "
                f"{column_label(estimator, index)}: {column_err}. Encode the column or leave it "
                "out with a ColumnTransformer."
            ) from err


def check_weights(sample_weight, X):
    """Frequency weights as float64, non-negative, one per row."""
    if sample_weight is None:
        return None
    return _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)


def reject_inf(estimator, has_inf):
    """Raise the ValueError for infinite values, naming their columns."""
    if np.any(has_inf):
        raise ValueError(
            f"{type(estimator).__name__} got infinite values in {column_labels(estimator, has_inf)}; "
            "replace them (NaN is allowed: it is ignored by fit and kept by transform)."
        )


def reject_overflow(estimator, stats):
    """Raise a ValueError naming the columns that held an infinity, or whose float64
    moments overflow.

    Finite values above about 1e154 in magnitude square to infinity: their variance
    cannot be held in float64 (``Stats.of`` computes them without warnings).
    """
    if stats.has_inf.any():
        reject_inf(estimator, stats.has_inf)
    if stats.mean is None:
        return
    bad = (stats.count > 0) & ~stats.has_inf & ~(np.isfinite(stats.mean) & np.isfinite(stats.m2))
    if np.any(bad):
        raise ValueError(
            f"{type(estimator).__name__} got values too large for float64 statistics in "
            f"{column_labels(estimator, bad)}: their sum of squares overflows; rescale "
            "those columns first, e.g. with DecimalScaler."
        )


def inf_columns(X, nonfinite=False):
    """Boolean mask of the columns of a dense block holding an infinity (None when none).

    Fast when there is none: one sum tells a finite block (skipped when the caller
    knows the block is ``nonfinite``), one flat test a block with NaN only.
    """
    if not nonfinite:
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.add.reduce(X, axis=None)  # one long loop; inf or NaN: not finite
        if np.isfinite(total):
            return None
    inf = np.isinf(X)
    if not inf.any():  # NaN only: one flat test, not a reduction over rows
        return None
    return inf.any(axis=0)


def sparse_columns(X):
    """The column of every stored value of a CSR, CSC or COO matrix, in ``X.data``'s order."""
    if X.format == "csr":
        return X.indices
    if X.format == "csc":
        return np.repeat(np.arange(X.shape[1]), np.diff(X.indptr))
    return X.col


def sparse_inf_columns(X):
    """Boolean mask of the columns of a sparse matrix holding an infinity (None when none)."""
    X = X if X.format in ("csr", "csc", "coo") else X.tocsr()
    bad = np.isinf(X.data)
    if not bad.any():
        return None
    return np.bincount(sparse_columns(X)[bad], minlength=X.shape[1]) > 0


# -- parameters of channels-first row layouts: a row of ``C * L`` features is ``C``
# channels of ``L`` values (an image ``(C, H, W)`` flattened row-wise has ``L = H * W``)
def split_channels(estimator, n_features, n_channels):
    """``(C, L)`` for rows of ``n_features`` values; ``n_channels=None`` means ``C = n_features``.

    Raises
    ------
    ValueError
        If ``n_channels`` does not divide ``n_features``.
    """
    if n_channels is None:
        return n_features, 1
    if n_features % n_channels:
        raise ValueError(
            f"{type(estimator).__name__}: n_channels={n_channels} does not divide the "
            f"{n_features} features of X; each row must hold n_channels blocks of equal "
            "length (channels first, e.g. a flattened (C, H, W) image)."
        )
    return n_channels, n_features // n_channels


def check_affine(estimator, name, values, size, what="channels"):
    """``weight``/``bias`` as a float64 array of length ``size``, or None.

    Raises
    ------
    ValueError
        If the length is not ``size`` or a value is not finite.
    """
    if values is None:
        return None
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if np.ndim(values) == 0:
        arr = np.full(size, float(values))
    if arr.shape[0] != size:
        raise ValueError(
            f"{type(estimator).__name__}: {name} has {arr.shape[0]} values but there are "
            f"{size} {what}; give one value per {what[:-1]}."
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{type(estimator).__name__}: {name} holds non-finite values.")
    return arr
