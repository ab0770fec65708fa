"""Stateless normalisation functions with PyTorch's semantics, on any Array API array."""

from ._column import decimal_scale, min_max_scale, z_score
from ._deep import batch_norm, group_norm, instance_norm, layer_norm, unit_norm
from ._logscale import log_scale
from ._maxabs import max_abs_scale
from ._power import power_transform
from ._quantile import robust_scale
from ._rms import rms_norm
from ._weights import weight_norm, weight_standardize

__all__ = [
    "batch_norm",
    "decimal_scale",
    "group_norm",
    "instance_norm",
    "layer_norm",
    "log_scale",
    "max_abs_scale",
    "min_max_scale",
    "rms_norm",
    "power_transform",
    "robust_scale",
    "unit_norm",
    "weight_norm",
    "weight_standardize",
    "z_score",
]
