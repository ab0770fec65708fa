"""Quantile scaling: map each feature to a uniform or normal distribution."""

import functools
from numbers import Integral

import numpy as np
from scipy import sparse

from ._engine import Elementwise
from ._quantile_base import SKETCH_SIZE_CONSTRAINT, QuantileColumnScaler
from ._registry import register
from ._sketch import DEFAULT_SKETCH_SIZE
from ._sklearn_compat import Interval, StrOptions
from .functional._quantile import quantile_kernel


@register("quantile")
class QuantileScaler(QuantileColumnScaler):
    """Map each feature through its empirical distribution to a uniform or normal one.

    With :math:`q_0 \\le \\dots \\le q_{m-1}` the feature's quantiles at the references
    :math:`r_i = i / (m - 1)`, a value goes to the piecewise-linear interpolation of
    :math:`r` at :math:`x` (the mean of the ascending and descending interpolations, so
    that repeated quantiles map to the middle of their references):

    .. math:: u = F_m(x), \\qquad y = u \\;\\text{(uniform)} \\quad\\text{or}\\quad
              y = \\Phi^{-1}(u) \\;\\text{(normal, clipped to } \\Phi^{-1}(10^{-7})\\text{)}

    ``transform`` is scikit-learn's :class:`sklearn.preprocessing.QuantileTransformer`
    (``subsample=None``), but ``fit`` never subsamples: the quantiles are the exact
    ``numpy.nanpercentile`` of all the data. ``partial_fit`` and dask input learn them
    from one mergeable KLL sketch per feature instead (rank error at most
    ``rank_error_``). NaN values are ignored by ``fit`` and stay NaN. Sparse input must
    be non-negative: its zeros count in the quantiles, its stored values are mapped.

    Parameters
    ----------
    n_quantiles : int, default=1000
        Number of quantiles :math:`m` (at most the number of rows seen).
    output_distribution : {"uniform", "normal"}, default="uniform"
        Distribution of the transformed data.
    sketch_size : int, default=1000
        ``k`` of each feature's KLL sketch (``partial_fit`` and dask): its rank error
        bound is about ``2.3 / k**0.97`` (0.0028 at 1000).
    copy : bool, default=True
        ``False`` transforms a writeable float array in place.

    Attributes
    ----------
    quantiles_ : ndarray of shape (`n_quantiles_`, n_features)
        The quantiles of each feature at ``references_``.
    references_ : ndarray of shape (`n_quantiles_`,)
        ``linspace(0, 1, n_quantiles_)``.
    n_quantiles_ : int
        ``min(n_quantiles, n_samples_seen_)``.
    n_samples_seen_ : int
        Number of rows seen.
    rank_error_ : float
        Bound on the normalised rank error of ``quantiles_``: 0 after ``fit``, the
        sketch's bound after ``partial_fit`` or a dask fit.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.preprocessing.QuantileTransformer : The scikit-learn equivalent.
    RobustScaler : Centre and scale by the median and a quantile range.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import QuantileScaler
    >>> X = np.array([[1.0], [2.0], [3.0], [100.0], [np.nan]])
    >>> QuantileScaler().fit_transform(X).ravel().round(3).tolist()
    [0.0, 0.333, 0.667, 1.0, nan]
    """

    _parameter_constraints = {
        "n_quantiles": [Interval(Integral, 1, None, closed="left")],
        "output_distribution": [StrOptions({"uniform", "normal"})],
        "sketch_size": SKETCH_SIZE_CONSTRAINT,
        "copy": ["boolean"],
    }

    def __init__(
        self,
        n_quantiles=1000,
        *,
        output_distribution="uniform",
        sketch_size=DEFAULT_SKETCH_SIZE,
        copy=True,
    ):
        self.n_quantiles = n_quantiles
        self.output_distribution = output_distribution
        self.sketch_size = sketch_size
        self.copy = copy

    def _sparse_reason(self):
        return None

    def _n_quantiles(self, n_rows):
        return max(1, min(self.n_quantiles, int(n_rows)))

    def _references(self, n_rows):
        return np.linspace(0, 1, self._n_quantiles(n_rows), endpoint=True)

    def _probabilities(self, n_rows):
        # scikit-learn asks nanpercentile for references_ * 100 percent and numpy divides
        # by 100: 1/3 * 100 / 100 is not 1/3, which decides whether a tie is hit exactly
        return self._references(n_rows) * 100 / 100

    def _learn_quantiles(self, quantiles, n_rows):
        return {
            "quantiles_": quantiles,
            "references_": self._references(n_rows),
            "n_quantiles_": self._n_quantiles(n_rows),
            "n_samples_seen_": int(n_rows),
        }

    def _check_sketch_values(self, X):
        self._check_transform_values(X)

    def _check_transform_values(self, X):
        if sparse.issparse(X) and X.data.size and np.nanmin(X.data) < 0:
            raise ValueError(
                f"{type(self).__name__} takes only non-negative sparse input (its zeros "
                f"count as values), got a minimum of {np.nanmin(X.data):g}; pass a dense "
                "array instead."
            )

    def _describe(self):
        return Elementwise(
            _quantile_map,
            {"quantiles": self.quantiles_},
            {"references": self.references_, "output_distribution": self.output_distribution},
            keeps_nonfinite=(False, False),
            sparse=functools.partial(
                _sparse_map, self.quantiles_, self.references_, self.output_distribution
            ),
            vectorised=True,  # CPU tensors: 1.1 s against torch's own 3.1 s (1e6 x 50)
        )


def _quantile_map(quantiles, references, output_distribution, inverse, dtype):
    return quantile_kernel(quantiles, references, output_distribution, inverse)


def _sparse_map(quantiles, references, output_distribution, X, inverse):
    """Map the stored values of each column of ``X``, as CSC (as scikit-learn)."""
    X = X.tocsc()
    X.sum_duplicates()
    for j in range(X.shape[1]):
        data = X.data[X.indptr[j] : X.indptr[j + 1]]
        column = quantile_kernel(quantiles[:, j : j + 1], references, output_distribution, inverse)
        data[:] = column(data[:, None])[:, 0]
    return X
