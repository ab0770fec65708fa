"""The engine: runs a column-wise scaler's *description* of its map on any input.

A column-wise scaler says what its map is, never how to run it fast: ``_describe()``
returns an :class:`Affine` map (centre, factor, offset per feature) or an
:class:`Elementwise` function (its kernel builder, per-feature parameters, which values
it refuses, and whether it keeps infinities infinite). This module turns a description
into the work:

* on numpy, row blocks on the thread pool (:mod:`._chunks`), narrow rows *folded* into
  long ones with the per-feature parameters tiled, the output written in place, and the
  finite-value checks fused into the block loop (each block is tested while in cache,
  on its output where the map keeps non-finite values non-finite);
* sparse input (the parameters gathered per stored value);
* the package's one cache: kernels built from equal descriptions are reused
  (:func:`kernels`): building one costs 10-40 µs, most of a transform of a few rows.
"""

import threading
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_is_fitted

from ._chunks import apply_rows, col_min, finite_sum, fold, map_blocks, output_for
from ._validation import check_X, inf_columns, reject_inf, sparse_columns, sparse_inf_columns
from .functional._affine import HALVE_ABOVE, affine_kernel, halved_affine_kernel


class Affine(NamedTuple):
    """``y = (x - centre) * factor + offset`` per feature (``divide``: ``/ factor``).

    ``clip=(low, high)`` clips the forward result. Terms are float64 arrays of shape
    ``(n_features,)``, floats, or None (skipped). The inverse is the map back.
    """

    centre: Any = None
    factor: Any = None
    offset: Any = None
    divide: bool = False
    clip: Any = None


def affine(centre=None, factor=None, offset=None, divide=False):
    """:class:`Affine`, or the halved map where a centre beyond ``HALVE_ABOVE`` could make
    ``x - centre`` overflow the data's dtype (see ``halved_affine_kernel``)."""
    if centre is not None and HALVE_ABOVE < np.maximum.reduce(np.abs(centre), axis=None):
        return Elementwise(
            halved_affine_kernel,
            {"centre": centre, "factor": factor, "offset": offset},
            {"divide": divide},
        )
    return Affine(centre=centre, factor=factor, offset=offset, divide=divide)


class Elementwise(NamedTuple):
    """``build(**per_feature, **options, inverse=, dtype=)`` gives the kernel of the map.

    ``per_feature`` arrays (shape ``(n_features,)``) follow the columns (tiled for folded
    rows, gathered for sparse values); ``options`` are passed as they are.
    ``keeps_nonfinite=(forward, inverse)``: whether the map sends every NaN or infinity
    to a NaN or infinity. ``floor``: per-feature values at or below which ``transform``
    refuses (the domain; ``None``: every value), the scaler's
    ``_check_transform_values`` then raising the error. ``sparse``: ``None`` (the
    kernel maps the stored values, its parameters gathered per value) or
    ``sparse(X, inverse)``, which maps a checked CSR or CSC matrix (a copy where asked)
    in place and returns it: scikit-learn's own steps where they differ in the last bit
    (``MaxAbsScaler``'s reciprocal) or a map of whole columns (``QuantileScaler``).
    ``vectorised``: numpy's ufuncs run the map as fast as any namespace (a product or a
    quotient, no transcendental function), so a CPU tensor is mapped by this engine on
    its memory (``_xp.host_view``), as an :class:`Affine` map is.
    """

    build: Any
    per_feature: dict
    options: dict = {}
    keeps_nonfinite: tuple = (True, True)
    floor: Any = None
    sparse: Any = None
    vectorised: bool = False


def _same(value):
    return value


def kernel(description, inverse=False, take=_same, dtype=None):
    """The kernel ``kernel(x, out=None)`` of ``description`` (or of its inverse).

    ``take`` is applied to a copy of every per-feature array (never to floats): a kernel
    never sees a later change of the scaler's arrays. ``dtype`` is the numpy dtype the
    kernel will mostly see (its terms are prepared for it once).
    """

    def per_feature(value):
        return value if value is None or np.ndim(value) == 0 else take(np.array(value))

    if isinstance(description, Affine):
        centre, factor, offset, divide, clip = description
        terms = (per_feature(centre), per_feature(factor), per_feature(offset))
        return affine_kernel(*terms, divide, clip, inverse, dtype)
    params = {name: per_feature(v) for name, v in description.per_feature.items()}
    return description.build(**params, **description.options, inverse=inverse, dtype=dtype)


# -- the one cache ---------------------------------------------------------------------
#: Kernels kept, by description: ``key -> (kernel, folded kernel)``; oldest dropped first.
_KEPT = {}
_KEPT_LOCK = threading.Lock()
#: Most kernels kept.
KEEP = 64
#: Descriptions with a per-feature array beyond this size (4,096 float64 features) are
#: not kept: building is cheap next to the work, and no copy of the array is kept.
KEY_BYTES = 1 << 15


def kernels(description, inverse, k, dtype):
    """``(kernel, folded kernel or None)`` for rows folded by ``k`` (``None``: no folding).

    Equal descriptions (arrays compared by dtype, shape and bytes) share their kernels:
    a refit, a ``set_params`` or a learned array changed in place describe another map.
    """
    key = description_key(description, inverse, k, dtype)
    found = None if key is None else _KEPT.get(key)
    if found is not None:
        return found
    wide = None
    if k is not None:
        wide = kernel(description, inverse, lambda p: np.tile(p, k), dtype)
    found = (kernel(description, inverse, dtype=dtype), wide)
    if key is not None:
        with _KEPT_LOCK:
            _KEPT[key] = found
            while len(_KEPT) > KEEP:
                del _KEPT[next(iter(_KEPT))]
    return found


