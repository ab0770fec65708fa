"""Layer normalisation of each sample over its features."""

from numbers import Real

from ._export import FromTorchMixin
from ._registry import register
from ._samplewise import GroupedScaler, Layout
from ._sklearn_compat import Interval
from ._validation import check_affine


@register("layernorm")
class LayerNormScaler(FromTorchMixin, GroupedScaler):
    """Normalise each sample over its features, as PyTorch ``LayerNorm``.

    .. math:: y_{ij} = \\frac{x_{ij} - \\mu_i}{\\sqrt{\\sigma^2_i + \\epsilon}} \\, \\gamma_j
              + \\beta_j

    with the mean :math:`\\mu_i` and biased variance :math:`\\sigma^2_i` of the non-NaN
    values of row :math:`i`, and fixed per-feature affine parameters :math:`\\gamma`
    (``weight``) and :math:`\\beta` (``bias``). NaN values are left out of a row's
    statistics and stay NaN; a constant row maps to :math:`\\beta`.

    ``keep_stats=True`` appends the columns ``mean`` and ``std``
    (:math:`\\sqrt{\\sigma^2_i + \\epsilon}`), from which :meth:`inverse_transform` restores
    the data exactly up to rounding (reversible instance normalisation).

    Parameters
    ----------
    eps : float, default=1e-5
        Added to the variance; 0 is allowed (a constant row is then divided by 1).
    weight, bias : array-like of shape (n_features,), float or None, default=None
        Fixed affine parameters, e.g. exported from a trained network (1 and 0 when None).
    keep_stats : bool, default=False
        Append each row's ``mean`` and ``std`` as two extra columns.
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
    InstanceNormScaler : Per channel of each sample.
    GroupNormScaler : Per group of channels of each sample.
    sklearn_norm.functional.layer_norm : The stateless function.

    References
    ----------
    J. L. Ba, J. R. Kiros and G. E. Hinton, "Layer Normalization", arXiv:1607.06450, 2016.
    T. Kim et al., "Reversible Instance Normalization for Accurate Time-Series
    Forecasting against Distribution Shift", ICLR 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import LayerNormScaler
    >>> X = np.array([[1.0, 3.0], [5.0, 5.0]])
    >>> LayerNormScaler(eps=0.0).fit_transform(X).tolist()
    [[-1.0, 1.0], [0.0, 0.0]]
    >>> scaler = LayerNormScaler(eps=0.0, keep_stats=True).fit(X)
    >>> scaler.get_feature_names_out().tolist()
    ['x0', 'x1', 'mean', 'std']
    >>> scaler.transform(X).tolist()
    [[-1.0, 1.0, 2.0, 1.0], [0.0, 0.0, 5.0, 1.0]]
    >>> scaler.inverse_transform(scaler.transform(X)).tolist()
    [[1.0, 3.0], [5.0, 5.0]]
    """

    _parameter_constraints = {
        "eps": [Interval(Real, 0, None, closed="left")],
        "weight": ["array-like", Real, None],
        "bias": ["array-like", Real, None],
        "keep_stats": ["boolean"],
        "copy": ["boolean"],
    }

    def __init__(self, *, eps=1e-5, weight=None, bias=None, keep_stats=False, copy=True):
        self.eps = eps
        self.weight = weight
        self.bias = bias
        self.keep_stats = keep_stats
        self.copy = copy

    def _make_layout(self, n_features):
        return Layout(
            n_groups=1,
            weight=check_affine(self, "weight", self.weight, n_features, what="features"),
            bias=check_affine(self, "bias", self.bias, n_features, what="features"),
            kept=["mean", "std"],
        )
