"""What a column-wise scaler's map is: its *description*, and the kernels built from one.

A column-wise scaler says what its map is, never how to run it fast: ``_describe()``
returns an :class:`Affine` map (centre, factor, offset per feature) or an
:class:`Elementwise` function (its kernel builder, per-feature parameters, which values
it refuses, and whether it keeps infinities infinite). :func:`kernel` builds the kernel
of a description; the chunk engine (:func:`sklearn_norm._chunks.run`) runs it on row
blocks, threads, folded rows, with the finite checks fused in and the kernels kept;
:func:`run_sparse` maps sparse input; the Array API adapter calls the kernel on the
whole array.
"""

from typing import Any, NamedTuple

import numpy as np

from ._validation import reject_inf, sparse_columns, sparse_inf_columns
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
    ``x - centre`` overflow the data's dtype (see ``halved_affine_kernel``); the NaN
    centre of an all-NaN feature is passed over."""
    if centre is not None and HALVE_ABOVE < np.fmax.reduce(np.abs(centre), axis=None):
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
    ``vectorised``: this engine runs the map at least as fast as the namespace's own
    operations would (a product or a quotient, no transcendental function; numpy's
    per-column interpolation on threads against torch's ``searchsorted``), so a CPU
    tensor is mapped by it on the tensor's memory (``_xp.host_view``), as an
    :class:`Affine` map is.
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


# -- where an input goes -----------------------------------------------------------------
def tracks_rows(estimator, n_features, dtype):
    """Whether a sample-wise scaler learns running statistics (its ``_batch_sums``)."""
    sums = estimator._batch_sums
    return sums is not None and sums(np.zeros((0, n_features), dtype=dtype)) is not None


def learn_rows(estimator, X, reset, partial, has_inf, sums):
    """Finish a sample-wise ``fit`` from an adapter's infinity mask and batch ``sums``."""
    reject_inf(estimator, has_inf)
    if sums is not None:
        estimator._absorb(sums, reset, partial)
    return estimator


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


def raise_for_blocks(estimator, X, flags):
    """Raise for the bad blocks the chunk engine found (``(has_inf, low)`` or None per
    block): values the map refuses first, then infinities, naming the columns."""
    flags = [flag for flag in flags if flag is not None]
    if not flags:
        return
    if any(low.any() for _, low in flags):
        estimator._check_transform_values(X)
    reject_inf(estimator, np.logical_or.reduce([has_inf for has_inf, _ in flags]))


def run_sparse(estimator, description, X, copy, inverse):
    """The map of a scikit-learn sparse matrix: CSR and CSC stay in their format (as in
    scikit-learn), others become CSR; the parameters are gathered per stored value."""
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
