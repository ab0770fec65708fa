"""Deep-learning normalisations: batch, instance, layer, group and unit norm.

Pure functions with the eval-mode semantics of ``torch.nn.functional``, on any Array API
array (numpy, torch, cupy, array-api-strict). Statistics are computed in float64; the
result has the input's floating dtype (integers become float64).

They all reduce to one *row kernel*: a 2-D array whose rows are split into ``G``
contiguous groups of ``M`` values is centred and scaled per (row, group). ``layer_norm``
has one group per row, ``instance_norm`` one per channel, ``group_norm`` ``num_groups``;
``batch_norm`` is the fixed per-channel affine map of
:func:`sklearn_norm.functional._affine.batch_norm_kernel`. The sample-wise estimators run
the same kernels (:mod:`sklearn_norm.functional._rows`) on blocks of rows.

NaN: the statistics of a group are those of its non-NaN values and NaN stays in place,
so a sample with a missing value is still normalised; PyTorch instead propagates a NaN to
its whole group. Without NaN the results are PyTorch's. A group whose variance plus
``eps`` is zero (a constant group with ``eps=0``) is divided by 1, never by 0.
"""

import math
from numbers import Integral

import numpy as np
from scipy import sparse

from . import _ops
from ._affine import batch_norm_kernel
from ._arrays import as64, channels_view, check_eps, expand_channels, quiet
from ._norms import (
    check_norm,
    divide_rows,
    divide_sparse_rows,
    row_norms,
    sparse_row_norms,
    unit_norm_block,
)
from ._rows import blockwise, group_norm_block, group_std, scale_groups, scaled_moments


