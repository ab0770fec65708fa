"""Group normalisation of each sample over groups of channels."""

from numbers import Integral, Real

from ._export import FromTorchMixin
from ._registry import register
from ._samplewise import GroupedScaler, Layout, kept_names
from ._sklearn_compat import Interval
from ._validation import check_affine, split_channels
from .functional._affine import per_feature


@register("groupnorm")
class GroupNormScaler(FromTorchMixin, GroupedScaler):
    """Normalise each sample over groups of channels, as PyTorch ``GroupNorm``.

    Each row holds ``C`` channels laid out channels-first, ``(C, L)`` with
    ``L = n_features / C`` (a flattened ``(C, H, W)`` image); the channels form
    ``n_groups`` consecutive groups of ``C / n_groups`` channels each.

    .. math:: y_{icl} = \\frac{x_{icl} - \\mu_{ig}}{\\sqrt{\\sigma^2_{ig} + \\epsilon}}
              \\, \\gamma_c + \\beta_c

    with the mean :math:`\\mu_{ig}` and biased variance :math:`\\sigma^2_{ig}` of the
    non-NaN values of row :math:`i` in the channels of group :math:`g \\ni c` (all
    their ``L`` positions), and fixed per-channel affine parameters. NaN values are left
    out of the statistics and stay NaN; a constant group maps to :math:`\\beta_c`.
    ``n_groups=1`` is layer normalisation with per-channel affine parameters,
    ``n_groups=C`` instance normalisation.

    ``keep_stats=True`` appends the columns ``mean_g0 .. mean_g{G-1}`` then
    ``std_g0 ..`` (:math:`\\sqrt{\\sigma^2_{ig} + \\epsilon}`), from which
    :meth:`inverse_transform` restores the data exactly up to rounding.

    Parameters
    ----------
    n_groups : int, default=1
        Number ``G`` of groups; must divide the number of channels.
    n_channels : int or None, default=None
        Number ``C`` of channels per row; None means one channel per feature.
    eps : float, default=1e-5
        Added to the variance; 0 is allowed (a constant group is then divided by 1).
    weight, bias : array-like of shape (n_channels,), float or None, default=None
        Fixed per-channel affine parameters (1 and 0 when None).
    keep_stats : bool, default=False
        Append each row's per-group means and stds as extra columns.
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
    LayerNormScaler : Over all features of each sample.
    InstanceNormScaler : Per channel of each sample.
    sklearn_norm.functional.group_norm : The stateless function.

    References
    ----------
    Y. Wu and K. He, "Group Normalization", ECCV 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import GroupNormScaler
    >>> X = np.array([[1.0, 3.0, 5.0, 5.0]])
    >>> GroupNormScaler(n_groups=2, eps=0.0).fit_transform(X).tolist()
    [[-1.0, 1.0, 0.0, 0.0]]
    >>> scaler = GroupNormScaler(n_groups=2, keep_stats=True).fit(X)
    >>> scaler.get_feature_names_out().tolist()
    ['x0', 'x1', 'x2', 'x3', 'mean_g0', 'mean_g1', 'std_g0', 'std_g1']
    """

    _parameter_constraints = {
        "n_groups": [Interval(Integral, 1, None, closed="left")],
        "n_channels": [Interval(Integral, 1, None, closed="left"), None],
        "eps": [Interval(Real, 0, None, closed="left")],
        "weight": ["array-like", Real, None],
        "bias": ["array-like", Real, None],
        "keep_stats": ["boolean"],
        "copy": ["boolean"],
    }

    def __init__(
        self,
        *,
        n_groups=1,
        n_channels=None,
        eps=1e-5,
        weight=None,
        bias=None,
        keep_stats=False,
        copy=True,
    ):
        self.n_groups = n_groups
        self.n_channels = n_channels
        self.eps = eps
        self.weight = weight
        self.bias = bias
        self.keep_stats = keep_stats
        self.copy = copy

    def _make_layout(self, n_features):
        n_channels, length = split_channels(self, n_features, self.n_channels)
        if n_channels % self.n_groups:
            raise ValueError(
                f"{type(self).__name__}: n_groups={self.n_groups} does not divide the "
                f"{n_channels} channels; choose a divisor of n_channels."
            )
        affine = [
            check_affine(self, name, value, n_channels)
            for name, value in (("weight", self.weight), ("bias", self.bias))
        ]
        g = self.n_groups
        return Layout(
            n_groups=g,
            weight=None if affine[0] is None else per_feature(affine[0], length),
            bias=None if affine[1] is None else per_feature(affine[1], length),
            kept=kept_names("mean", g, "_g") + kept_names("std", g, "_g"),
        )
