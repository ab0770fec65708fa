"""Column-wise maps: min-max, z-score, decimal scaling (log scaling: ``_logscale``).

Each public function is stateless and takes the statistics as arguments; each has a
``*_kernel`` twin (``kernel(x, out=None)``) that the estimators run block by block.
Per-feature parameters broadcast against the last axis of ``x``.
"""

import numpy as np

from .._xp import device, to_numpy, widest_float
from . import _checks, _ops
from ._affine import HALVE_ABOVE, affine_kernel, halved_affine_kernel, min_max_terms


def min_max_kernel(
    data_min,
    scale,
    feature_range=(0, 1),
    clip=False,
    inverse=False,
    clip_range=None,
    halve=False,
    dtype=None,
    data_max=None,
):
    """Kernel of :func:`min_max_scale`: ``(x - data_min) * scale + low``, and back.

    ``clip`` clips to ``clip_range``, by default ``feature_range``. Adding a ``low`` of
    0 would only turn a -0.0 into 0.0: skipped. ``halve`` (a map whose data range, width
    or factor may overflow, see :func:`~._affine.min_max_terms`; needs ``data_max``) computes, in
    float64 and rounded once, :math:`2 ((x/2 - x_{min}/2) / r' \\cdot w' + a/2)` with
    the halved range :math:`r' = x_{max}/2 - x_{min}/2` (1/2 for a constant feature)
    and width :math:`w' = b/2 - a/2`: the same map, every intermediate within float64.
    """
    low = feature_range[0]
    bottom, top = feature_range if clip_range is None else clip_range
    if halve:
        bounds = (bottom, top) if clip and not inverse else None
        return _halved_min_max(data_min, data_max, feature_range, bounds, inverse)
    bounds = (bottom, top) if clip else None
    return affine_kernel(data_min, scale, low or None, clip=bounds, inverse=inverse, dtype=dtype)


def _halved_min_max(data_min, data_max, feature_range, bounds, inverse):
    """The kernel of :func:`min_max_kernel`'s ``halve`` (see there)."""
    low, high = (float(v) for v in feature_range)
    start = np.asarray(data_min, dtype=np.float64) / 2
    span = np.asarray(data_max, dtype=np.float64) / 2 - start
    span = np.where(span < 10 * np.finfo(np.float64).eps / 2, 0.5, span)  # constant: 1
    width, base = high / 2 - low / 2, low / 2

    def kernel(x, out=None):
        xp = _ops.get_namespace(x)
        wide = xp.astype(x, widest_float(xp, device(x)), copy=True)
        wide *= 0.5
        if inverse:
            wide = (wide - base) / width * _ops.param(xp, span, wide) + _ops.param(xp, start, wide)
        else:
            wide = (wide - _ops.param(xp, start, wide)) / _ops.param(xp, span, wide) * width
            wide += base
        wide *= 2.0
        if bounds is not None:
            wide = _ops.clip(xp, wide, *bounds)
        if out is None:
            return wide if wide.dtype == x.dtype else xp.astype(wide, x.dtype)
        if isinstance(out, np.ndarray):
            np.copyto(out, wide, casting="same_kind")
            return out
        out[...] = wide
        return out

    return _quiet_overflow(kernel)


def _quiet_overflow(kernel):
    """``kernel`` giving ±inf without a RuntimeWarning where a result overflows its dtype."""
    return np.errstate(over="ignore")(kernel)


