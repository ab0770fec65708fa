"""What a fitted estimator computes, as plain numbers: the one place the exporters read.

The ONNX converters (:mod:`sklearn_norm.onnx`) and the PyTorch adapter (``_torch``)
build their graphs from these descriptions, never from an estimator's attributes, so a
new scaler needs a description here (or an ``_export_description`` method of its own),
not an edit in each exporter; a column-wise scaler whose map is an engine ``Affine``
(its ``_describe()``) needs neither: its description is derived from that map. Every
array is float64, one value per feature.

- :class:`Affine`: column-wise ``y = (x - centre) * factor + offset`` (``divide``:
  ``/ factor``), then clipped; MinMax, ZScore, Decimal, BatchNorm, and InstanceNorm with
  tracked statistics. ``kept`` holds constant statistics columns appended to every row.
- :class:`Log`: ``t = x - shift``, ``log1p(t)`` where ``ones`` else ``log(t)``, NaN
  where ``t`` is outside the domain, divided by ``log(base)``; or the signed log.
- :class:`Groups`: each row split into ``n_groups`` contiguous groups, centred and
  divided by ``sqrt(var + eps)`` (1 where 0) of its non-NaN values, then ``* weight +
  bias``; layer, group and instance normalisation; ``keep`` appends the means and stds.
- :class:`Quantiles`: per feature, the piecewise-linear map from the learned quantiles to
  the references (the mean of the ascending and descending interpolations where
  quantiles repeat), then the normal quantile function, as scikit-learn's
  ``QuantileTransformer``.
- :class:`RowNorms`: each row divided by its l1, l2 or max norm of the non-NaN values
  (1 where 0); ``keep`` appends the norm.
- :class:`RowRMS`: each row divided by ``sqrt(mean(x**2) + eps)`` of its non-NaN values
  (1 where 0), then ``* weight``; ``eps=None`` is the machine epsilon of the input's
  computation type (float64 for float64 input, else float32); ``keep`` appends the rms.
- :class:`Power`: per feature, Yeo-Johnson (``sign(x) * expm1(a * log1p(|x|)) / a``
  with ``a = λ`` for ``x >= 0``, ``2 - λ`` for ``x < 0``) or Box-Cox
  (``expm1(λ log x) / λ``, NaN outside ``0 < x < inf``), the logarithm itself where
  ``|a|`` is below float64's machine epsilon; then ``(y - mean) / scale`` unless None.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._engine import Affine as EngineAffine
from .functional._affine import per_feature
from .functional._logscale import _log_terms
from .functional._rows import group_std

#: scikit-learn's ``BOUNDS_THRESHOLD`` of the quantile transform.
BOUNDS_THRESHOLD = 1e-7


@dataclass(frozen=True)
class Affine:
    centre: np.ndarray | None
    factor: np.ndarray | None
    offset: np.ndarray | None
    divide: bool = False
    clip: tuple | None = None
    kept: np.ndarray | None = None


@dataclass(frozen=True)
class Log:
    shift: np.ndarray
    ones: np.ndarray
    base: float
    signed: bool


@dataclass(frozen=True)
class Groups:
    n_groups: int
    eps: float
    weight: np.ndarray | None
    bias: np.ndarray | None
    keep: bool


@dataclass(frozen=True)
class Quantiles:
    quantiles: np.ndarray  # (n_quantiles, n_features)
    references: np.ndarray  # (n_quantiles,)
    normal: bool
    clip: tuple  # the normal output's bounds


@dataclass(frozen=True)
class RowNorms:
    norm: str
    keep: bool


@dataclass(frozen=True)
class RowRMS:
    eps: float | None  # None: the machine epsilon of the input's computation type
    weight: np.ndarray | None
    keep: bool


@dataclass(frozen=True)
class Power:
    lambdas: np.ndarray
    box_cox: bool
    mean: np.ndarray | None
    scale: np.ndarray | None


def _f64(values):
    return None if values is None else np.asarray(values, dtype=np.float64).reshape(-1)


def _min_max(est):
    low, high = est.feature_range
    return Affine(
        _f64(est.data_min_),
        _f64(est.scale_),
        np.full(est.n_features_in_, float(getattr(est, "_fit_range_", est.feature_range)[0])),
        clip=(float(low), float(high)) if est.clip else None,
    )


def _divide_by_scale(est):
    """``x / scale_`` (MaxAbsScaler: its map is an elementwise description)."""
    return Affine(None, _f64(est.scale_), None, divide=True)


def _from_map(est):
    """The description of a column-wise scaler whose map (``_describe()``, which its
    ``transform`` runs) is an engine ``Affine``, its terms broadcast to one value per
    feature; None for other maps and for a ``transform`` of its own."""
    from ._base import ColumnScaler  # the engine runs _describe() only in its transform

    if getattr(type(est), "transform", None) is not ColumnScaler.transform:
        return None
    description = est._describe()
    if not isinstance(description, EngineAffine):
        return None

    def full(term):
        return None if term is None else np.broadcast_to(_f64(term), (est.n_features_in_,)).copy()

    centre, factor, offset, divide, clip = description
    clip = None if clip is None else (float(clip[0]), float(clip[1]))
    return Affine(full(centre), full(factor), full(offset), bool(divide), clip)


def _quantiles(est):
    """scikit-learn's ``QuantileTransformer`` map (QuantileScaler lands from i15)."""
    from scipy.special import ndtri

    margin = BOUNDS_THRESHOLD - np.spacing(1)
    return Quantiles(
        np.asarray(est.quantiles_, dtype=np.float64),
        np.asarray(est.references_, dtype=np.float64),
        est.output_distribution == "normal",
        (float(ndtri(margin)), float(ndtri(1 - margin))),
    )


