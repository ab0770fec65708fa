"""Stateless normalisation functions with PyTorch's semantics, on any Array API array."""

from ._column import decimal_scale, log_scale, min_max_scale, z_score

__all__ = ["decimal_scale", "log_scale", "min_max_scale", "z_score"]