def min_max_scale(x, data_min, data_max, feature_range=(0, 1), clip=False):
    """Scale each feature linearly so that ``[data_min, data_max]`` maps to ``feature_range``.

    .. math:: y = (x - x_{min}) \\frac{b - a}{x_{max} - x_{min}} + a

    with ``(a, b) = feature_range``. A range :math:`x_{max} - x_{min}` below ten float64
    machine epsilons (about 2.2e-15, whatever the dtype: the statistics are float64)
    counts as 1, scikit-learn's ``_handle_zeros_in_scale`` rule: a constant feature maps
    to ``a``, and one spread over rounding noise (``[[0.1 + 0.2], [0.3]]``) to within
    ``2.2e-15 (b - a)`` of ``a``, not stretched over the range.

    Parameters
    ----------
    x : array of shape (..., n_features)
        Data, any Array API array.
    data_min, data_max : array-like of shape (n_features,)
        Per-feature minimum and maximum.
    feature_range : tuple (a, b), default=(0, 1)
        Target range.
    clip : bool, default=False
        Clip the result to ``feature_range``.

    Returns
    -------
    y : array like ``x``
        Scaled data, same namespace, device and floating dtype.

    Examples
    --------
    >>> from sklearn_norm.functional import min_max_scale
    >>> min_max_scale([[0.0, 5.0], [10.0, 5.0]], [0.0, 5.0], [10.0, 5.0]).tolist()
    [[0.0, 0.0], [1.0, 0.0]]
    >>> min_max_scale([[0.1 + 0.2], [0.3]], [0.3], [0.1 + 0.2]).tolist()
    [[5.551115123125783e-17], [0.0]]
    """
    xp, x = _ops.float_array(x)
    _checks.feature_range(feature_range)
    data_min = _checks.per_feature("data_min", data_min, x)
    data_max = _checks.per_feature("data_max", data_max, x)
    scale, halve = min_max_terms(data_min, data_max, feature_range)
    return min_max_kernel(data_min, scale, feature_range, clip, halve=halve, data_max=data_max)(x)


def z_score_kernel(mean, scale, inverse=False, dtype=None):
    """Kernel of :func:`z_score`: ``(x - mean) / scale``, and back; ``None`` skips a step.

    A mean beyond :data:`~._affine.HALVE_ABOVE` maps halved (``x - mean`` may overflow).
    """
    if mean is not None and np.any(np.abs(np.asarray(to_numpy(mean))) > HALVE_ABOVE):
        return halved_affine_kernel(mean, scale, divide=True, inverse=inverse)
    return affine_kernel(mean, scale, divide=True, inverse=inverse, dtype=dtype)


def z_score(x, mean, scale):
    """Standardise each feature: :math:`y = (x - \\mu) / s`.

    Parameters
    ----------
    x : array of shape (..., n_features)
        Data, any Array API array.
    mean : array-like of shape (n_features,) or None
        Centre :math:`\\mu`; ``None`` does not centre.
    scale : array-like of shape (n_features,) or None
        Scale :math:`s`; ``None`` does not scale. A zero scale (a constant feature)
        counts as 1, as in ``ZScoreScaler``.

    Returns
    -------
    y : array like ``x``
        Standardised data, same namespace, device and floating dtype.

    Examples
    --------
    >>> from sklearn_norm.functional import z_score
    >>> z_score([[1.0], [3.0]], mean=[2.0], scale=[1.0]).tolist()
    [[-1.0], [1.0]]
    """
    xp, x = _ops.float_array(x)
    mean = _checks.per_feature("mean", mean, x)
    scale = _checks.per_feature("scale", scale, x)
    if scale is not None:
        scale = np.where(scale == 0.0, 1.0, scale)  # a constant feature: divide by 1
    return z_score_kernel(mean, scale)(x)


#: ``float(f"1e{k}")`` for ``k`` in ``[-_TABLE_K, _TABLE_K]`` (0.0 and inf at the ends).
_TABLE_K = 400
_POWERS = np.array([float(f"1e{k}") for k in range(-_TABLE_K, _TABLE_K + 1)])


def powers_of_ten(n_digits):
    """The float64 nearest ``10.0**k`` for each integer ``k``, parsed from ``"1e{k}"``."""
    n_digits = np.asarray(n_digits, dtype=np.int64)
    if np.all(np.abs(n_digits) <= _TABLE_K):  # the parsed values, looked up
        return _POWERS[n_digits + _TABLE_K]
    flat = [float(f"1e{k}") for k in n_digits.ravel().tolist()]
    return np.asarray(flat, dtype=np.float64).reshape(n_digits.shape)


