"""The per-channel affine map of normalisation with fixed statistics (batch norm, eval mode).

Rows hold ``C`` channels laid out channels-first, ``C * L`` values each (a flattened
``(C, H, W)`` image has ``L = H * W``; an ``(N, C, *spatial)`` array reshaped to
``(N, -1)`` is such a block of rows). Per-channel parameters are repeated ``L`` times
along the last axis.
"""

import numpy as np

from . import _ops


def per_feature(values, channel_size):
    """Per-channel ``values`` repeated ``channel_size`` times: one value per feature."""
    return np.repeat(np.asarray(values, dtype=np.float64).reshape(-1), channel_size)


def batch_norm_kernel(
    running_mean,
    running_var,
    weight=None,
    bias=None,
    eps=1e-5,
    channel_size=1,
    inverse=False,
    take=None,
):
    """Kernel of batch normalisation in eval mode, per channel, and of its inverse.

    .. math:: y = (x - \\mu_c) \\frac{\\gamma_c}{\\sqrt{\\sigma^2_c + \\epsilon}} + \\beta_c

    The factor :math:`\\gamma_c / \\sqrt{\\sigma^2_c + \\epsilon}` is computed in float64
    and applied once; the centre is subtracted without losing its low bits in float32
    (see :func:`sklearn_norm.functional._ops.shift`). A zero denominator (a constant
    channel with ``eps=0``) counts as 1, so such a channel maps to :math:`\\beta_c`
    instead of NaN. The inverse is :math:`x = (y - \\beta_c) / f_c + \\mu_c`; it is
    infinite where :math:`\\gamma_c = 0`.

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
    take : callable or None, default=None
        Applied to every per-feature parameter array (the chunk engine tiles them to
        run the kernel on folded rows).

    Returns
    -------
    kernel : callable
        ``kernel(x, out=None)`` on an Array API array of shape ``(..., C * L)``;
        on numpy with ``out`` it writes there (``out`` may be ``x``).
    """
    std = np.sqrt(np.asarray(running_var, dtype=np.float64) + eps)
    std = np.where(std == 0.0, 1.0, std)
    gamma = 1.0 if weight is None else np.asarray(weight, dtype=np.float64)
    take = take or (lambda p: p)
    factor = take(per_feature(gamma / std, channel_size))
    centre = take(per_feature(running_mean, channel_size))
    offset = None if bias is None else take(per_feature(bias, channel_size))

    # numpy: the parameters in the block's dtype, once per kernel (not once per block)
    prepared = _ops.per_dtype(
        lambda dt: (
            *_ops.split(centre, dt),
            _ops.factor_for(factor, dt),  # float64 where beyond a narrow dtype
            None if offset is None else _ops.cast(offset, dt),
        )
    )

    def forward(xp, x, out):
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            return _ops.affine(x, out, *prepared(x.dtype))
        y = _ops.shift(xp, x, centre, out)
        y *= _ops.param(xp, factor, y)
        if offset is not None:
            y += _ops.param(xp, offset, y)
        return y

    def backward(xp, x, out):
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            return _ops.affine(x, out, *prepared(x.dtype), inverse=True)
        if offset is None:
            y = _ops.copy_into(xp, x, out)
        else:
            y = _ops.first(xp, "subtract", x, _ops.param(xp, offset, x), out)
        y /= _ops.param(xp, factor, y)
        return _ops.unshift(xp, y, centre)

    step = backward if inverse else forward

    def kernel(x, out=None):
        xp = _ops.get_namespace(x)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return step(xp, x, out)  # ±inf where x - mean overflows x's dtype

    return _ops.half_in_wide(kernel)
