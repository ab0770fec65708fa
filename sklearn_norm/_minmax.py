"""Min-max scaling."""

from numbers import Integral, Real

import numpy as np

from ._base import ColumnScaler
from ._engine import Affine, Elementwise
from ._registry import register
from ._stats import RANGE
from .functional._affine import min_max_terms
from .functional._column import min_max_kernel


@register("minmax")
class MinMaxScaler(ColumnScaler):
    """Scale each feature to a given range, from its training minimum and maximum.

    .. math:: y = (x - x_{min}) \\frac{b - a}{x_{max} - x_{min}} + a
              = x \\cdot \\mathrm{scale\\_} + \\mathrm{min\\_}

    with ``(a, b) = feature_range``. A constant feature maps to ``a``. NaN values are
    ignored by ``fit`` and stay NaN. Unlike :class:`sklearn.preprocessing.MinMaxScaler`
    the map is computed as ``(x - data_min_) * scale_ + a``, which keeps full
    precision for data far from zero in float32.

    Parameters
    ----------
    feature_range : tuple (a, b), default=(0, 1)
        Desired range of transformed data, ``a < b``. As in scikit-learn, a range set
        after ``fit`` moves only the clip bounds until the next ``fit``.
    clip : bool, default=False
        Clip transformed values of unseen data to ``feature_range``.
    copy : bool, default=True
        ``False`` transforms a writeable float array in place.

    Attributes
    ----------
    data_min_, data_max_ : ndarray of shape (n_features,)
        Per-feature minimum and maximum seen in the training data.
    data_range_ : ndarray of shape (n_features,)
        ``data_max_ - data_min_``.
    scale_ : ndarray of shape (n_features,)
        ``(b - a) / data_range_`` (a zero range counts as 1).
    min_ : ndarray of shape (n_features,)
        ``a - data_min_ * scale_``.
    n_samples_seen_ : int
        Number of rows seen.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.preprocessing.MinMaxScaler : The scikit-learn equivalent.
    sklearn_norm.functional.min_max_scale : The stateless function.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import MinMaxScaler
    >>> X = np.array([[1.0, 10.0], [3.0, 10.0], [np.nan, 10.0]])
    >>> MinMaxScaler().fit_transform(X).tolist()
    [[0.0, 0.0], [1.0, 0.0], [nan, 0.0]]
    """

    _parameter_constraints = {
        "feature_range": [tuple, list],
        "clip": ["boolean"],
        "copy": ["boolean"],
    }
    _need = (RANGE,)

    def __init__(self, feature_range=(0, 1), *, clip=False, copy=True):
        self.feature_range = feature_range
        self.clip = clip
        self.copy = copy

    def _check_params(self):
        rng = self.feature_range
        ok = len(rng) == 2
        for v in rng if ok else ():
            ok = ok and isinstance(v, Real | Integral) and np.isfinite(v)
        ok = ok and rng[0] < rng[1]
        if not ok:
            raise ValueError(
                f"feature_range must be two finite numbers (a, b) with a < b, got {rng!r}."
            )

    def _learn(self, stats):
        low = self.feature_range[0]
        scale, halve = min_max_terms(stats.min, stats.max, self.feature_range)
        with np.errstate(over="ignore", invalid="ignore"):  # inf: a range beyond float64
            data_range = stats.max - stats.min
            min_ = low - stats.min * scale
        return {
            "data_min_": stats.min,
            "data_max_": stats.max,
            "data_range_": data_range,
            "scale_": scale,
            "min_": min_,
            "n_samples_seen_": int(stats.n_rows),
            "_fit_range_": tuple(self.feature_range),
            "_halved_": halve,  # the map runs on halved values (a range beyond float32)
        }

    def _describe(self):
        # as in scikit-learn, the map is the one learned (a feature_range set after fit
        # takes effect at the next fit) and the clip bounds are the current feature_range
        fit_range = getattr(self, "_fit_range_", tuple(self.feature_range))
        clip = tuple(self.feature_range) if self.clip else None
        halve = getattr(self, "_halved_", None)
        if halve is None:  # fitted by an older version
            halve = min_max_terms(self.data_min_, self.data_max_, fit_range)[1]
        if halve:  # halved, doubled back
            return Elementwise(
                min_max_kernel,
                {"data_min": self.data_min_, "scale": self.scale_, "data_max": self.data_max_},
                {"feature_range": fit_range, "clip": self.clip, "clip_range": clip, "halve": True},
                keeps_nonfinite=(not self.clip, True),
            )
        # adding a low of 0 would only turn a -0.0 into 0.0: skipped
        return Affine(self.data_min_, self.scale_, fit_range[0] or None, clip=clip)
