"""Robust scaling: centre by the median, scale by a quantile range."""

from numbers import Real

import numpy as np
from scipy import special

from ._engine import affine
from ._quantile_base import SKETCH_SIZE_CONSTRAINT, QuantileColumnScaler
from ._registry import register
from ._sketch import DEFAULT_SKETCH_SIZE
from ._validation import column_labels

#: A scale below this counts as zero (scikit-learn's ``_handle_zeros_in_scale``).
_ZERO_SCALE = 10 * np.finfo(np.float64).eps


@register("robust")
class RobustScaler(QuantileColumnScaler):
    """Scale each feature by statistics that resist outliers: median and quantile range.

    .. math:: y = \\frac{x - \\mathrm{median}(x)}{Q_{q_{max}}(x) - Q_{q_{min}}(x)}

    with :math:`Q_p` the :math:`p`-th percentile (``numpy.nanpercentile``, linear
    interpolation) and ``(q_min, q_max) = quantile_range``; with ``unit_variance`` the
    scale is further divided by :math:`\\Phi^{-1}(q_{max}/100) - \\Phi^{-1}(q_{min}/100)`,
    so that normal data gets unit variance. A scale below ``10 * eps`` (a constant
    feature) counts as 1. NaN values are ignored by ``fit`` and stay NaN.

    ``fit`` is exact and equals :class:`sklearn.preprocessing.RobustScaler`.
    Unlike it, ``partial_fit`` (and dask input) learns from a stream: one mergeable KLL
    quantile sketch per feature (Apache DataSketches), whose normalised rank error is
    at most ``rank_error_``.

    Parameters
    ----------
    with_centering : bool, default=True
        Subtract the median (sparse input needs ``False``).
    with_scaling : bool, default=True
        Divide by the quantile range.
    quantile_range : tuple (q_min, q_max), default=(25.0, 75.0)
        Percentiles of the range, ``0 <= q_min <= q_max <= 100``.
    unit_variance : bool, default=False
        Divide the scale so that normally distributed data gets unit variance.
    sketch_size : int, default=1000
        ``k`` of each feature's KLL sketch (``partial_fit`` and dask): its rank error
        bound is about ``2.3 / k**0.97`` (0.0028 at 1000).
    copy : bool, default=True
        ``False`` transforms a writeable float array in place.

    Attributes
    ----------
    center_ : ndarray of shape (n_features,) or None
        Per-feature median (``None`` without centring).
    scale_ : ndarray of shape (n_features,) or None
        Per-feature quantile range (``None`` without scaling).
    n_samples_seen_ : int
        Number of rows seen.
    rank_error_ : float
        Bound on the normalised rank error of the learned quantiles: 0 after ``fit``
        (exact), the sketch's bound after ``partial_fit`` or a dask fit (0 while every
        value seen is still kept).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.preprocessing.RobustScaler : The scikit-learn equivalent.
    sklearn_norm.functional.robust_scale : The stateless function.
    QuantileScaler : Map each feature to a uniform or normal distribution.

    References
    ----------
    .. [1] Z. Karnin, K. Lang, E. Liberty, "Optimal Quantile Approximation in
       Streams", FOCS 2016 (the KLL sketch).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import RobustScaler
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    >>> RobustScaler().fit_transform(X).ravel().tolist()
    [-1.0, -0.5, 0.0, 0.5, 48.5]
    """

    _parameter_constraints = {
        "with_centering": ["boolean"],
        "with_scaling": ["boolean"],
        "quantile_range": [tuple],
        "unit_variance": ["boolean"],
        "sketch_size": SKETCH_SIZE_CONSTRAINT,
        "copy": ["boolean"],
    }

    def __init__(
        self,
        *,
        with_centering=True,
        with_scaling=True,
        quantile_range=(25.0, 75.0),
        unit_variance=False,
        sketch_size=DEFAULT_SKETCH_SIZE,
        copy=True,
    ):
        self.with_centering = with_centering
        self.with_scaling = with_scaling
        self.quantile_range = quantile_range
        self.unit_variance = unit_variance
        self.sketch_size = sketch_size
        self.copy = copy

    def _sparse_reason(self):
        if self.with_centering:
            return (
                "with_centering=True would centre the data and fill it; pass with_centering=False"
            )
        return None

    def _check_params(self):
        rng = self.quantile_range
        ok = len(rng) == 2 and all(isinstance(q, Real) and 0 <= q <= 100 for q in rng)
        if not (ok and rng[0] <= rng[1]):
            raise ValueError(
                f"quantile_range must be two percentiles (q_min, q_max) with "
                f"0 <= q_min <= q_max <= 100, got {rng!r}."
            )
        if self.unit_variance and not 0 < rng[0] < rng[1] < 100:
            raise ValueError(
                "unit_variance=True divides by the normal quantile range of quantile_range, "
                f"which must then satisfy 0 < q_min < q_max < 100; got {rng!r}."
            )

    def _probabilities(self, n_rows):
        q_min, q_max = self.quantile_range
        return np.array([0.5, q_min / 100.0, q_max / 100.0])

    def _learn_quantiles(self, quantiles, n_rows):
        median, low, high = quantiles
        learned = {"center_": median if self.with_centering else None, "scale_": None}
        if self.with_scaling:
            with np.errstate(over="ignore"):
                scale = high - low
            if np.isinf(scale).any():
                raise ValueError(
                    f"RobustScaler: the quantile range of {column_labels(self, np.isinf(scale))} "
                    "overflows float64; rescale those columns first, e.g. with DecimalScaler."
                )
            scale = np.where(np.isnan(scale) | (scale < _ZERO_SCALE), 1.0, scale)
            if self.unit_variance:
                q_min, q_max = self.quantile_range
                scale = scale / (special.ndtri(q_max / 100.0) - special.ndtri(q_min / 100.0))
            learned["scale_"] = scale
        learned["n_samples_seen_"] = int(n_rows)
        return learned

    def _describe(self):
        return affine(centre=self.center_, factor=self.scale_, divide=True)
