"""Hypothesis strategies for the differential tests: the data that breaks normalisers.

A matrix is built column by column; each column is one *kind* of hard data at a drawn
magnitude (decades from the dtype's subnormals to near its largest value):

* ``spread``: a centre and a spread, each at its own decade (a large mean with a small
  spread, near-constant at every magnitude);
* ``ulps``: a constant plus a few units in its last place (rounding noise, ``0.1 + 0.2``);
* ``constant``, ``zeros``;
* ``extreme``: values of both signs at the top of the dtype's range (``-1e308 .. 1e308``);
* ``subnormal``: a few multiples of the dtype's smallest subnormal, and zeros;

then a NaN pattern (none, scattered, a whole column). :func:`sparse_of` stores a matrix
as CSR: canonical, with explicit zeros, or non-canonical (each value split into
duplicate entries that sum to it).
"""

import numpy as np
from hypothesis import strategies as st
from scipy import sparse

DTYPES = (np.float16, np.float32, np.float64)
KINDS = ("spread", "ulps", "constant", "zeros", "extreme", "subnormal")


def decades(dtype):
    """The decades a value of ``dtype`` can sit at: from its subnormals to near its max."""
    info = np.finfo(dtype)
    return int(np.floor(np.log10(info.smallest_subnormal))) + 1, int(np.log10(info.max)) - 1


@st.composite
def column(draw, dtype, n_rows, kinds=KINDS):
    """One column of ``n_rows`` values of a drawn kind (see the module docstring)."""
    kind = draw(st.sampled_from(kinds))
    low, high = decades(dtype)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    sign = draw(st.sampled_from([1.0, -1.0]))
    info = np.finfo(dtype)
    with np.errstate(over="ignore", under="ignore"):
        if kind == "spread":
            centre_exp = draw(st.integers(low, high))
            spread_exp = draw(st.integers(low, centre_exp))
            centre = sign * 10.0**centre_exp * draw(st.sampled_from([0.0, 1.0, 3.7]))
            values = centre + 10.0**spread_exp * rng.uniform(-1, 1, n_rows)
        elif kind == "ulps":
            centre = np.asarray(sign * 10.0 ** draw(st.integers(low, high)), dtype=dtype)
            steps = rng.integers(-3, 4, n_rows)
            values = centre + steps * np.spacing(centre)  # in dtype: exact ulps
        elif kind == "constant":
            values = np.full(n_rows, sign * 10.0 ** draw(st.integers(low, high)))
        elif kind == "zeros":
            values = np.zeros(n_rows)
        elif kind == "extreme":
            values = float(info.max) * rng.uniform(-1, 1, n_rows) * 0.99
        else:  # subnormal
            values = rng.integers(-3, 4, n_rows) * float(info.smallest_subnormal)
    values = np.asarray(values, dtype=np.float64)
    values = np.clip(values, -float(info.max), float(info.max)).astype(dtype)
    nan = draw(st.sampled_from(["none", "none", "some", "all"]))
    if nan == "some":
        values[rng.random(n_rows) < 0.3] = np.nan
    elif nan == "all":
        values[:] = np.nan
    return values


@st.composite
def hard_matrix(draw, dtypes=DTYPES, min_rows=1, max_rows=9, max_cols=4, kinds=KINDS, nan=True):
    """A 2-D array of hard columns in one drawn dtype (see the module docstring)."""
    dtype = draw(st.sampled_from(dtypes))
    n_rows = draw(st.integers(min_rows, max_rows))
    n_cols = draw(st.integers(1, max_cols))
    X = np.stack([draw(column(dtype, n_rows, kinds)) for _ in range(n_cols)], axis=1)
    if not nan:
        X[np.isnan(X)] = 0.0
    return X


@st.composite
def chunking(draw, n_rows, min_size=1):
    """Row boundaries cutting ``n_rows`` into consecutive chunks of at least ``min_size``."""
    cuts = draw(st.lists(st.integers(min_size, max(n_rows - min_size, min_size)), max_size=4))
    cuts = sorted({c for c in cuts if min_size <= c <= n_rows - min_size})
    edges = [0]
    for c in cuts:
        if c - edges[-1] >= min_size:
            edges.append(c)
    return [*zip(edges, edges[1:] + [n_rows])]


LAYOUTS = ("canonical", "explicit-zeros", "duplicates", "empty")


@st.composite
def sparse_of(draw, X):
    """``X`` (no NaN) as CSR in a drawn layout (see :func:`to_sparse`), and ``X`` as stored."""
    layout = draw(st.sampled_from(LAYOUTS))
    return to_sparse(X, layout), (np.zeros_like(X) if layout == "empty" else X)


def to_sparse(X, layout):
    """``X`` as CSR: canonical, with explicit zeros, non-canonical, or empty (no entries)."""
    if layout == "empty":
        return sparse.csr_matrix(X.shape, dtype=X.dtype)
    rows, cols = np.nonzero(X)
    values = X[rows, cols]
    if layout == "explicit-zeros":
        zr, zc = np.nonzero(X == 0)
        rows, cols = np.r_[rows, zr], np.r_[cols, zc]
        values = np.r_[values, np.zeros(len(zr), X.dtype)]
    elif layout == "duplicates":  # v = v/2 + v/2 exactly (or v + 0 where v/2 underflows)
        half = (values / 2).astype(X.dtype)
        rest = (values - half).astype(X.dtype)
        rows, cols, values = np.r_[rows, rows], np.r_[cols, cols], np.r_[half, rest]
    M = sparse.csr_matrix((values, (rows, cols)), shape=X.shape, dtype=X.dtype)
    if layout == "duplicates":  # csr_matrix((v, (i, j))) sums duplicates: store them again
        order = np.lexsort((cols, rows))
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=X.shape[0]))]
        M = sparse.csr_matrix((values[order], cols[order], indptr), shape=X.shape)
        assert not len(values) or not M.has_canonical_format
    return M
