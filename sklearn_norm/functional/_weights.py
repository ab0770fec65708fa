"""Reparametrisations of network weights: weight standardisation and weight normalisation."""

import math
from numbers import Integral

import numpy as np

from .. import _xp
from . import _ops
from ._arrays import as64, check_eps, quiet
from ._rows import scaled_moments


@quiet
def weight_standardize(w, eps=1e-5, ddof=1, eps_mode="std"):
    """Weight standardisation: each output channel (axis 0) to zero mean and unit spread.

    .. math:: \\hat w_{o\\cdot} = \\frac{w_{o\\cdot} - \\mu_o}{\\sigma_o + \\epsilon}
              \\quad (\\text{eps\\_mode="std"}), \\qquad
              \\hat w_{o\\cdot} = \\frac{w_{o\\cdot} - \\mu_o}{\\sqrt{\\sigma^2_o + \\epsilon}}
              \\quad (\\text{eps\\_mode="var"})

    with the mean :math:`\\mu_o` and variance
    :math:`\\sigma^2_o = \\frac{1}{n - \\mathrm{ddof}} \\sum (w - \\mu_o)^2` of the
    :math:`n` values of output channel :math:`o` (all axes but the first). The defaults
    are the official PyTorch code of Qiao et al. (unbiased std plus ``eps``);
    ``ddof=0, eps_mode="var"`` is timm's ``StdConv2d``.

    A channel with at most ``ddof`` values has variance 0, and a zero denominator counts
    as 1, so a constant channel becomes zeros (PyTorch gives NaN). NaN entries are left
    out of the statistics and stay NaN.

    Parameters
    ----------
    w : array of shape (C_out, ...)
        Weights, any Array API array.
    eps : float, default=1e-5
        Added to the standard deviation (``"std"``) or the variance (``"var"``).
    ddof : int, default=1
        Delta degrees of freedom of the variance.
    eps_mode : {"std", "var"}, default="std"
        Where ``eps`` is added.

    Returns
    -------
    w_hat : array like ``w``
        Standardised weights, same namespace, device and floating dtype.

    References
    ----------
    S. Qiao, H. Wang, C. Liu, W. Shen and A. Yuille, "Micro-Batch Training with
    Batch-Channel Normalization and Weight Standardization", arXiv:1903.10520, 2019.

    Examples
    --------
    >>> from sklearn_norm.functional import weight_standardize
    >>> weight_standardize([[1.0, 3.0], [2.0, 2.0]], eps=0.0, ddof=0).tolist()
    [[-1.0, 1.0], [0.0, 0.0]]
    """
    check_eps(eps)
    if not isinstance(ddof, Integral) or ddof < 0:
        raise ValueError(f"ddof must be an integer >= 0, got ddof={ddof!r}.")
    if eps_mode not in ("std", "var"):
        raise ValueError(f"eps_mode must be 'std' or 'var', got eps_mode={eps_mode!r}.")
    xp, w = _ops.float_array(w)
    if w.ndim < 1:
        raise ValueError("w must have at least one axis (the output channels).")
    w2 = xp.reshape(w, (w.shape[0], math.prod(w.shape[1:])))
    d, _, var, _, unit = scaled_moments(w2, 1, ddof=ddof)  # d, var in units of unit
    var = xp.where(xp.isnan(var), 0.0, var)
    if eps_mode == "std":
        denom = xp.sqrt(var) + eps / unit
    else:
        denom = xp.sqrt(var + eps / unit / unit)
    d /= xp.expand_dims(xp.where(denom == 0.0, 1.0, denom), axis=-1)
    return xp.reshape(xp.astype(d, w.dtype) if xp is not np else d.astype(w.dtype), w.shape)


def _gain(xp, g, v, dim):
    """``g`` as a float64 array broadcastable to ``v`` (torch's keep-dims shape)."""
    g = as64(xp, g, v)
    shape = tuple(g.shape)
    if dim is not None and len(shape) == 1 and v.ndim > 1 and shape[0] == v.shape[dim]:
        keep = [1] * v.ndim
        keep[dim] = shape[0]
        return xp.reshape(g, tuple(keep))
    try:
        ok = np.broadcast_shapes(shape, tuple(v.shape)) == tuple(v.shape)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"g of shape {shape} must be a scalar, of shape ({v.shape[dim] if dim is not None else 1},) "
            f"or broadcastable to v of shape {tuple(v.shape)}."
        )
    return g


@quiet
def weight_norm(v, g=None, dim=0):
    """Weight normalisation: :math:`w = g \\, v / \\lVert v \\rVert`.

    The Euclidean norm is taken over every axis but ``dim`` (one norm per slice along
    ``dim``), or over the whole tensor when ``dim=None``, as
    ``torch.nn.utils.parametrizations.weight_norm``. An all-zero slice stays zero
    (PyTorch gives NaN). The norm is computed in float64.

    Parameters
    ----------
    v : array
        Direction, any Array API array.
    g : float, array or None, default=None
        Magnitude: a scalar, an array broadcastable to ``v`` (torch's keep-dims shape,
        e.g. ``(C_out, 1, 1, 1)``) or of shape ``(v.shape[dim],)``; None returns the
        unit-norm direction.
    dim : int or None, default=0
        Axis kept by the norm; negative values count from the end as in numpy (PyTorch
        reads ``dim=-1`` as the whole tensor: pass ``None`` for that).

    Returns
    -------
    w : array like ``v``
        Weights :math:`g \\, v / \\lVert v \\rVert`, same namespace, device and floating
        dtype.

    References
    ----------
    T. Salimans and D. P. Kingma, "Weight Normalization: A Simple Reparameterization to
    Accelerate Training of Deep Neural Networks", NeurIPS 2016.

    Examples
    --------
    >>> from sklearn_norm.functional import weight_norm
    >>> weight_norm([[3.0, 4.0], [0.0, 2.0]], g=[10.0, 1.0]).tolist()
    [[6.0, 8.0], [0.0, 1.0]]
    >>> weight_norm([[3.0, 4.0]], dim=None).tolist()
    [[0.6, 0.8]]
    """
    xp, v = _ops.float_array(v)
    if dim is not None:
        if not isinstance(dim, Integral) or not -v.ndim <= dim < v.ndim:
            raise ValueError(f"dim={dim!r} is not an axis of v with {v.ndim} axes (or None).")
        dim = int(dim) % v.ndim
        axes = tuple(i for i in range(v.ndim) if i != dim)
    else:
        axes = tuple(range(v.ndim))
    v64 = xp.astype(v, _xp.widest_float(xp, _xp.device(v))) if xp is not np else v.astype(float)
    norm = xp.sqrt(xp.sum(v64 * v64, axis=axes, keepdims=True))
    if not bool(xp.all(xp.isfinite(norm) & ~(norm < 2.0**-500))):  # squares over/underflowed
        # divide each slice by a power of two near its largest value (exact), then normalise
        top = xp.max(xp.abs(v64), axis=axes, keepdims=True)
        ok = (top > 0.0) & xp.isfinite(top)
        power = xp.floor(xp.log2(xp.where(ok, top, 1.0)))
        v64 = v64 / xp.where(ok, 2.0 ** xp.where(power > 1023.0, 1023.0, power), 1.0)
        norm = xp.sqrt(xp.sum(v64 * v64, axis=axes, keepdims=True))
    w = v64 / xp.where(norm == 0.0, 1.0, norm)
    if g is not None:
        w = w * _gain(xp, g, v, dim)
    return xp.astype(w, v.dtype) if xp is not np else w.astype(v.dtype, copy=False)
