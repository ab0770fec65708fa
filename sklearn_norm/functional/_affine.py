"""The per-channel affine map of normalisation with fixed statistics (batch norm, eval mode).

Rows hold ``C`` channels laid out channels-first, ``C * L`` values each (a flattened
``(C, H, W)`` image has ``L = H * W``; an ``(N, C, *spatial)`` array reshaped to
``(N, -1)`` is such a block of rows). Per-channel parameters are repeated ``L`` times
along the last axis.
"""

import numpy as np

from . import _ops

#: A map whose data range or width exceeds float32's largest value runs halved in float64
#: (``functional._column.min_max_kernel``): ``x - data_min`` or the factor may overflow
#: the data's dtype.
_NARROW_MAX = float(np.finfo(np.float32).max)


def per_feature(values, channel_size):
    """Per-channel ``values`` repeated ``channel_size`` times: one value per feature."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    return values if channel_size == 1 else np.repeat(values, channel_size)


def affine_kernel(
    centre=None, factor=None, offset=None, divide=False, clip=None, inverse=False, dtype=None
):
    """Kernel of the per-feature affine map and of its inverse.

    .. math:: y = (x - c) \\cdot f + o \\quad (\\text{or } (x - c) / f + o
              \\text{ with ``divide``}), \\qquad x = (y - o) / f + c

    The centre is subtracted without losing its low bits in float32 (see
    :func:`sklearn_norm.functional._ops.shift`); a factor that the data's dtype cannot
    hold (beyond it, or rounded to 0 for a divisor) is applied in float64, rounding once.
    ``clip=(low, high)`` clips the forward map's result. A ``None`` term is skipped.

    Parameters
    ----------
    centre, factor, offset : array-like of shape (n_features,), float or None
        :math:`c`, :math:`f` and :math:`o` (float64).
    divide : bool, default=False
        Divide by the factor (and multiply on the way back).
    clip : tuple (low, high) or None, default=None
        Clip the forward result.
    inverse : bool, default=False
        Build the inverse map.
    dtype : numpy dtype or None, default=None
        The numpy dtype the kernel will mostly see: its terms are prepared once, at
        build time (others are prepared on each call).

    Returns
    -------
    kernel : callable
        ``kernel(x, out=None)`` on an Array API array of shape ``(..., n_features)``; on
        numpy with ``out`` it writes there (``out`` may be ``x``). float16 runs in a wider
        float, rounded once.
    """

    def prepare(dtype):
        """The numpy terms in ``dtype``: ``(hi, lo, factor, offset)``."""
        hi, lo = (None, None) if centre is None else _ops.split(centre, dtype)
        f = (
            None
            if factor is None
            else (_divisor_for if divide else _ops.factor_for)(factor, dtype)
        )
        return hi, lo, f, None if offset is None else _ops.cast(offset, dtype)

    # float16 runs in float64 (``half_in_wide``): its terms are float64 ones
    built = None if dtype is None else np.dtype(np.float64 if dtype == np.float16 else dtype)
    terms = None if built is None else prepare(built)

    scale = np.divide if divide != inverse else np.multiply

    def kernel(x, out=None):
        """The map on numpy float32/float64: ``x`` copied into ``out``, each term applied
        in place there (one stream in and one out per step)."""
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f" or x.dtype == np.float16:
            return elsewhere(x, out)
        hi, lo, f, o = terms if built is not None and x.dtype == built else prepare(x.dtype)
        y = np.array(x, copy=True) if out is None else out
        if y is not x:
            np.copyto(y, x)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if inverse:  # ±inf where x - centre overflows x's dtype
                for term, step in ((o, np.subtract), (f, scale), (hi, np.add), (lo, np.add)):
                    if term is not None:
                        step(y, term, out=y)
                return y
            for term, step in ((hi, np.subtract), (lo, np.subtract), (f, scale), (o, np.add)):
                if term is not None:
                    step(y, term, out=y)
        return y if clip is None else np.clip(y, *clip, out=y)

    def on_namespace(x, out=None):
        """float16 (through float64) and other namespaces than numpy."""
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            return kernel(x, out)
        xp = _ops.get_namespace(x)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return _xp_step(xp, x, out, centre, factor, offset, divide, clip, inverse)

    elsewhere = _ops.half_in_wide(on_namespace)
    return kernel


def _xp_step(xp, x, out, centre, factor, offset, divide, clip, inverse):
    """The affine map (or its inverse) on any namespace, term by term."""
    if out is None and type(x).__module__.split(".")[0] == "torch":
        fused = _torch_affine(x, centre, factor, offset, divide, clip, inverse)
        if fused is not None:
            return fused
    if inverse:
        if offset is None:
            y = _ops.copy_into(xp, x, out)
        else:
            y = _ops.first(xp, "subtract", x, _ops.param(xp, offset, x), out)
        if factor is not None:
            if divide:
                y *= _ops.param(xp, factor, y)
            else:
                y /= _ops.param(xp, factor, y)
        return y if centre is None else _ops.unshift(xp, y, centre)
    y = _ops.copy_into(xp, x, out) if centre is None else _ops.shift(xp, x, centre, out)
    if factor is not None:
        if divide:
            y /= _ops.param(xp, factor, y)
        else:
            y *= _ops.param(xp, factor, y)
    if offset is not None:
        y += _ops.param(xp, offset, y)
    return y if clip is None else _ops.clip(xp, y, *clip)


def _torch_affine(x, centre, factor, offset, divide, clip, inverse):
    """The map on a float32/float64 torch tensor in two native passes (None: not here).

    .. math:: y = (x - c_{hi}) \\cdot f + (o - c_{lo} f), \\qquad
              x = y / f + (c - o / f)

    (``/`` and ``*`` exchanged with ``divide``): ``x - c_hi`` is exact near the centre
    (see :func:`sklearn_norm.functional._ops.shift`), so the low part ``c_lo`` of a large
    centre is kept, and the rest is one ``torch.addcmul`` / ``addcdiv`` in place. The
    terms are combined in float64 on the host; where one does not fit ``x``'s dtype
    (a factor beyond it, or a divisor rounded to 0) the caller runs the map term by term.
    """
    import torch

    if x.dtype not in (torch.float32, torch.float64):
        return None
    dtype = np.float32 if x.dtype == torch.float32 else np.float64
    f = np.ones(1) if factor is None else np.asarray(_ops.to_numpy(factor), dtype=np.float64)
    o = 0.0 if offset is None else np.asarray(_ops.to_numpy(offset), dtype=np.float64)
    c = 0.0 if centre is None else np.asarray(_ops.to_numpy(centre), dtype=np.float64)
    y = x
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if inverse:  # x = y / f + (c - o / f)  (``* f`` and ``- o * f`` with divide)
            base = c - (o * f if divide else o / f)
        else:
            hi = np.asarray(c, dtype=dtype)
            lo = c - hi.astype(np.float64)
            base = o - (lo / f if divide else lo * f)
            if centre is not None:
                y = torch.sub(x, _tensor(hi, x))
        # each term must fit the dtype: no new infinity, no factor rounded to 0
        narrow_f, narrow_base = f.astype(dtype), np.asarray(base, dtype=dtype)
        if np.any((narrow_f == 0) & (f != 0)) or np.any(
            np.isinf(narrow_f) & np.isfinite(f) | np.isinf(narrow_base) & np.isfinite(base)
        ):
            return None
    fused = torch.addcmul if divide == inverse else torch.addcdiv
    if y is x:
        y = fused(_tensor(base, x), x, _tensor(f, x))
    else:
        fused(_tensor(base, x), y, _tensor(f, x), out=y)
    if clip is not None and not inverse:
        y.clamp_(*clip)
    return y


def _tensor(values, like):
    """float64 host ``values`` as a tensor of ``like``'s dtype and device."""
    import torch

    return torch.as_tensor(np.asarray(values, dtype=np.float64)).to(like.dtype).to(like.device)