def _decimal(est):
    n_digits = np.asarray(est.n_digits_, dtype=np.int64).reshape(-1)
    if np.any(np.abs(n_digits) > 300):
        raise ValueError(
            f"DecimalScaler with n_digits_ up to {int(np.max(np.abs(n_digits)))} cannot be "
            "exported: 10**n overflows float64 beyond 308 (the transform scales in two "
            "steps there); export data in ordinary ranges."
        )
    factor = np.broadcast_to(10.0 ** n_digits.astype(np.float64), (est.n_features_in_,))
    return Affine(None, factor.copy(), None, divide=True)


def _channel_affine(mean, var, weight, bias, eps, length, kept=None):
    std = np.sqrt(_f64(var) + eps)
    std = np.where(std == 0.0, 1.0, std)
    gamma = 1.0 if weight is None else _f64(weight)
    return Affine(
        per_feature(mean, length),
        per_feature(gamma / std, length),
        None if bias is None else per_feature(bias, length),
        kept=kept,
    )


def _batch_norm(est):
    n_channels, length, weight, bias = est._layout(est.n_features_in_)
    return _channel_affine(est.running_mean_, est.running_var_, weight, bias, est.eps, length)


def _instance_norm(est):
    layout = est._layout
    if not est.track_running_stats:
        return _groups(est)
    extra = layout.extra
    mean, var, _ = est._running_state()
    kept = np.concatenate([mean, group_std(var, est.eps)]) if est.keep_stats else None
    return _channel_affine(
        mean, var, extra["weight"], extra["bias"], est.eps, extra["length"], kept
    )


def _log(est):
    shift, ones, *_ = _log_terms(est.offset_, est._centre())
    n = est.n_features_in_
    return Log(
        np.broadcast_to(shift, (n,)).astype(np.float64),
        np.broadcast_to(ones, (n,)).copy(),
        float(est.base),
        bool(est.signed),
    )


def _groups(est):
    layout = est._layout
    return Groups(
        layout.n_groups, float(est.eps), _f64(layout.weight), _f64(layout.bias), est._keep()
    )


def _unit_norm(est):
    return RowNorms(est.norm, bool(est.keep_norm))


def _rms_norm(est):
    eps = None if est.eps is None else float(est.eps)
    return RowRMS(eps, _f64(est._layout.weight), bool(est.keep_stats))


def _power(est):
    standardize = est.standardize
    return Power(
        _f64(est.lambdas_),
        est.method == "box-cox",
        _f64(est.mean_) if standardize else None,
        _f64(est.scale_) if standardize else None,
    )