def description_key(description, *extra):
    """A hashable key of what ``description``'s kernel depends on (an elementwise map's
    ``floor`` and ``keeps_nonfinite`` do not), with ``extra``; None where an array is too
    large or a value cannot be compared by value."""
    key = [type(description), *extra]
    parts = description
    if type(description) is Elementwise:
        per_feature, options = description.per_feature, description.options
        parts = (description.build, *per_feature, *per_feature.values(), *options.items())
    for part in parts:
        if type(part) is not np.ndarray and not isinstance(part, list):
            key.append(part)
            continue
        part = np.asarray(part)
        if part.nbytes > KEY_BYTES or part.dtype.hasobject:
            return None
        key += [part.dtype.str, part.shape, part.tobytes()]
    key = tuple(key)
    try:
        hash(key)
    except TypeError:
        return None
    return key


# -- where an input goes -----------------------------------------------------------------
def tracks_rows(estimator, n_features, dtype):
    """Whether a sample-wise scaler learns running statistics (its ``_batch_sums``)."""
    return estimator._batch_sums(np.zeros((0, n_features), dtype=dtype)) is not None


def learn_rows(estimator, X, reset, partial, has_inf, sums):
    """Finish a sample-wise ``fit`` from an adapter's infinity mask and batch ``sums``."""
    reject_inf(estimator, has_inf)
    if sums is not None:
        estimator._absorb(sums, reset, partial)
    return estimator


# -- running a description -----------------------------------------------------------------
def _foldable(description):
    """Whether folded rows suit the map: not for per-feature tables (e.g. quantiles,
    shape ``(n_quantiles, n_features)``), whose kernel loops over columns."""
    if isinstance(description, Affine):
        return True
    return all(np.ndim(value) <= 1 for value in description.per_feature.values())


def run(estimator, X, copy, inverse):
    """``transform`` (or ``inverse_transform``) of a column-wise scaler on numpy or sparse
    input (dask and Array API inputs go to their adapters first)."""
    if not hasattr(estimator, "n_features_in_"):  # set by every fit
        check_is_fitted(estimator)
    copy = estimator.copy if copy is None else copy
    X = check_X(estimator, X, reset=False, names=not inverse)
    description = estimator._describe()
    if sparse.issparse(X):
        return _run_sparse(estimator, description, X, copy, inverse)
    out = output_for(X, copy)
    k = fold(X.shape[1]) if X.ndim == 2 and _foldable(description) else 1
    forward, wide = kernels(description, inverse, k if 1 < k <= X.shape[0] else None, X.dtype)
    below, on_output = output_checks(description, inverse)
    limit = None if below is None else float(np.max(below))

    def check(x, y):
        """``None`` when the block is fine, else which columns are bad (exactly)."""
        with np.errstate(over="ignore", invalid="ignore"):
            if y is not None:
                ok = finite_sum(y)
            else:
                ok = finite_sum(x)
                ok = ok and (limit is None or np.minimum.reduce(x, axis=None) > limit)
        if ok:
            return None  # else a NaN (allowed), an infinity or a value too low
        has_inf = inf_columns(x, nonfinite=True)
        has_inf = np.zeros(x.shape[1], dtype=bool) if has_inf is None else has_inf
        low = np.zeros_like(has_inf) if below is None else col_min(x) <= below
        return (has_inf, low) if has_inf.any() or low.any() else None

    if out is X:  # in place: refuse bad input before writing anything
        rows = X.shape[1] * X.itemsize if X.ndim == 2 else X.itemsize
        _raise_for(estimator, X, map_blocks(lambda a, b: check(X[a:b], None), X.shape[0], rows))
        return apply_rows(forward, X, out, wide)
    flags = apply_rows(forward, X, out, wide, check, on_output)
    if flags.count(None) != len(flags):
        _raise_for(estimator, X, flags)
    return out


def output_checks(description, inverse):
    """``(floor, on_output)``: the values the map refuses (None: none), and whether a
    finite output proves that the input held no infinity and no refused value (the
    output is then tested, just written and in cache, instead of the input)."""
    below = None
    keeps_nonfinite = True
    if isinstance(description, Elementwise):
        below = None if inverse else description.floor
        keeps_nonfinite = description.keeps_nonfinite[inverse]
    elif description.clip is not None:
        keeps_nonfinite = inverse
    return below, below is not None or keeps_nonfinite


def _raise_for(estimator, X, flags):
    """Raise for the bad blocks ``check`` found: invalid values first, then infinities."""
    flags = list(filter(None, flags))
    if not flags:
        return
    if any(low.any() for _, low in flags):
        estimator._check_transform_values(X)
    reject_inf(estimator, np.logical_or.reduce([has_inf for has_inf, _ in flags]))


def _run_sparse(estimator, description, X, copy, inverse):
    """CSR and CSC stay in their format (as in scikit-learn); others become CSR."""
    if X.format not in ("csr", "csc"):
        X = X.tocsr()  # a new matrix
    elif copy:
        X = X.copy()
    reject_inf(estimator, sparse_inf_columns(X))
    if not inverse:
        estimator._check_transform_values(X)
    if isinstance(description, Elementwise) and description.sparse is not None:
        return description.sparse(X, inverse)
    columns = sparse_columns(X)
    kernel(description, inverse, lambda p: p[columns], X.dtype)(X.data, out=X.data)
    return X