def _divisor_for(scale, dtype):
    """``scale`` as ``dtype``, or as float64 where ``dtype`` rounds it to 0 or infinity.

    A float32 feature spread over subnormals (``scale_`` 7e-46) would divide by zero, one
    spread over -3e38..3e38 (``scale_`` 5e38) by infinity.
    """
    wide = _ops.cast(scale, np.float64)
    with np.errstate(over="ignore"):
        narrow = _ops.cast(wide, dtype)
    lost = ((narrow == 0.0) & (wide != 0.0)) | (np.isinf(narrow) & np.isfinite(wide))
    return wide if np.any(lost) else narrow


def batch_norm_terms(running_mean, running_var, weight=None, bias=None, eps=1e-5, channel_size=1):
    """``(centre, factor, offset)`` per feature of batch normalisation in eval mode.

    .. math:: y = (x - \\mu_c) \\frac{\\gamma_c}{\\sqrt{\\sigma^2_c + \\epsilon}} + \\beta_c

    The factor is computed in float64; a zero denominator (a constant channel with
    ``eps=0``) counts as 1, so such a channel maps to :math:`\\beta_c` instead of NaN.
    The inverse, :math:`x = (y - \\beta_c) / f_c + \\mu_c`, is infinite where
    :math:`\\gamma_c = 0`. Per-channel values are repeated ``channel_size`` times.
    """
    std = np.sqrt(np.asarray(running_var, dtype=np.float64) + eps)
    std = np.where(std == 0.0, 1.0, std)
    gamma = 1.0 if weight is None else np.asarray(weight, dtype=np.float64)
    factor = per_feature(gamma / std, channel_size)
    centre = per_feature(running_mean, channel_size)
    return centre, factor, None if bias is None else per_feature(bias, channel_size)


