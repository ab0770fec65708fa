"""Batch normalisation with running statistics: PyTorch ``BatchNorm`` in eval mode."""

from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import NotFittedError

from ._base import ColumnScaler, WeightedFitMixin, n_samples_seen
from ._engine import affine
from ._export import FromTorchMixin
from ._merge import pool_channels
from ._registry import register
from ._running import initial_state, momentum_update
from ._sklearn_compat import Interval, StrOptions
from ._stats import MOMENTS
from ._validation import check_affine, column_labels, split_channels
from .functional._affine import batch_norm_terms


@register("batchnorm")
class BatchNormScaler(FromTorchMixin, WeightedFitMixin, ColumnScaler):
    """Normalise each channel with running statistics, as PyTorch ``BatchNorm`` in eval mode.

    .. math:: y = \\frac{x - \\mu_c}{\\sqrt{\\sigma^2_c + \\epsilon}} \\gamma_c + \\beta_c

    with the running mean :math:`\\mu_c` and unbiased running variance
    :math:`\\sigma^2_c` of channel :math:`c`, and fixed affine parameters
    :math:`\\gamma_c` (``weight``) and :math:`\\beta_c` (``bias``).

    ``fit`` learns the exact statistics of the whole training set, pooled over the
    samples and the ``L`` values of each channel (``num_batches_tracked_ = 1``).
    ``partial_fit`` with ``momentum=None`` keeps the exact statistics of all rows seen;
    with a float momentum :math:`m` it is PyTorch's train-mode update, starting from
    PyTorch's initial state (mean 0, variance 1):

    .. math:: \\mu_c \\leftarrow (1 - m) \\mu_c + m \\bar x_c, \\qquad
              \\sigma^2_c \\leftarrow (1 - m) \\sigma^2_c + m s^2_c

    with the batch mean :math:`\\bar x_c` and unbiased batch variance :math:`s^2_c`,
    so a sequence of ``partial_fit`` calls reproduces ``torch.nn.BatchNorm1d/2d`` batch
    by batch; ``momentum="cumulative"`` is PyTorch's ``momentum=None``
    (:math:`m = 1 / \\mathrm{num\\_batches\\_tracked}`). NaN values are ignored by
    ``fit`` and stay NaN.

    Parameters
    ----------
    eps : float, default=1e-5
        Added to the variance in the denominator.
    momentum : None, float in [0, 1] or "cumulative", default=None
        How ``partial_fit`` updates the running statistics (see above). ``fit`` always
        learns the exact statistics.
    weight, bias : array-like of shape (n_channels,), float or None, default=None
        Fixed affine parameters, e.g. exported from a trained network (1 and 0 when None).
    n_channels : int or None, default=None
        Number ``C`` of channels per row, laid out channels-first as ``(C, L)`` with
        ``L = n_features / C`` (a flattened ``(C, H, W)`` image). None means one channel
        per feature.
    copy : bool, default=True
        ``False`` transforms a writeable float array in place.

    Attributes
    ----------
    running_mean_ : ndarray of shape (n_channels,)
        Running mean of each channel.
    running_var_ : ndarray of shape (n_channels,)
        Running unbiased variance of each channel.
    num_batches_tracked_ : int
        Number of ``fit``/``partial_fit`` batches the statistics come from.
    n_samples_seen_ : int, float or ndarray of shape (n_features,)
        Number (sum of weights) of non-NaN values seen, one number if equal for all.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    ZScoreScaler : Per-feature standardisation with the biased variance.
    sklearn_norm.functional.batch_norm : The stateless function.

    Notes
    -----
    A channel needs more than one value to have an unbiased variance: fitting on one
    sample per channel raises a ValueError, as PyTorch does in train mode. With
    ``momentum=None``, ``partial_fit`` accepts a first chunk of one row (a stream starts
    anywhere): its ``running_var_`` is NaN until a second row arrives, and ``transform``
    raises that ValueError until then. With
    ``eps=0`` a constant channel is only centred (its denominator counts as 1).

    References
    ----------
    S. Ioffe and C. Szegedy, "Batch Normalization: Accelerating Deep Network Training
    by Reducing Internal Covariate Shift", ICML 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import BatchNormScaler
    >>> X = np.array([[1.0, 10.0], [3.0, 10.0]])
    >>> scaler = BatchNormScaler(eps=0.0).fit(X)
    >>> scaler.running_mean_.tolist(), scaler.running_var_.tolist()
    ([2.0, 10.0], [2.0, 0.0])
    >>> scaler.transform(X).round(4).tolist()
    [[-0.7071, 0.0], [0.7071, 0.0]]
    """

    _parameter_constraints = {
        "eps": [Interval(Real, 0, None, closed="left")],
        "momentum": [None, Interval(Real, 0, 1, closed="both"), StrOptions({"cumulative"})],
        "weight": ["array-like", Real, None],
        "bias": ["array-like", Real, None],
        "n_channels": [Interval(Integral, 1, None, closed="left"), None],
        "copy": ["boolean"],
    }
    _need = (MOMENTS,)

    def __init__(
        self, *, eps=1e-5, momentum=None, weight=None, bias=None, n_channels=None, copy=True
    ):
        self.eps = eps
        self.momentum = momentum
        self.weight = weight
        self.bias = bias
        self.n_channels = n_channels
        self.copy = copy

    def _sparse_reason(self):
        return "batch normalisation centres each channel, which fills in the zeros"

    def _layout(self, n_features):
        """``(C, L, weight, bias)`` for rows of ``n_features`` values, checked."""
        n_channels, length = split_channels(self, n_features, self.n_channels)
        weight = check_affine(self, "weight", self.weight, n_channels)
        bias = check_affine(self, "bias", self.bias, n_channels)
        return n_channels, length, weight, bias

    # -- fitting: the base merges exact statistics; here the running ones are derived --
    # The base hands ``_learn`` only the merged statistics; a momentum step also needs
    # this batch's own, which ``_check_values`` (called with them) keeps for the call.
    def _fit(self, X, sample_weight=None, reset=True, **kwargs):
        self._momentum_step = not reset and self.momentum is not None
        self._streaming = not reset
        try:
            return super()._fit(X, sample_weight, reset, **kwargs)
        finally:
            self.__dict__.pop("_momentum_step", None)
            self.__dict__.pop("_streaming", None)
            self.__dict__.pop("_batch", None)

    def _check_values(self, X, stats):
        """Check the layout and keep this batch's per-channel statistics for ``_learn``."""
        n_channels = self._layout(stats.count.size)[0]
        self._batch = pool_channels(stats, n_channels)

    def _channels(self, mask):
        """The channels of ``mask`` in words (the columns when ``n_channels`` is None)."""
        if self.n_channels is None:
            return column_labels(self, mask)
        return f"channel(s) {np.flatnonzero(mask).tolist()}"

    def _require_float64_variance(self, channel_stats):
        """Refuse channels whose variance ``running_var_`` (float64) cannot hold: beyond
        float64, or below its normal range where ``eps`` does not dominate it."""
        scaled = channel_stats.variance_in_units(ddof=1)  # finite: see Stats.exp
        var = channel_stats.variance(ddof=1)
        tiny = np.finfo(np.float64).tiny
        over = (scaled > 0) & np.isinf(var)
        under = (scaled > 0) & (var < tiny) & (self.eps < tiny)
        for bad, what in ((over, "overflows float64"), (under, "is below float64's normal range")):
            if bad.any():
                raise ValueError(
                    f"{type(self).__name__} got values in {self._channels(bad)}: their "
                    f"variance {what}, which running_var_ (float64, as PyTorch's) cannot "
                    f"hold with eps={self.eps!r}; rescale those columns first, e.g. with "
                    "DecimalScaler."
                )

    def _require_two(self, channel_stats):
        """Refuse channels with at most one value: their unbiased variance is undefined."""
        few = channel_stats.count <= 1
        if few.any():
            n = float(np.min(channel_stats.count))
            where = self._channels(few)
            raise ValueError(
                f"{type(self).__name__} got {n:g} sample{'' if n == 1 else 's'} in {where}: "
                "the unbiased variance needs at least 2 values per channel (PyTorch's "
                "BatchNorm refuses it too); fit on more rows."
            )

    def _learn(self, stats):
        n_channels = self._batch.count.size
        if self._momentum_step:
            batch = self._batch
            if hasattr(self, "running_mean_") and np.shape(self.running_mean_)[0] != n_channels:
                raise ValueError(
                    f"BatchNormScaler.partial_fit: the running statistics so far have "
                    f"{np.shape(self.running_mean_)[0]} channel(s), n_channels="
                    f"{self.n_channels!r} makes {n_channels}; call fit to start again."
                )
            self._require_two(batch)
            self._require_float64_variance(batch)
            state = (
                (self.running_mean_, self.running_var_, self.num_batches_tracked_)
                if hasattr(self, "running_mean_")
                else initial_state(n_channels)
            )
            mean, var, n_batches = momentum_update(
                *state, batch.mean, batch.variance(ddof=1), self.momentum
            )
        else:
            pooled = pool_channels(stats, n_channels)
            var = pooled.variance(ddof=1)
            if self._streaming:  # streams start anywhere: transform asks for two values
                var = np.where(pooled.count <= 1, np.nan, var)
            else:
                self._require_two(pooled)
            self._require_float64_variance(pooled)
            mean = pooled.mean
            n_batches = getattr(self, "num_batches_tracked_", 0) + 1
        return {
            "running_mean_": mean,
            "running_var_": var,
            "num_batches_tracked_": int(n_batches),
            "n_samples_seen_": n_samples_seen(stats),
        }

    def _describe(self):
        n_channels, length, weight, bias = self._layout(self.n_features_in_)
        learned = np.shape(self.running_mean_)[0]
        if learned != n_channels:  # n_channels set after fit
            raise NotFittedError(
                f"This BatchNormScaler learned running statistics for {learned} channel(s), "
                f"but n_channels={self.n_channels!r} makes {n_channels}: call fit again "
                "after changing n_channels."
            )
        if np.isnan(self.running_var_).any() and hasattr(self, "_stats"):
            self._require_two(pool_channels(self._stats, n_channels))  # streamed 1 row
        centre, factor, offset = batch_norm_terms(
            self.running_mean_, self.running_var_, weight, bias, self.eps, length
        )
        return affine(centre=centre, factor=factor, offset=offset)  # halved past HALVE_ABOVE