def decimal_kernel(n_digits, inverse=False, dtype=None):
    """Kernel of :func:`decimal_scale`: multiply by ``10**-j`` or divide by ``10**j``.

    Both factors are exact powers of ten, so each value is rounded once. ``dtype``:
    the numpy dtype the kernel mostly sees (its check is made once, at build time).
    """
    n_digits = np.asarray(to_numpy(n_digits), dtype=np.int64)
    down = powers_of_ten(np.maximum(n_digits, 0))  # divide by this
    up = powers_of_ten(np.maximum(-n_digits, 0))  # multiply by this
    if inverse:
        up, down = down, up
    needs_up, needs_down = bool(np.any(up != 1.0)), bool(np.any(down != 1.0))
    # whether the dtype the kernel mostly sees holds every factor (decided once)
    exact_in = {} if dtype is None else {np.dtype(dtype): _exact_powers(dtype, up, down)}

    def exact(dt):
        found = exact_in.get(dt)
        return _exact_powers(dt, up, down) if found is None else found

    # |j| > 308 (float64 values near the largest or subnormal): 10**|j| is inf in
    # float64, so scale in two steps, 10**300 then the rest (rounded twice)
    beyond = bool(np.any(np.abs(n_digits) > 308))
    if beyond:
        steps = [powers_of_ten(np.clip(d, 0, 300)) for d in (-n_digits, n_digits)]
        steps += [powers_of_ten(np.maximum(d - 300, 0)) for d in (-n_digits, n_digits)]
        up, down, up_rest, down_rest = steps if not inverse else [steps[i] for i in (1, 0, 3, 2)]

    def kernel(x, out=None):
        xp = _ops.get_namespace(x)
        if beyond and isinstance(x, np.ndarray):
            y = np.multiply(x, up, out=out)
            y *= up_rest
            y /= down
            y /= down_rest
            if y.dtype != x.dtype:  # float32/float16 scaled in float64, rounded back once
                with np.errstate(over="ignore"):
                    y = y.astype(x.dtype)
            return y
        if isinstance(x, np.ndarray) and not exact(x.dtype):
            # float32/float16 cannot hold every power of ten (1e5 overflows float16, 1e11
            # is inexact in float32): run the ufunc loop in float64, rounding once to x's dtype
            out = np.empty_like(x) if out is None else out
            np.multiply(x, up, out=out, dtype=np.float64, casting="same_kind")
            return np.divide(out, down, out=out, dtype=np.float64, casting="same_kind")
        if not isinstance(x, np.ndarray) and not exact(_ops.numpy_dtype(x)):
            wide = widest_float(xp, device(x))  # the same, rounded once, on x's device
            if wide != x.dtype:
                return xp.astype(kernel(xp.astype(x, wide)), x.dtype)
        if not needs_up:  # multiplying or dividing by 1 is exact: skip it
            return _ops.first(xp, "divide", x, _ops.param(xp, down, x), out)
        if not needs_down:
            return _ops.first(xp, "multiply", x, _ops.param(xp, up, x), out)
        y = _ops.first(xp, "multiply", x, _ops.param(xp, up, x), out)
        y /= _ops.param(xp, down, y)
        return y

    return _quiet_overflow(_ops.half_in_wide(kernel))


def _exact_powers(dtype, *factors):
    """Whether ``dtype`` holds every float64 factor exactly."""
    if dtype == np.float64:
        return True
    with np.errstate(over="ignore"):
        return all(
            np.array_equal(np.asarray(f, dtype=dtype).astype(np.float64), f) for f in factors
        )


def decimal_scale(x, n_digits):
    """Decimal scaling: :math:`y = x / 10^{j}` per feature.

    For ``j < 0`` the data is multiplied by :math:`10^{-j}` instead, which is exact.

    Parameters
    ----------
    x : array of shape (..., n_features)
        Data, any Array API array.
    n_digits : int or array-like of int of shape (n_features,)
        The exponent :math:`j`.

    Returns
    -------
    y : array like ``x``
        Scaled data, same namespace, device and floating dtype.

    Examples
    --------
    >>> from sklearn_norm.functional import decimal_scale
    >>> decimal_scale([[999.99, 0.05]], [3, -1]).tolist()
    [[0.99999, 0.5]]
    """
    xp, x = _ops.float_array(x)
    return decimal_kernel(_checks.integers("n_digits", n_digits, x))(x)


def learn_n_digits(max_abs):
    """Smallest integer ``j`` with ``max_abs < 10.0**j`` per feature (0 where ``max_abs`` is 0).

    Decided by comparing with the float64 powers of ten, never with ``log10``, so a
    value that is exactly ``1eK`` gets ``K + 1`` and ``999.99`` gets 3.
    """
    max_abs = np.asarray(max_abs, dtype=np.float64)
    low = -324
    table = powers_of_ten(np.arange(low, 310))
    j = np.searchsorted(table, np.nan_to_num(max_abs), side="right") + low
    return np.where((max_abs > 0) & np.isfinite(max_abs), j, 0).astype(np.int64)
