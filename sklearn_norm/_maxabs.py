"""Maximum-absolute scaling (scikit-learn's ``MaxAbsScaler``)."""

import functools

import numpy as np

from ._base import ColumnScaler
from ._engine import Elementwise
from ._registry import register
from ._stats import RANGE
from ._validation import sparse_columns
from .functional._maxabs import max_abs_divisor, max_abs_kernel
from .functional._ops import numpy_dtype


@register("maxabs")
class MaxAbsScaler(ColumnScaler):
    """Scale each feature by its maximum absolute value, as scikit-learn's ``MaxAbsScaler``.

    .. math:: y_{ij} = \\frac{x_{ij}}{s_j}, \\qquad
              s_j = \\begin{cases} \\max_i |x_{ij}| & \\text{if } \\ge 10\\,\\varepsilon \\\\
              1 & \\text{otherwise} \\end{cases}

    so every feature lands in ``[-1, 1]`` without being shifted: zeros stay zeros and
    sparse input stays sparse. :math:`\\varepsilon` is the machine epsilon of the
    training data's dtype. The results are scikit-learn's to the last bit: dense data is
    divided by ``scale_``, sparse stored values are multiplied by ``1 / scale_`` (in the
    training dtype), as scikit-learn does; ``max_abs_`` and ``scale_`` hold the same
    values as scikit-learn's, in float64 (scikit-learn keeps the training dtype). NaN
    values are ignored by ``fit`` and stay NaN; a feature with no value gets a NaN scale.

    Parameters
    ----------
    copy : bool, default=True
        ``False`` transforms a writeable float array (or CSR/CSC matrix) in place.

    Attributes
    ----------
    max_abs_ : ndarray of shape (n_features,)
        Largest absolute training value per feature (float64).
    scale_ : ndarray of shape (n_features,)
        ``max_abs_``, 1 where it is below ``10 * eps``.
    n_samples_seen_ : int
        Number of rows seen.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.preprocessing.MaxAbsScaler : The scikit-learn equivalent.
    DecimalScaler : Divides by a power of ten instead.
    sklearn_norm.functional.max_abs_scale : The stateless function.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import MaxAbsScaler
    >>> X = np.array([[1.0, -8.0, 0.0], [-2.0, 4.0, 0.0], [np.nan, 2.0, 0.0]])
    >>> scaler = MaxAbsScaler().fit(X)
    >>> scaler.max_abs_.tolist(), scaler.scale_.tolist()
    ([2.0, 8.0, 0.0], [2.0, 8.0, 1.0])
    >>> scaler.transform(X).tolist()
    [[0.5, -1.0, 0.0], [-1.0, 0.5, 0.0], [nan, 0.25, 0.0]]
    """

    _parameter_constraints = {"copy": ["boolean"]}
    _need = (RANGE,)

    def __init__(self, *, copy=True):
        self.copy = copy

    def _sparse_reason(self):
        return None

    def _check_values(self, X, stats):
        # the training data's floating dtype (the widest over partial_fit calls), whose
        # eps scikit-learn's threshold uses and in which it keeps ``scale_``
        dtype = _float_dtype(X)
        if hasattr(self, "_fit_dtype_"):
            dtype = np.result_type(self._fit_dtype_, dtype)
        self._fit_dtype_ = dtype.name

    def _learn(self, stats):
        max_abs = np.fmax(np.abs(stats.min), np.abs(stats.max))
        return {
            "max_abs_": max_abs,
            "scale_": max_abs_divisor(max_abs, self._fit_dtype_),
            "n_samples_seen_": int(stats.n_rows),
        }

    def _describe(self):
        # sparse: scikit-learn multiplies the stored values by ``1 / scale_`` in the
        # training dtype (its ``inplace_column_scale``), not always the same bits as
        # dividing
        reciprocal = 1.0 / self.scale_.astype(self._fit_dtype_)
        return Elementwise(
            _max_abs_map,
            {"factor": self.scale_},
            sparse=functools.partial(_sparse_map, self.scale_, reciprocal),
            vectorised=True,
        )


def _max_abs_map(factor, inverse, dtype):
    return max_abs_kernel(factor, inverse=inverse, dtype=dtype)


def _sparse_map(scale, reciprocal, X, inverse):
    """The stored values of a CSR/CSC ``X`` times ``scale`` (inverse) or ``reciprocal``."""
    columns = sparse_columns(X)
    factor = scale if inverse else reciprocal.astype(np.float64)
    max_abs_kernel(factor[columns], inverse=True, dtype=X.dtype)(X.data, out=X.data)
    return X


def _float_dtype(X):
    """The floating dtype ``X`` is scaled in: its own, float64 for other numbers.

    ``X`` is a validated array (numpy, sparse, any Array API) or a dask collection.
    """
    try:
        if hasattr(X, "dtype"):
            dtype = numpy_dtype(X)
        else:  # a dask DataFrame: its columns' common dtype
            dtype = np.result_type(*X.dtypes)
    except TypeError:  # pandas' own dtypes (nullable floats)
        return np.dtype(np.float64)
    return dtype if dtype.kind == "f" else np.dtype(np.float64)
