"""Log scaling."""

import math
from numbers import Real

import numpy as np
from scipy import sparse

from ._base import ColumnScaler
from ._chunks import col_min, map_blocks
from ._engine import Elementwise
from ._registry import register
from ._sklearn_compat import Interval, StrOptions
from ._stats import RANGE
from ._validation import column_label, sparse_columns
from ._xp import column_values, is_array_api
from ._xp_stats import column_min
from .functional._logscale import log_invalid, log_kernel
from .functional._ops import numpy_dtype


@register("log")
class LogScaler(ColumnScaler):
    """Compress each feature with a logarithm.

    .. math:: y = \\log_b(x + c)

    computed as ``log1p(x) / log(b)`` whenever the offset :math:`c` is exactly 1, so
    small values keep their precision (and zeros stay zeros, so sparse input stays
    sparse). ``signed=True`` gives :math:`y = \\mathrm{sign}(x) \\log_b(1 + |x|)`,
    defined for every real ``x``. ``offset="auto"`` learns
    :math:`c = 1 - \\min(0, \\min x)` per feature, so the training minimum maps to 0
    or above. A value with :math:`x + c \\le 0` raises a ValueError naming its
    column, or becomes NaN with ``handle_invalid="nan"``.

    Parameters
    ----------
    base : float, default=math.e
        Base :math:`b` of the logarithm, positive and not 1.
    offset : float or "auto", default=1.0
        Offset :math:`c` added before the logarithm.
    signed : bool, default=False
        Use the signed, symmetric form (``offset`` is then not used).
    handle_invalid : {"error", "nan"}, default="error"
        What to do with values at or below ``-offset``.
    copy : bool, default=True
        ``False`` transforms a writeable float array in place.

    Attributes
    ----------
    offset_ : ndarray of shape (n_features,)
        The offset per feature (1 with ``signed=True``).
    data_min_ : ndarray of shape (n_features,)
        Per-feature minimum of the training data.
    n_samples_seen_ : int
        Number of rows seen.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.preprocessing.FunctionTransformer : With ``func=np.log1p``.
    sklearn_norm.functional.log_scale : The stateless function.

    Notes
    -----
    The ``positive_only`` estimator tag is set whenever ``fit`` refuses values
    (``handle_invalid="error"``, ``signed=False`` and a numeric ``offset``). Such a
    scaler accepts exactly :math:`x > -c`, which no tag expresses; positive data is
    the promise that holds for every :math:`c > 0`. With :math:`c > 1` the scaler also
    takes values in :math:`(-c, 0]`, so scikit-learn's ``check_fit_non_negative``,
    which expects ``fit`` to refuse -1, fails for it: accepting -1 is the correct
    behaviour, and that check is its one expected failure. Clearing the tag instead
    would be no more honest: the checks would then fit standard-normal data, whose
    values below :math:`-c` the scaler rightly refuses. With :math:`c \\le 0` even the
    zeros of the checks' non-negative data are refused (:math:`\\log 0`), so use a
    positive offset with scikit-learn's checks.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import LogScaler
    >>> LogScaler(base=10).fit_transform(np.array([[0.0], [9.0], [99.0]])).ravel().tolist()
    [0.0, 1.0, 2.0]
    >>> LogScaler(signed=True, base=10).fit_transform(np.array([[-9.0], [9.0]])).ravel().tolist()
    [-1.0, 1.0]
    """

    _parameter_constraints = {
        "base": [Interval(Real, 0, None, closed="neither")],
        "offset": [Interval(Real, None, None, closed="neither"), StrOptions({"auto"})],
        "signed": ["boolean"],
        "handle_invalid": [StrOptions({"error", "nan"})],
        "copy": ["boolean"],
    }
    _need = (RANGE,)

    def __init__(
        self, *, base=math.e, offset=1.0, signed=False, handle_invalid="error", copy=True
    ):
        self.base = base
        self.offset = offset
        self.signed = signed
        self.handle_invalid = handle_invalid
        self.copy = copy

    def _check_params(self):
        if self.base == 1 or not math.isfinite(self.base):
            raise ValueError(
                f"base must be a finite positive number other than 1, got {self.base!r}."
            )
        if self.offset != "auto" and not math.isfinite(self.offset):
            raise ValueError(f"offset must be a finite number or 'auto', got {self.offset!r}.")

    def _unit_offset(self):
        return self.signed or (self.offset != "auto" and self.offset == 1.0)

    def _sparse_reason(self):
        if self._unit_offset():
            return None
        return "only offset=1 or signed=True keep zeros at zero"

    def _learn(self, stats):
        n_features = stats.min.shape[0]
        if self.signed:
            offset = np.ones(n_features)
        elif self.offset == "auto":
            offset = 1.0 - np.fmin(np.nan_to_num(stats.min), 0.0)
        else:
            offset = np.full(n_features, float(self.offset))
        return {"offset_": offset, "data_min_": stats.min, "n_samples_seen_": int(stats.n_rows)}

    def _refusing(self):
        return not self.signed and self.handle_invalid == "error"

    def _centre(self):
        """The training minimum ``m`` (0 where it is >= 0) of ``offset="auto"``: the
        kernel takes ``log1p(x - m)``, so ``m`` maps to exactly 0 (None when unused)."""
        if self.signed or self.offset != "auto":
            return None
        centre = np.fmin(np.nan_to_num(np.asarray(self.data_min_, dtype=np.float64)), 0.0)
        return centre if centre.any() else None

    def _check_values(self, X, stats):
        if self._refusing() and self.offset != "auto":
            offset = float(self.offset)
            # as in _refuse, far from the boundary is fine; one Python comparison of the
            # lowest minimum (NaN, no value, when every column is empty), no errstate
            lowest = float(np.fmin.reduce(stats.min)) if stats.min.size else math.nan
            if not lowest + offset <= 1e-6 * abs(offset):
                return
            self._refuse(X, stats.min, np.full(stats.min.shape, offset))

    def _check_transform_values(self, X):
        if not self._refusing():
            return
        if sparse.issparse(X):
            data_min = np.full(X.shape[1], np.inf)
            np.fmin.at(data_min, sparse_columns(X), X.data)
        elif is_array_api(X):
            data_min = column_min(X)
        else:
            mins = map_blocks(lambda a, b: col_min(X[a:b]), X.shape[0], X.shape[1] * X.itemsize)
            data_min = np.fmin.reduce(np.asarray(mins), axis=0)
        self._refuse(X, data_min, self.offset_, self._centre())

    def _refuse(self, X, data_min, offset, centre=None):
        """Raise for values ``x + offset <= 0``, judged in ``X``'s dtype as the kernel does."""
        with np.errstate(invalid="ignore", over="ignore"):  # NaN minimum: nothing refused
            if not np.any(data_min + offset <= 1e-6 * np.abs(offset)):
                return  # far from the boundary: no rounding can cross it
        dtype = numpy_dtype(X) if hasattr(X, "dtype") else np.dtype(np.float64)  # frames
        dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
        bad = log_invalid(data_min.astype(dtype), offset, centre)
        if not bad.any():
            return
        column = int(np.flatnonzero(bad)[0])
        values = np.asarray(column_values(X, column), dtype=dtype)
        at = None if centre is None else centre[column]
        n_bad = int(np.sum(log_invalid(values, offset[column], at)))
        raise ValueError(
            f"Negative values in data passed to LogScaler: {n_bad} value(s) <= -offset "
            f"({0.0 - offset[column]:g}) in {column_label(self, column)} (min {data_min[column]:g}); "
            "use signed=True, offset='auto' or handle_invalid='nan'."
        )

    def _describe(self):
        # log(inf) = inf, log of -inf or below -offset NaN; not expm1(-inf) = -1
        return Elementwise(
            log_kernel,
            {"offset": self.offset_, "centre": self._centre()},
            {
                "base": self.base,
                "signed": self.signed,
                "invalid_to_nan": self.handle_invalid == "nan",
            },
            keeps_nonfinite=(True, False),
            floor=-self.offset_ if self._refusing() else None,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # fit refuses data at or below -offset only with handle_invalid="error"; "auto"
        # and signed=True take any data. offset > 1 takes -1 too, but no tag says
        # "x > -offset": positive data is the safe promise (see Notes).
        tags.input_tags.positive_only = self._refusing() and self.offset != "auto"
        return tags
