"""Scaling of each sample to unit norm."""

import numpy as np
from scipy import sparse

from ._registry import register
from ._samplewise import Layout, SampleScaler
from ._sklearn_compat import StrOptions
from .functional._arrays import quiet
from .functional._norms import (
    divide_rows,
    divide_sparse_rows,
    row_norms,
    sparse_row_norms,
    unit_norm_block,
)


@register("unitnorm")
class UnitNormScaler(SampleScaler):
    """Scale each sample to unit norm, as :class:`sklearn.preprocessing.Normalizer`.

    .. math:: y_i = \\frac{x_i}{\\lVert x_i \\rVert}, \\qquad
              \\lVert x \\rVert_1 = \\sum_j |x_j|, \\quad
              \\lVert x \\rVert_2 = \\sqrt{\\sum_j x_j^2}, \\quad
              \\lVert x \\rVert_\\infty = \\max_j |x_j|

    over the non-NaN values of row :math:`i` (computed in float64, the l2 norm without
    overflow); NaN values stay NaN and an all-zero row stays zero. Sparse input stays
    sparse.

    ``keep_norm=True`` appends the column ``norm``, from which
    :meth:`inverse_transform` restores the data exactly up to rounding.

    Parameters
    ----------
    norm : {"l1", "l2", "max"}, default="l2"
        The norm each row is divided by.
    keep_norm : bool, default=False
        Append each row's norm as an extra column (last).
    copy : bool, default=True
        ``False`` transforms a writeable float array (or CSR matrix) in place, without
        ``keep_norm``.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.preprocessing.Normalizer : The scikit-learn equivalent (no NaN, no inverse).
    sklearn_norm.functional.unit_norm : The stateless function.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import UnitNormScaler
    >>> X = np.array([[3.0, 4.0], [0.0, 0.0]])
    >>> UnitNormScaler(keep_norm=True).fit_transform(X).tolist()
    [[0.6, 0.8, 5.0], [0.0, 0.0, 0.0]]
    """

    _parameter_constraints = {
        "norm": [StrOptions({"l1", "l2", "max"})],
        "keep_norm": ["boolean"],
        "copy": ["boolean"],
    }

    def __init__(self, norm="l2", *, keep_norm=False, copy=True):
        self.norm = norm
        self.keep_norm = keep_norm
        self.copy = copy

    def _sparse_reason(self):
        return None

    def _keep(self):
        return self.keep_norm

    def _invertible(self):
        return self.keep_norm

    def _make_layout(self, n_features):
        return Layout(n_groups=1, kept=["norm"])

    @quiet
    def _forward(self, x, out=None):
        norms = row_norms(x, self.norm)
        return divide_rows(x, norms, out, norm=self.norm), [norms]

    def _forward_block(self, x, out, kept):
        return unit_norm_block(x, self.norm, out, kept)

    @quiet
    def _backward(self, y, stats, out=None):
        if isinstance(y, np.ndarray):
            return np.multiply(y, stats.astype(np.float64), out=out, casting="same_kind")
        return y * stats

    def _transform_sparse(self, X, copy):
        X = sparse.csr_array(X) if isinstance(X, sparse.sparray) else sparse.csr_matrix(X)
        X = X.copy() if copy else X
        X.sum_duplicates()
        norms = sparse_row_norms(X, self.norm)
        divide_sparse_rows(X, norms, self.norm)
        if not self.keep_norm:
            return X
        column = norms.astype(X.dtype)[:, None]
        column = sparse.csr_array(column) if isinstance(X, sparse.sparray) else column
        return sparse.hstack([X, column], format="csr")

    def _inverse_sparse(self, X, copy):
        X = sparse.csr_array(X) if isinstance(X, sparse.sparray) else sparse.csr_matrix(X)
        n_features = self.n_features_in_
        norms = X[:, [n_features]].toarray().ravel()
        Y = X[:, :n_features].tocsr(copy=True)
        rows = np.repeat(np.arange(Y.shape[0]), np.diff(Y.indptr))
        np.multiply(Y.data, norms[rows], out=Y.data, casting="same_kind")
        return Y