_DESCRIBE = {
    "MinMaxScaler": _min_max,
    "DecimalScaler": _decimal,
    "LogScaler": _log,
    "BatchNormScaler": _batch_norm,
    "InstanceNormScaler": _instance_norm,
    "LayerNormScaler": _groups,
    "GroupNormScaler": _groups,
    "UnitNormScaler": _unit_norm,
    "RMSNormScaler": _rms_norm,
    "PowerScaler": _power,
    "MaxAbsScaler": _divide_by_scale,
    "QuantileScaler": _quantiles,
}


def describe(estimator):
    """The description of a fitted estimator's ``transform``: one of the classes above.

    Raises
    ------
    NotImplementedError
        For an estimator without a description: it cannot be exported (yet).
    """
    check_is_fitted(estimator)
    own = getattr(estimator, "_export_description", None)
    if own is not None:
        return own()
    name = type(estimator).__name__
    derived = None if name in _DESCRIBE else _from_map(estimator)
    if derived is not None:
        return derived
    if name not in _DESCRIBE:
        raise NotImplementedError(
            f"{name} cannot be exported to ONNX or PyTorch yet: sklearn_norm._export has no "
            f"description of its transform (known: {', '.join(sorted(_DESCRIBE))})."
        )
    return _DESCRIBE[name](estimator)


def n_kept(description):
    """Number of statistics columns appended to each row."""
    if isinstance(description, Affine):
        return 0 if description.kept is None else description.kept.size
    if isinstance(description, Groups):
        return 2 * description.n_groups if description.keep else 0
    if isinstance(description, RowNorms | RowRMS):
        return int(description.keep)
    return 0


class ExportMixin:
    """``to_torch``: every fitted estimator as a PyTorch module (torch imported lazily)."""

    def to_torch(self, *, builtin=True, dtype=None):
        """The fitted map as an eval-mode ``torch.nn.Module`` equal to :meth:`transform`.

        Where PyTorch has a layer computing the same map (``BatchNorm1d`` with the
        running statistics, ``LayerNorm``, ``GroupNorm``, ``InstanceNorm1d``) and
        ``builtin=True``, that layer is returned (with its parameters set), wrapped to take
        rows of ``C * L`` values where it expects ``(N, C, L)``; otherwise a small module
        with float64 buffers, computing in float64 and rounding once to the input's dtype.
        Every module passes ``torch.jit.script`` and ``torch.export.export``.

        Parameters
        ----------
        builtin : bool, default=True
            Return PyTorch's own layer where one computes the map. On a row holding NaN it
            gives a row of NaN, where ``transform`` leaves NaN out of the row's statistics
            and normalises the rest; ``builtin=False`` gives the module that does the
            same as ``transform`` on NaN too.
        dtype : torch.dtype or None, default=None
            The dtype of a built-in layer's parameters and inputs (None: PyTorch's
            default dtype, float32). The other modules take any floating input.

        Returns
        -------
        module : torch.nn.Module
            In eval mode; ``module(torch.as_tensor(X))`` equals ``transform(X)``.
        """
        from ._torch import to_torch

        return to_torch(self, builtin=builtin, dtype=dtype)


class FromTorchMixin:
    """``from_torch``: a fitted scaler from a trained PyTorch normalisation layer."""

    @classmethod
    def from_torch(cls, layer, *, n_features=None):
        """A fitted scaler computing ``layer`` in eval mode on rows of ``n_features`` values.

        Weight, bias, eps and, for batch and instance norm with tracked statistics, the
        running mean, running variance and ``num_batches_tracked`` are taken from the layer
        (``momentum`` too, so that ``partial_fit`` continues its training rule), so that
        ``from_torch(layer).transform(X)`` equals ``layer.eval()(torch.as_tensor(X))`` on
        ``X`` of shape ``(N, C)``, or on ``X.reshape(N, C, L)`` reshaped back.

        Parameters
        ----------
        layer : torch.nn.Module
            A ``BatchNorm1d/2d/3d`` (``BatchNormScaler``), ``InstanceNorm1d/2d/3d``,
            ``LayerNorm``, ``GroupNorm`` or ``RMSNorm`` layer, as the class takes.
        n_features : int or None, default=None
            Values per row, ``C * L``; None: the layer's size (one value per channel;
            two for an instance norm with tracked statistics, which needs them).

        Returns
        -------
        estimator : object
            A fitted instance of the class.
        """
        from ._torch import layer_state
        from ._torch_state import from_state

        return from_state(cls, layer_state(cls, layer), n_features)