#: An affine map whose centre exceeds this in magnitude runs on halved values (see
#: :func:`halved_affine_kernel`): ``x - centre`` may overflow float32 past it.
HALVE_ABOVE = 2.0**100


def halved_affine_kernel(centre=None, factor=None, offset=None, divide=False, inverse=False,
                         dtype=None):  # fmt: skip
    """:func:`affine_kernel` for data whose ``x - centre`` may overflow its dtype.

    On the features whose centre exceeds :data:`HALVE_ABOVE`,
    :math:`y = 2 ((x/2 - c/2) f + o/2)` (or :math:`/ f`): the same map, exact where
    halving is (away from subnormals), whose intermediates are half the result's size.
    """
    h = np.where(np.abs(np.asarray(centre, dtype=np.float64)) > HALVE_ABOVE, 0.5, 1.0)

    def half(value):
        return None if value is None else np.asarray(value, dtype=np.float64) * h

    inner = affine_kernel(half(centre), factor, half(offset), divide=divide, inverse=inverse)

    def kernel(x, out=None):
        xp = _ops.get_namespace(x)
        y = inner(x * _ops.param(xp, h, x))  # a new array: x is never written
        y /= _ops.param(xp, h, y)
        if out is None:
            return y
        if isinstance(out, np.ndarray):
            np.copyto(out, y)
            return out
        out[...] = y
        return out

    return np.errstate(over="ignore")(kernel)  # ±inf beyond the dtype, quietly


def batch_norm_kernel(
    running_mean, running_var, weight=None, bias=None, eps=1e-5, channel_size=1, inverse=False
):
    """Kernel of batch normalisation in eval mode, per channel, and of its inverse.

    .. math:: y = (x - \\mu_c) \\frac{\\gamma_c}{\\sqrt{\\sigma^2_c + \\epsilon}} + \\beta_c

    Parameters
    ----------
    running_mean, running_var : array-like of shape (C,)
        Per-channel mean :math:`\\mu_c` and variance :math:`\\sigma^2_c`.
    weight, bias : array-like of shape (C,) or None, default=None
        Affine :math:`\\gamma_c` (1 when None) and :math:`\\beta_c` (0 when None).
    eps : float, default=1e-5
        Added to the variance.
    channel_size : int, default=1
        Number ``L`` of consecutive values per channel in a row.
    inverse : bool, default=False
        Build the inverse map.

    Returns
    -------
    kernel : callable
        ``kernel(x, out=None)`` (see :func:`affine_kernel`).
    """
    terms = batch_norm_terms(running_mean, running_var, weight, bias, eps, channel_size)
    if np.any(np.abs(terms[0]) > HALVE_ABOVE):  # x - mean may overflow x's dtype
        return halved_affine_kernel(*terms, inverse=inverse)
    return affine_kernel(*terms, inverse=inverse)


def min_max_terms(data_min, data_max, feature_range=(0, 1)):
    """``(factor, halve)`` of min-max scaling to ``feature_range = (a, b)``.

    .. math:: f = \\frac{b - a}{x_{max} - x_{min}}

    a range below ten float64 machine epsilons (about 2.2e-15) counting as 1, as
    scikit-learn's ``_handle_zeros_in_scale``: it is rounding noise of a constant
    feature, so ``[[0.1 + 0.2], [0.3]]`` is not stretched to ``[1, 0]``. ``halve``:
    whether some feature's range or the width may overflow the data's dtype (float32's
    largest value, or beyond float64), or the factor float64; such a map is computed on
    halved values in float64 (``min_max_kernel``), and the factor from halved terms,
    :math:`(b/2 - a/2) / (x_{max}/2 - x_{min}/2)`, the same factor, finite.
    """
    low, high = float(feature_range[0]), float(feature_range[1])
    if not (type(data_min) is np.ndarray and data_min.dtype == np.float64):
        data_min = _host(data_min)
    if not (type(data_max) is np.ndarray and data_max.dtype == np.float64):
        data_max = _host(data_max)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        spans = data_max - data_min
        width = high / 2 - low / 2
        constant = ~(spans >= 10 * np.finfo(np.float64).eps)  # a range of 1 (NaN: none)
        factor = width / np.where(constant, 0.5, spans / 2)
        halve = bool(
            (spans > _NARROW_MAX).any()
            or np.isinf(spans).any()
            or width > _NARROW_MAX / 2
            or np.isinf(factor).any()
        )
    half = 0.5 if halve else 1.0
    data_range = data_max * half - data_min * half
    data_range = np.where(data_range < 10 * np.finfo(np.float64).eps * half, half, data_range)
    width = high * half - low * half
    with np.errstate(over="ignore"):
        factor = width / data_range
    return np.where(np.isinf(factor), width / half, factor), halve


def _host(values):
    """``values`` (numpy or any Array API array) as a float64 numpy array."""
    return np.asarray(values if type(values) is np.ndarray else _ops.to_numpy(values), np.float64)
