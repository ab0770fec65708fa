"""Z-score standardisation."""

from numbers import Integral

import numpy as np
from sklearn.exceptions import NotFittedError

from ._base import ColumnScaler, WeightedFitMixin, constant_features, n_samples_seen
from ._engine import affine
from ._registry import register
from ._sklearn_compat import Interval
from ._stats import MOMENTS


@register("zscore")
class ZScoreScaler(WeightedFitMixin, ColumnScaler):
    """Standardise each feature by removing its mean and dividing by its standard deviation.

    .. math:: y = \\frac{x - \\mu}{s}, \\qquad s = \\sqrt{\\frac{\\sum_i w_i (x_i - \\mu)^2}
              {\\sum_i w_i - \\mathrm{ddof}}}

    with frequency weights :math:`w_i` (1 by default). Statistics are accumulated in
    float64 with exact pairwise merges, so a feature with mean 1e9 and spread 1e-3 is
    standardised correctly, in one pass or in chunks (``partial_fit``). A feature whose
    variance is within the error bound of a float64 estimate counts as constant and gets
    ``scale_ = 1``, by scikit-learn's rule

    .. math:: \\sigma^2 \\le n \\epsilon \\sigma^2 + (n \\epsilon \\mu)^2

    with :math:`n` samples (the sum of the weights) and :math:`\\epsilon` the float64
    machine epsilon (so mean 1e9 and spread 1e-3 count as constant beyond about 4,500
    rows, as in :class:`sklearn.preprocessing.StandardScaler`). NaN values are ignored
    by ``fit`` and stay NaN.

    Parameters
    ----------
    with_mean : bool, default=True
        Centre the data. Must be False for sparse input.
    with_std : bool, default=True
        Divide by the standard deviation. Either may be turned off after ``fit``; turning
        on one whose statistic was not learned asks for a new ``fit``.
    ddof : int, default=0
        Delta degrees of freedom of the variance (0: population, 1: sample).
    copy : bool, default=True
        ``False`` transforms a writeable float array in place.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,) or None
        Weighted mean; None when ``with_mean=False`` and ``with_std=False``.
    var_ : ndarray of shape (n_features,) or None
        Variance with ``ddof``; None when ``with_std=False``.
    scale_ : ndarray of shape (n_features,) or None
        ``sqrt(var_)``, 1 for constant features (``var_`` is kept as computed, as in
        scikit-learn); None when ``with_std=False``.
    n_samples_seen_ : int, float or ndarray of shape (n_features,)
        Number (sum of weights) of non-NaN values seen, one number if equal for all.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : The scikit-learn equivalent (``ddof=0``).
    sklearn_norm.functional.z_score : The stateless function.

    References
    ----------
    T. F. Chan, G. H. Golub and R. J. LeVeque, "Updating formulae and a pairwise
    algorithm for computing sample variances", 1979.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import ZScoreScaler
    >>> ZScoreScaler().fit_transform(np.array([[1.0, 5.0], [3.0, 5.0]])).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    """

    _parameter_constraints = {
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
        "ddof": [Interval(Integral, 0, None, closed="left")],
        "copy": ["boolean"],
    }
    _need = (MOMENTS,)

    def __init__(self, *, with_mean=True, with_std=True, ddof=0, copy=True):
        self.with_mean = with_mean
        self.with_std = with_std
        self.ddof = ddof
        self.copy = copy

    def _sparse_reason(self):
        if self.with_mean:
            return "with_mean=True would centre the data and fill it; pass with_mean=False"
        return None

    def _learn(self, stats):
        learned = {"n_samples_seen_": n_samples_seen(stats), "mean_": None}
        learned["var_"] = learned["scale_"] = None
        if self.with_mean or self.with_std:
            learned["mean_"] = stats.mean
        if self.with_std:
            var = stats.variance_in_units(self.ddof)
            if stats.exp is None:
                scale, mean = np.sqrt(var), stats.mean
            else:  # features rescaled by a power of two (squares beyond float64, see
                # Stats.exp): the rule is homogeneous, decided in their units
                scale, mean = stats.std(self.ddof), stats.mean_in_units()
            constant = constant_features(var, mean, stats.count) | np.isnan(scale)
            learned["var_"] = var if stats.exp is None else stats.variance(self.ddof)
            learned["scale_"] = np.where(constant | (scale == 0), 1.0, scale)
        return learned

    def _describe(self):
        for name, learned in (("with_mean", self.mean_), ("with_std", self.scale_)):
            if getattr(self, name) and learned is None:
                raise NotFittedError(
                    f"This ZScoreScaler was fitted with {name}=False, so it learned no "
                    f"{'mean_' if name == 'with_mean' else 'scale_'}: call fit again after "
                    f"setting {name}=True."
                )
        mean = self.mean_ if self.with_mean else None
        scale = self.scale_ if self.with_std else None
        return affine(centre=mean, factor=scale, divide=True)  # halved past HALVE_ABOVE
