"""Root-mean-square normalisation of each sample over its features."""

from numbers import Real

import numpy as np

from ._export import FromTorchMixin
from ._registry import register
from ._samplewise import Layout, SampleScaler
from ._sklearn_compat import Interval
from ._validation import check_affine
from ._xp import get_namespace
from .functional._arrays import _cast, as64, quiet
from .functional._ops import numpy_dtype
from .functional._rms import default_eps, rms_rows


@register("rmsnorm")
class RMSNormScaler(FromTorchMixin, SampleScaler):
    """Divide each sample by its root mean square, as PyTorch ``RMSNorm``.

    .. math:: y_{ij} = \\frac{x_{ij}}{\\mathrm{rms}_i} \\, \\gamma_j, \\qquad
              \\mathrm{rms}_i = \\sqrt{\\frac{1}{n_i} \\sum_j x_{ij}^2 + \\epsilon}

    over the :math:`n_i` non-NaN values of row :math:`i`, with fixed per-feature
    weights :math:`\\gamma` (``weight``). Unlike :class:`LayerNormScaler` the row is not
    centred. NaN values are left out of a row's mean square and stay NaN (a row of NaN
    stays NaN); an all-zero row stays zero. Statistics are float64; the result keeps the
    input's floating dtype.

    ``keep_stats=True`` appends the column ``rms`` (the denominator, 1 where it would be
    0), from which :meth:`inverse_transform` restores the data exactly up to rounding.

    Parameters
    ----------
    eps : float or None, default=None
        Added to the mean square. None is PyTorch's default, the machine epsilon of its
        computation type: ``finfo(float64).eps`` for float64 input,
        ``finfo(float32).eps`` for float32 and float16 input.
    weight : array-like of shape (n_features,), float or None, default=None
        Fixed element-wise scale, e.g. exported from a trained network (1 when None).
    keep_stats : bool, default=False
        Append each row's ``rms`` as an extra column.
    copy : bool, default=True
        ``False`` transforms a writeable float array in place (without ``keep_stats``).

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    LayerNormScaler : Centres each sample too.
    UnitNormScaler : Divides each sample by its norm, without ``eps``.
    sklearn_norm.functional.rms_norm : The stateless function.

    References
    ----------
    B. Zhang and R. Sennrich, "Root Mean Square Layer Normalization", NeurIPS 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import RMSNormScaler
    >>> X = np.array([[3.0, -3.0], [0.0, 0.0]])
    >>> RMSNormScaler(eps=0.0).fit_transform(X).tolist()
    [[1.0, -1.0], [0.0, 0.0]]
    >>> scaler = RMSNormScaler(eps=0.0, keep_stats=True).fit(X)
    >>> scaler.transform(X).tolist()
    [[1.0, -1.0, 3.0], [0.0, 0.0, 1.0]]
    >>> scaler.inverse_transform(scaler.transform(X)).tolist()
    [[3.0, -3.0], [0.0, 0.0]]
    """

    _parameter_constraints = {
        "eps": [Interval(Real, 0, None, closed="left"), None],
        "weight": ["array-like", Real, None],
        "keep_stats": ["boolean"],
        "copy": ["boolean"],
    }

    def __init__(self, *, eps=None, weight=None, keep_stats=False, copy=True):
        self.eps = eps
        self.weight = weight
        self.keep_stats = keep_stats
        self.copy = copy

    def _sparse_reason(self):
        return "the root mean square of sparse rows is not implemented"

    def _keep(self):
        return self.keep_stats

    def _make_layout(self, n_features):
        weight = check_affine(self, "weight", self.weight, n_features, what="features")
        return Layout(n_groups=1, weight=weight, kept=["rms"])

    def _eps(self, x):
        return default_eps(numpy_dtype(x)) if self.eps is None else self.eps

    def _weight(self, like):
        """The per-feature weight, float64, in ``like``'s namespace (None: no weight)."""
        weight = self._layout.weight
        return weight if isinstance(like, np.ndarray) else as64(get_namespace(like), weight, like)

    @quiet
    def _forward(self, x, out=None):
        y, rms = rms_rows(x, self._eps(x))
        weight = self._weight(x)
        if weight is not None:
            y *= weight
        return _cast(get_namespace(x), y, x.dtype, out), [rms]

    @quiet
    def _backward(self, y, stats, out=None):
        xp = get_namespace(y)
        x = y / self._weight(y) if self._layout.weight is not None else y
        x = x * as64(xp, stats, y)
        return _cast(xp, x, y.dtype, out)
