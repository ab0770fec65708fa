"""Instance normalisation of each sample and channel, with optional running statistics."""

from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import NotFittedError

from ._chunks import colreduce, fold, map_blocks
from ._export import FromTorchMixin
from ._registry import register
from ._running import initial_state, momentum_update
from ._samplewise import GroupedScaler, Layout, _nonzero, kept_names
from ._sklearn_compat import Interval, StrOptions
from ._stats import _safe_mean
from ._validation import check_affine, split_channels
from ._xp import get_namespace, to_numpy
from .functional._affine import batch_norm_kernel, per_feature
from .functional._arrays import quiet
from .functional._rows import group_std, one_pass_moments, scaled_moments


@register("instancenorm")
class InstanceNormScaler(FromTorchMixin, GroupedScaler):
    """Normalise each sample per channel, as PyTorch ``InstanceNorm1d`` on ``(N, C, L)``.

    Each row holds ``C`` channels laid out channels-first, ``(C, L)`` with
    ``L = n_features / C`` (a flattened ``(C, H, W)`` image is ``InstanceNorm2d``).

    .. math:: y_{icl} = \\frac{x_{icl} - \\mu_{ic}}{\\sqrt{\\sigma^2_{ic} + \\epsilon}}
              \\, \\gamma_c + \\beta_c

    with the mean :math:`\\mu_{ic}` and biased variance :math:`\\sigma^2_{ic}` of the
    non-NaN values of channel :math:`c` of row :math:`i`. NaN values are left out of
    the statistics and stay NaN; a constant channel maps to :math:`\\beta_c`.

    With ``track_running_stats=True`` the scaler learns per-channel running statistics
    and ``transform`` uses them, as PyTorch in eval mode: a fixed per-channel affine map
    with an exact inverse. As in PyTorch, ``running_mean_`` is the average of the
    per-instance means and ``running_var_`` the average of the per-instance *unbiased*
    variances (the spread within an instance). ``fit`` averages exactly over the
    training rows; ``partial_fit`` with ``momentum=None`` keeps the exact average over
    everything seen, with a float :math:`m` it is PyTorch's update from its initial
    state (mean 0, variance 1), :math:`r \\leftarrow (1 - m) r + m \\bar s` with the
    batch averages :math:`\\bar s`, and ``momentum="cumulative"`` is PyTorch's
    ``momentum=None`` (:math:`m = 1 / \\mathrm{num\\_batches\\_tracked}`).

    ``keep_stats=True`` appends ``mean_c0 .. mean_c{C-1}`` then ``std_c0 ..``
    (:math:`\\sqrt{\\sigma^2 + \\epsilon}`, the statistics the transform used), from which
    :meth:`inverse_transform` restores the data exactly up to rounding.

    Parameters
    ----------
    n_channels : int, default=1
        Number ``C`` of channels per row; must divide the number of features.
    eps : float, default=1e-5
        Added to the variance; 0 is allowed (a constant channel is then divided by 1).
    track_running_stats : bool, default=False
        Learn running statistics and normalise with them.
    momentum : None, float in [0, 1] or "cumulative", default=None
        How ``partial_fit`` updates the running statistics (see above).
    weight, bias : array-like of shape (n_channels,), float or None, default=None
        Fixed per-channel affine parameters (1 and 0 when None).
    keep_stats : bool, default=False
        Append each row's per-channel means and stds as extra columns.
    copy : bool, default=True
        ``False`` transforms a writeable float array in place (without ``keep_stats``).

    Attributes
    ----------
    running_mean_, running_var_ : ndarray of shape (n_channels,)
        Running statistics (only with ``track_running_stats=True``).
    num_batches_tracked_ : int
        Number of ``fit``/``partial_fit`` batches (only with ``track_running_stats=True``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    GroupNormScaler : Per group of channels of each sample.
    BatchNormScaler : Per channel over all samples.
    sklearn_norm.functional.instance_norm : The stateless function.

    References
    ----------
    D. Ulyanov, A. Vedaldi and V. Lempitsky, "Instance Normalization: The Missing
    Ingredient for Fast Stylization", arXiv:1607.08022, 2016.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_norm import InstanceNormScaler
    >>> X = np.array([[1.0, 3.0, 5.0, 5.0]])
    >>> InstanceNormScaler(n_channels=2, eps=0.0).fit_transform(X).tolist()
    [[-1.0, 1.0, 0.0, 0.0]]
    >>> tracked = InstanceNormScaler(n_channels=2, track_running_stats=True).fit(X)
    >>> tracked.running_mean_.tolist(), tracked.running_var_.tolist()
    ([2.0, 5.0], [2.0, 0.0])
    """

    _parameter_constraints = {
        "n_channels": [Interval(Integral, 1, None, closed="left")],
        "eps": [Interval(Real, 0, None, closed="left")],
        "track_running_stats": ["boolean"],
        "momentum": [None, Interval(Real, 0, 1, closed="both"), StrOptions({"cumulative"})],
        "weight": ["array-like", Real, None],
        "bias": ["array-like", Real, None],
        "keep_stats": ["boolean"],
        "copy": ["boolean"],
    }

    def __init__(
        self,
        *,
        n_channels=1,
        eps=1e-5,
        track_running_stats=False,
        momentum=None,
        weight=None,
        bias=None,
        keep_stats=False,
        copy=True,
    ):
        self.n_channels = n_channels
        self.eps = eps
        self.track_running_stats = track_running_stats
        self.momentum = momentum
        self.weight = weight
        self.bias = bias
        self.keep_stats = keep_stats
        self.copy = copy

    def _make_layout(self, n_features):
        n_channels, length = split_channels(self, n_features, self.n_channels)
        if self.track_running_stats and length < 2:
            raise ValueError(
                f"{type(self).__name__}: with track_running_stats=True each channel needs at "
                f"least 2 values for its unbiased variance, but n_features={n_features} with "
                f"n_channels={self.n_channels} leaves {length} per channel; use fewer channels."
            )
        weight = check_affine(self, "weight", self.weight, n_channels)
        bias = check_affine(self, "bias", self.bias, n_channels)
        return Layout(
            n_groups=n_channels,
            weight=None if weight is None else per_feature(weight, length),
            bias=None if bias is None else per_feature(bias, length),
            kept=kept_names("mean", n_channels, "_c") + kept_names("std", n_channels, "_c"),
            extra={"length": length, "weight": weight, "bias": bias},
        )

    # -- running statistics ------------------------------------------------------------
    def _batch_sums(self, X):
        """Per-channel sums over the rows of ``X`` that the running statistics come from.

        ``(4, C)``: count and total of the per-instance means, then of the unbiased
        variances. Additive over row blocks, so the dask and Array API adapters compute
        them block by block and hand them over; None when nothing is tracked.
        """
        if not self.track_running_stats:
            return None
        n_channels = self._layout.n_groups

        def block(start, stop):
            mean, var = _moments(X[start:stop, ...], n_channels)
            # reduced where the rows are (a GPU too): only (4, C) numbers reach the host
            xp = get_namespace(mean)
            return [to_numpy(f(xp, s)) for s in (mean, var) for f in (_count, _total)]

        if isinstance(X, np.ndarray):
            parts = map_blocks(block, X.shape[0], X.shape[1] * X.itemsize)
        else:  # another Array API namespace: one block, sums moved to the host
            parts = [block(0, X.shape[0])] if X.shape[0] else []
        return np.sum(parts, axis=0, dtype=np.float64) if parts else np.zeros((4, n_channels))

    def _learn(self, batch, reset, partial):
        if batch is None:
            return {}
        n_channels = self._layout.n_groups
        if not reset and getattr(self, "_sums", np.zeros((4, 0))).shape[1] != n_channels:
            raise ValueError(
                f"{type(self).__name__}.partial_fit: the running statistics so far were not "
                f"learned with these parameters (track_running_stats=True, n_channels="
                f"{self.n_channels}); call fit to start again."
            )
        sums = batch if reset else self._sums + batch
        if partial and self.momentum is not None:
            state = initial_state(n_channels) if reset else self._running_state()
            batch_mean, batch_var = _safe_mean(batch[1], batch[0]), _safe_mean(batch[3], batch[2])
            mean, var, n_batches = momentum_update(*state, batch_mean, batch_var, self.momentum)
            mean = np.where(np.isnan(batch_mean), state[0], mean)
            var = np.where(np.isnan(batch_var), state[1], var)
        else:
            missing = sums[2] == 0
            if missing.any():
                raise ValueError(
                    f"{type(self).__name__}: channel(s) {np.flatnonzero(missing).tolist()} have "
                    "no sample with 2 non-NaN values, so their unbiased variance is undefined."
                )
            mean, var = sums[1] / sums[0], sums[3] / sums[2]
            n_batches = 1 if reset else self.num_batches_tracked_ + 1
        too_large = np.isinf(mean) | np.isinf(var) | np.isinf(sums[1]) | np.isinf(sums[3])
        if too_large.any():
            raise ValueError(
                f"{type(self).__name__} got values too large for float64 statistics in "
                f"channel(s) {np.flatnonzero(too_large).tolist()}: their variance overflows; "
                "rescale them first, e.g. with DecimalScaler."
            )
        return {
            "_sums": sums,
            "running_mean_": mean,
            "running_var_": var,
            "num_batches_tracked_": int(n_batches),
        }

    def _running_state(self):
        """Running mean and variance as numpy float64 (they may live on a device)."""
        if not hasattr(self, "running_mean_"):
            raise NotFittedError(
                f"This {type(self).__name__} was fitted with track_running_stats=False: "
                "call fit again after setting it to True."
            )
        mean, var = (
            np.asarray(to_numpy(a), dtype=np.float64)
            for a in (self.running_mean_, self.running_var_)
        )
        return mean, var, self.num_batches_tracked_

    def _fixed_kernel(self, inverse=False):
        extra = self._layout.extra
        mean, var, _ = self._running_state()
        return batch_norm_kernel(
            mean,
            var,
            extra["weight"],
            extra["bias"],
            self.eps,
            channel_size=extra["length"],
            inverse=inverse,
        )

    # -- the map -----------------------------------------------------------------------
    def _forward(self, x, out=None):
        if not self.track_running_stats:
            return super()._forward(x, out)
        y = self._fixed_kernel()(x, out=out)
        mean, var, _ = self._running_state()
        return y, [mean[None, :], group_std(var, self.eps)[None, :]]

    def _forward_block(self, x, out, kept):
        return None if self.track_running_stats else super()._forward_block(x, out, kept)

    def _backward(self, y, stats, out=None):
        if stats is None:
            return self._fixed_kernel(inverse=True)(y, out=out)
        return super()._backward(y, stats, out)

    def _invertible(self):
        return (self.keep_stats or self.track_running_stats) and _nonzero(self.weight)


