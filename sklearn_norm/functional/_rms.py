"""Root-mean-square normalisation of each sample (PyTorch's ``RMSNorm``).

:func:`rms_rows` is the row kernel the function and ``RMSNormScaler`` share: float64
statistics of the non-NaN values of each row, rows whose squares over- or underflow
rescaled by a power of two instead of losing their values.
"""

import numpy as np

from . import _ops
from ._arrays import _all, _cast, _to64, as64, check_eps, quiet
from ._deep import trailing_view
from ._rows import _TINY


def default_eps(dtype):
    """PyTorch's ``eps=None``: the machine epsilon of the computation (opmath) type.

    float64 input uses ``finfo(float64).eps``; float32, float16 and bfloat16 input use
    ``finfo(float32).eps`` (PyTorch computes them in float32).
    """
    wide = np.dtype(dtype) == np.float64
    return float(np.finfo(np.float64 if wide else np.float32).eps)


@quiet
def rms_rows(x, eps):
    """``(y, rms)``: the rows of a 2-D array divided by their root mean square, in float64.

    :math:`\\mathrm{rms} = \\sqrt{\\frac{1}{n} \\sum_j x_j^2 + \\epsilon}` over the
    :math:`n` non-NaN values of each row (NaN stays in place; a row without a value is
    all NaN); an ``rms`` of 0 (a zero row with ``eps=0``) counts as 1. ``y`` is float64
    (the widest float of the device) of ``x``'s shape, ``rms`` of shape (n_rows, 1).
    """
    xp = _ops.get_namespace(x)
    y = _to64(xp, x)  # the float64 copy that becomes the result
    count, a = float(y.shape[-1]), y
    s2 = _sum_squares(xp, a)
    if not _all(xp, ~xp.isnan(s2)):  # NaN: left out of the sums and the counts
        nan = xp.isnan(a)
        count = xp.sum(xp.astype(~nan, a.dtype), axis=-1, keepdims=True)
        a = xp.where(nan, 0.0, a)
        s2 = _sum_squares(xp, a)
    rms = xp.sqrt(s2 / count + eps)
    # squares beyond float64, or lost to underflow: those rows in units of a power of two
    suspect = xp.isinf(s2) | (s2 < _TINY * _TINY)
    if a.shape[-1] and bool(xp.any(suspect)):
        top = xp.max(xp.abs(a), axis=-1, keepdims=True)
        bad = suspect & xp.isfinite(top) & (top > 0.0)
        unit = 2.0 ** xp.floor(xp.log2(xp.where(bad, top, 1.0)))
        scaled = _sum_squares(xp, a / unit) / count
        rescaled = unit * xp.sqrt(scaled + eps / unit / unit)
        rms = xp.where(bad & xp.isfinite(rescaled), rescaled, rms)
    rms = xp.where(rms == 0.0, 1.0, rms)
    if xp is np:
        y /= rms
    else:
        y = y / rms
    return y, rms


def _sum_squares(xp, a):
    """Sum of squares of each row of a float64 array, shape (n_rows, 1)."""
    if xp is np:
        return np.vecdot(a, a)[:, None]
    return xp.sum(a * a, axis=-1, keepdims=True)


@quiet
def rms_norm(x, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalisation over the trailing ``normalized_shape`` axes.

    .. math:: y = \\frac{x}{\\sqrt{\\frac{1}{n} \\sum_{j=1}^{n} x_j^2 + \\epsilon}}
              \\, \\gamma

    over the :math:`n` values of the normalised axes of each sample; :math:`\\gamma` is
    element-wise. As ``torch.nn.functional.rms_norm``, but NaN values are left out of
    a sample's mean square and stay in place (PyTorch makes the whole sample NaN).

    Parameters
    ----------
    x : array of shape (..., `*normalized_shape`)
        Data, any Array API array; integers become float64.
    normalized_shape : int or tuple of int
        Shape of the trailing axes to normalise over.
    weight : array-like of shape normalized_shape or None, default=None
        Element-wise scale :math:`\\gamma` (1 when None).
    eps : float or None, default=None
        Added to the mean square. None is PyTorch's default: ``finfo(float64).eps`` for
        float64 input, ``finfo(float32).eps`` for float32 and float16 input.

    Returns
    -------
    y : array like ``x``
        Normalised data, same namespace, device and floating dtype.

    See Also
    --------
    torch.nn.functional.rms_norm : The PyTorch function.
    layer_norm : Centres too.

    Examples
    --------
    >>> from sklearn_norm.functional import rms_norm
    >>> rms_norm([[3.0, -3.0], [0.0, 0.0]], 2, eps=0.0).tolist()
    [[1.0, -1.0], [0.0, 0.0]]
    >>> rms_norm([[1.0, float("nan"), -1.0]], 3, eps=0.0).tolist()
    [[1.0, nan, -1.0]]
    """
    xp, x = _ops.float_array(x)
    eps = default_eps(_ops.numpy_dtype(x)) if eps is None else eps
    check_eps(eps)
    x2, shape = trailing_view(xp, x, normalized_shape)
    if weight is not None and tuple(np.shape(weight)) != shape:
        raise ValueError(f"weight must have shape {shape}, got {np.shape(weight)}.")
    if x2.shape[1] == 0:  # nothing to normalise (an empty result, as in PyTorch)
        return xp.asarray(x, copy=True)
    y, _ = rms_rows(x2, eps)
    if weight is not None:
        y = y * xp.reshape(as64(xp, weight, y), (-1,))
    return xp.reshape(_cast(xp, y, x.dtype, None), x.shape)
