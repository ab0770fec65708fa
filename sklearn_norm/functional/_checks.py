"""Argument checks of the column-wise functions (the estimators check their parameters
through scikit-learn's constraints; a function called directly checks its own)."""

import math
from numbers import Integral, Real

import numpy as np

from .._xp import to_numpy


def per_feature(name, values, x):
    """``values`` as float64 numpy: one number, or one per feature (the last axis of ``x``).

    Raises a ValueError naming ``name`` for any other shape.
    """
    if values is None:
        return None
    arr = np.asarray(to_numpy(values), dtype=np.float64)
    n_features = x.shape[-1] if x.ndim else 1
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] not in (1, n_features)):
        raise ValueError(
            f"{name} must be one number or one per feature ({n_features}), got shape {arr.shape}."
        )
    return arr


def integers(name, values, x):
    """:func:`per_feature` for integer values: a ValueError for ``1.5`` or NaN."""
    arr = per_feature(name, values, x)
    if not np.all(np.isfinite(arr) & (arr == np.round(arr))):
        raise ValueError(f"{name} must hold integers, got {np.asarray(to_numpy(values))!r}.")
    return arr.astype(np.int64)


def feature_range(value):
    """``(a, b)``: two finite numbers with ``a < b``, else a ValueError."""
    ok = (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(v, Real) and math.isfinite(v) for v in value)
        and value[0] < value[1]
    )
    if not ok:
        raise ValueError(
            f"feature_range must be two finite numbers (a, b) with a < b, got {value!r}."
        )
    return value


def log_base(base):
    """A finite positive base other than 1, else a ValueError."""
    if isinstance(base, Integral | Real) and math.isfinite(base) and base > 0 and base != 1:
        return base
    raise ValueError(f"base must be a finite positive number other than 1, got {base!r}.")
