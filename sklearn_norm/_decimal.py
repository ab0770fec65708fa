"""Decimal scaling."""

from numbers import Integral

import numpy as np

from ._base import ColumnScaler
from ._engine import Elementwise
from ._registry import register
from ._sklearn_compat import Interval
from ._stats import RANGE
from .functional._column import decimal_kernel, learn_n_digits, powers_of_ten


@register("decimal")
class DecimalScaler(ColumnScaler):
    """Divide each feature by the power of ten that brings its values into (-1, 1).

    .. math:: y = x / 10^{j}, \\qquad j = \\min\\{k \\in \\mathbb{Z} : \\max|x| < 10^k\\}

    ``j`` is found by comparing with the float64 powers of ten (never ``floor(log10)``,
    which is off by one next to them): 1000 gets 4, 999.99 gets 3, 0.05 gets -1, an
    all-zero feature 0. For ``j < 0`` values are multiplied by the exact
    :math:`10^{-j}`, so every result is rounded once. Zeros stay zeros, so sparse input
    stays sparse.

    Parameters
    ----------
    n_digits : int or None, default=None
        Fixed exponent ``j`` for every feature; None learns it from the data.
    per_feature : bool, default=True
        Learn one ``j`` per feature; False uses the largest for all.
    copy : bool, default=True
        ``False`` transforms a writeable float array in place.

    Attributes
    ----------
    n_digits_ : ndarray of int of shape (n_features,)
        The exponent ``j`` per feature.
    scale_ : ndarray of shape (n_features,)
        ``10.0 ** n_digits_``.
    max_abs_ : ndarray of shape (n_features,)
        Largest absolute training value per feature.
    n_samples_seen_ : int
        Number of rows seen.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.preprocessing.MaxAbsScaler : Divides by the maximum itself.
    sklearn_norm.functional.decimal_scale : The stateless function.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import DecimalScaler
    >>> scaler = DecimalScaler().fit(np.array([[1000.0, 999.99, 0.05, 0.0]]))
    >>> scaler.n_digits_.tolist()
    [4, 3, -1, 0]
    """

    _parameter_constraints = {
        "n_digits": [Interval(Integral, -300, 300, closed="both"), None],
        "per_feature": ["boolean"],
        "copy": ["boolean"],
    }
    _need = (RANGE,)

    def __init__(self, *, n_digits=None, per_feature=True, copy=True):
        self.n_digits = n_digits
        self.per_feature = per_feature
        self.copy = copy

    def _sparse_reason(self):
        return None

    def _learn(self, stats):
        max_abs = np.fmax(np.abs(stats.min), np.abs(stats.max))
        if self.n_digits is not None:
            digits = np.full(max_abs.shape, self.n_digits, dtype=np.int64)
        else:
            # per_feature=False: one j, from the largest value of every feature
            largest = max_abs if self.per_feature else np.fmax.reduce(max_abs, initial=np.nan)
            digits = np.broadcast_to(learn_n_digits(largest), max_abs.shape).copy()
        return {
            "n_digits_": digits,
            "scale_": powers_of_ten(digits),
            "max_abs_": max_abs,
            "n_samples_seen_": int(stats.n_rows),
        }

    def _describe(self):
        return Elementwise(decimal_kernel, {"n_digits": self.n_digits_}, vectorised=True)