def trailing_view(xp, x, normalized_shape):
    """``x`` as 2-D rows over its trailing ``normalized_shape`` axes, with that shape.

    Raises a ValueError unless ``normalized_shape`` (an int or a tuple) is the shape of
    the last axes of ``x``.
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, Integral) else normalized_shape
    shape = tuple(int(k) for k in shape)
    if not shape or tuple(x.shape[x.ndim - len(shape) :]) != shape:
        raise ValueError(
            f"normalized_shape={shape} must match the trailing axes of x of shape {x.shape}."
        )
    lead = math.prod(x.shape[: x.ndim - len(shape)])
    return xp.reshape(x, (lead, math.prod(shape))), shape


def _normalise_rows(xp, x2, n_groups, weight, bias, eps):
    if xp is np:  # the estimators' block kernel: the same values
        return blockwise(
            group_norm_block, x2, n_groups, eps, as64(np, weight, x2), as64(np, bias, x2)
        )
    d, _, var, _, unit = scaled_moments(x2, n_groups, eps=eps)
    std = group_std(var, eps, unit)
    return scale_groups(d, std, as64(xp, weight, x2), as64(xp, bias, x2), x2.dtype)


# -- public functions ------------------------------------------------------------------
@quiet
def batch_norm(x, running_mean, running_var, weight=None, bias=None, eps=1e-5):
    """Batch normalisation with fixed statistics (PyTorch's eval mode).

    .. math:: y = \\frac{x - \\mu_c}{\\sqrt{\\sigma^2_c + \\epsilon}} \\, \\gamma_c + \\beta_c

    for every value of channel :math:`c`.

    Parameters
    ----------
    x : array of shape (N, C, `*spatial`) or (N, C)
        Data, any Array API array.
    running_mean, running_var : array-like of shape (C,)
        Per-channel mean :math:`\\mu_c` and variance :math:`\\sigma^2_c`.
    weight, bias : array-like of shape (C,) or None, default=None
        Affine parameters :math:`\\gamma_c` (1 when None) and :math:`\\beta_c` (0).
    eps : float, default=1e-5
        Added to the variance; :math:`\\sigma^2_c + \\epsilon = 0` divides by 1.

    Returns
    -------
    y : array like ``x``
        Same shape, namespace, device and floating dtype.

    See Also
    --------
    torch.nn.functional.batch_norm : With ``training=False``.

    Examples
    --------
    >>> from sklearn_norm.functional import batch_norm
    >>> batch_norm([[1.0, 2.0], [3.0, 4.0]], [2.0, 3.0], [4.0, 1.0], eps=0.0).tolist()
    [[-0.5, -1.0], [0.5, 1.0]]
    """
    check_eps(eps)
    xp, x = _ops.float_array(x)
    x2, c, s = channels_view(xp, x)
    stats = [as64(np, v, None).reshape(-1) for v in (running_mean, running_var)]
    if stats[0].shape[0] != c or stats[1].shape[0] != c:
        raise ValueError(f"running_mean and running_var must have {c} values, one per channel.")
    affine = [expand_channels(name, v, c, 1) for name, v in (("weight", weight), ("bias", bias))]
    kernel = batch_norm_kernel(*stats, *affine, eps=eps, channel_size=s)
    return xp.reshape(kernel(x2), x.shape)


@quiet
def instance_norm(x, running_mean=None, running_var=None, weight=None, bias=None, eps=1e-5):
    """Instance normalisation: each sample and channel over its spatial values.

    .. math:: y_{nc\\cdot} = \\frac{x_{nc\\cdot} - \\mu_{nc}}{\\sqrt{\\sigma^2_{nc} + \\epsilon}}
              \\, \\gamma_c + \\beta_c

    with the mean :math:`\\mu_{nc}` and biased variance :math:`\\sigma^2_{nc}` of the
    non-NaN values of sample :math:`n`, channel :math:`c`. Given running statistics it
    uses them instead, as PyTorch's eval mode with tracked statistics
    (:func:`batch_norm`).

    Parameters
    ----------
    x : array of shape (N, C, `*spatial`) or (N, C)
        Data, any Array API array. With ``(N, C)`` each instance is one value and
        normalises to ``bias`` (PyTorch refuses a single spatial value).
    running_mean, running_var : array-like of shape (C,) or None, default=None
        Fixed per-channel statistics (both or neither).
    weight, bias : array-like of shape (C,) or None, default=None
        Per-channel affine parameters.
    eps : float, default=1e-5
        Added to the variance.

    Returns
    -------
    y : array like ``x``
        Normalised data, same namespace, device and floating dtype.

    See Also
    --------
    torch.nn.functional.instance_norm

    Examples
    --------
    >>> from sklearn_norm.functional import instance_norm
    >>> instance_norm([[[1.0, 3.0], [5.0, 5.0]]], eps=0.0).tolist()
    [[[-1.0, 1.0], [0.0, 0.0]]]
    """
    if (running_mean is None) != (running_var is None):
        raise ValueError("give both running_mean and running_var, or neither.")
    if running_mean is not None:
        return batch_norm(x, running_mean, running_var, weight, bias, eps)
    check_eps(eps)
    xp, x = _ops.float_array(x)
    x2, c, s = channels_view(xp, x)
    w = expand_channels("weight", weight, c, s)
    b = expand_channels("bias", bias, c, s)
    return xp.reshape(_normalise_rows(xp, x2, c, w, b, eps), x.shape)


@quiet
def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalisation over the trailing ``normalized_shape`` axes of each sample.

    .. math:: y = \\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}} \\, \\gamma + \\beta

    with the mean and biased variance of the non-NaN values of the normalised axes;
    :math:`\\gamma`, :math:`\\beta` are element-wise.

    Parameters
    ----------
    x : array of shape (..., `*normalized_shape`)
        Data, any Array API array.
    normalized_shape : int or tuple of int
        Shape of the trailing axes to normalise over.
    weight, bias : array-like of shape normalized_shape or None, default=None
        Element-wise affine parameters.
    eps : float, default=1e-5
        Added to the variance.

    Returns
    -------
    y : array like ``x``
        Normalised data, same namespace, device and floating dtype.

    See Also
    --------
    torch.nn.functional.layer_norm

    Examples
    --------
    >>> from sklearn_norm.functional import layer_norm
    >>> layer_norm([[1.0, 3.0], [2.0, 2.0]], 2, eps=0.0).tolist()
    [[-1.0, 1.0], [0.0, 0.0]]
    >>> layer_norm([[1.0, float("nan"), 3.0]], 3, eps=0.0).tolist()
    [[-1.0, nan, 1.0]]
    """
    check_eps(eps)
    xp, x = _ops.float_array(x)
    x2, shape = trailing_view(xp, x, normalized_shape)
    affine = []
    for name, values in (("weight", weight), ("bias", bias)):
        if values is not None and tuple(np.shape(values)) != shape:
            raise ValueError(f"{name} must have shape {shape}, got {np.shape(values)}.")
        affine.append(None if values is None else as64(np, values, None).reshape(-1))
    if x2.shape[1] == 0:  # nothing to normalise (an empty result, as in PyTorch)
        return xp.asarray(x, copy=True)
    return xp.reshape(_normalise_rows(xp, x2, 1, *affine, eps), x.shape)


@quiet
def group_norm(x, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalisation: each sample over groups of ``C / num_groups`` channels.

    .. math:: y_{nc\\cdot} = \\frac{x_{nc\\cdot} - \\mu_{ng}}{\\sqrt{\\sigma^2_{ng} + \\epsilon}}
              \\, \\gamma_c + \\beta_c

    with the mean and biased variance of the non-NaN values of the channels of group
    :math:`g \\ni c` and all their spatial positions.

    Parameters
    ----------
    x : array of shape (N, C, `*spatial`) or (N, C)
        Data, any Array API array.
    num_groups : int
        Number of groups; must divide C.
    weight, bias : array-like of shape (C,) or None, default=None
        Per-channel affine parameters.
    eps : float, default=1e-5
        Added to the variance.

    Returns
    -------
    y : array like ``x``
        Normalised data, same namespace, device and floating dtype.

    See Also
    --------
    torch.nn.functional.group_norm

    Examples
    --------
    >>> from sklearn_norm.functional import group_norm
    >>> group_norm([[1.0, 3.0, 5.0, 5.0]], 2, eps=0.0).tolist()
    [[-1.0, 1.0, 0.0, 0.0]]
    """
    check_eps(eps)
    xp, x = _ops.float_array(x)
    x2, c, s = channels_view(xp, x)
    if not isinstance(num_groups, Integral) or num_groups < 1 or c % num_groups:
        raise ValueError(
            f"num_groups={num_groups!r} must be a positive divisor of the {c} channels."
        )
    w = expand_channels("weight", weight, c, s)
    b = expand_channels("bias", bias, c, s)
    return xp.reshape(_normalise_rows(xp, x2, int(num_groups), w, b, eps), x.shape)


# -- unit norm -------------------------------------------------------------------------


@quiet
def unit_norm(x, norm="l2", axis=-1):
    """Scale to unit norm along ``axis``: :math:`y = x / \\lVert x \\rVert`.

    .. math:: \\lVert x \\rVert_1 = \\sum_j |x_j|, \\quad
              \\lVert x \\rVert_2 = \\sqrt{\\sum_j x_j^2}, \\quad
              \\lVert x \\rVert_\\infty = \\max_j |x_j|

    over the non-NaN values; NaN stays NaN and an all-zero vector stays zero (PyTorch's
    ``normalize`` divides by ``max(norm, eps)`` instead).

    Parameters
    ----------
    x : array or scipy sparse matrix
        Data, any Array API array; a sparse matrix is normalised row-wise and stays
        sparse (``axis`` must then be -1 or 1).
    norm : {"l1", "l2", "max"}, default="l2"
        The norm.
    axis : int, default=-1
        Axis along which to normalise.

    Returns
    -------
    y : array like ``x``
        Normalised data, same namespace, device and floating dtype; a sparse ``x``
        gives a CSR matrix (a CSR array for a sparse array).

    See Also
    --------
    sklearn.preprocessing.normalize, torch.nn.functional.normalize

    Examples
    --------
    >>> from sklearn_norm.functional import unit_norm
    >>> unit_norm([[3.0, 4.0], [0.0, 0.0]]).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    >>> unit_norm([[1.0, -3.0]], norm="max").tolist()
    [[0.3333333333333333, -1.0]]
    """
    check_norm(norm)
    if sparse.issparse(x):
        if axis not in (-1, 1):
            raise ValueError(
                f"a sparse matrix is normalised along its rows (axis=-1), got {axis}."
            )
        X = sparse.csr_array(x) if isinstance(x, sparse.sparray) else sparse.csr_matrix(x)
        X = X.astype(np.float64) if X.dtype.kind != "f" else X.copy()
        X.sum_duplicates()
        return divide_sparse_rows(X, sparse_row_norms(X, norm), norm)
    xp, x = _ops.float_array(x)
    if xp is np and x.ndim == 2 and axis in (-1, 1):  # the estimator's block kernel
        return blockwise(unit_norm_block, x, norm)
    return divide_rows(x, row_norms(x, norm, axis), norm=norm, axis=axis)