@quiet
def _moments(x, n_channels):
    """Per-instance mean and unbiased variance of each channel (float64, NaN-aware).

    A numpy block takes one pass (``one_pass_moments``) but for the rows it cannot
    trust, which take the exact two passes, as the transform's statistics do; other
    namespaces take the two passes on their device. A variance beyond float64 is inf
    (refused in ``_learn``).
    """
    if not isinstance(x, np.ndarray):
        _, mean, var, _, unit = scaled_moments(x, n_channels, ddof=1)
        return mean, var * unit * unit
    mean, var, _, count, ok, _ = one_pass_moments(x, n_channels)
    var *= count / (count - 1)  # unbiased (count 1: not ok, two passes give NaN)
    exact = np.flatnonzero(~ok.all(axis=1))
    if len(exact):
        _, mean_exact, var_exact, _, unit = scaled_moments(x[exact], n_channels, ddof=1)
        mean[exact], var[exact] = mean_exact, var_exact * unit * unit
    return mean, var


def _count(xp, stat):
    return _column_sums(xp, xp.astype(~xp.isnan(stat), stat.dtype))


def _total(xp, stat):
    return _column_sums(xp, xp.where(xp.isnan(stat), xp.zeros_like(stat), stat))


def _column_sums(xp, a):
    """Column sums; numpy's on folded rows (``a`` has few columns: 4x faster)."""
    return colreduce(np.add, a, fold(a.shape[1])) if xp is np else xp.sum(a, axis=0)
