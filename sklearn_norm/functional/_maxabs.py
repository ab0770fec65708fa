"""Maximum-absolute scaling: each feature divided by its largest absolute value.

The numerics are scikit-learn's ``MaxAbsScaler``, step for step, so the results are the
same to the last bit: the divisor is the maximum absolute value, except that one below
``10 * eps`` of its dtype counts as 1 (scikit-learn's ``_handle_zeros_in_scale``); dense
data is divided by it, sparse stored values are multiplied by its reciprocal
(scikit-learn's ``inplace_column_scale``), each operation in the dtypes numpy gives it.
"""

import numpy as np

from .._xp import to_numpy
from . import _checks, _ops


def max_abs_divisor(max_abs, dtype=None):
    """``scale_`` from ``max_abs_``: a maximum below ``10 * eps`` counts as 1.

    Parameters
    ----------
    max_abs : array-like of shape (n_features,)
        Largest absolute value per feature (NaN where a feature has no value).
    dtype : dtype or None, default=None
        The dtype of the divisor, whose ``eps`` sets the threshold (the training data's,
        as in scikit-learn); None keeps ``max_abs``'s floating dtype (float64 else).

    Returns
    -------
    scale : ndarray of shape (n_features,)
        The divisor, in ``dtype``; NaN stays NaN.
    """
    max_abs = np.asarray(to_numpy(max_abs))
    if dtype is None:
        dtype = max_abs.dtype if max_abs.dtype.kind == "f" else np.float64
    scale = max_abs.astype(dtype, copy=True)
    scale[scale < 10 * np.finfo(dtype).eps] = 1.0
    return scale


def max_abs_kernel(scale, inverse=False):
    """Kernel of :func:`max_abs_scale`: ``x / scale``, and back ``x * scale``.

    ``kernel(x, out=None)``; on numpy the operation runs in the dtype numpy chooses for
    ``x`` and ``scale`` and the result keeps ``x``'s dtype (written into ``out`` when
    given). A result beyond ``x``'s dtype is infinite, without a warning.
    """
    operation = "multiply" if inverse else "divide"

    def kernel(x, out=None):
        if isinstance(x, np.ndarray):
            out = np.empty_like(x) if out is None else out
            with np.errstate(over="ignore"):
                return getattr(np, operation)(x, scale, out=out)
        xp = _ops.get_namespace(x)
        return getattr(xp, operation)(x, _ops.param(xp, scale, x))

    return kernel


def max_abs_scale(x, max_abs):
    """Scale each feature by its maximum absolute value: :math:`y = x / \\max|x|`.

    .. math:: y_{ij} = \\frac{x_{ij}}{s_j}, \\qquad
              s_j = \\begin{cases} m_j & m_j \\ge 10\\,\\varepsilon \\\\
              1 & m_j < 10\\,\\varepsilon \\end{cases}

    with :math:`m_j` the given maximum and :math:`\\varepsilon` the machine epsilon of
    ``x``'s dtype, as scikit-learn's ``MaxAbsScaler`` (``maxabs_scale``) computes it.

    Parameters
    ----------
    x : array of shape (..., n_features)
        Data, any Array API array; integers become float64.
    max_abs : float or array-like of shape (n_features,)
        Largest absolute value :math:`m_j` per feature (``>= 0``; NaN gives NaN).

    Returns
    -------
    y : array like ``x``
        Scaled data, same namespace, device and floating dtype.

    See Also
    --------
    sklearn.preprocessing.maxabs_scale : Learns the maximum from ``x`` itself.

    Examples
    --------
    >>> from sklearn_norm.functional import max_abs_scale
    >>> max_abs_scale([[-4.0, 0.5], [2.0, 0.0]], [4.0, 0.0]).tolist()
    [[-1.0, 0.5], [0.5, 0.0]]
    """
    xp, x = _ops.float_array(x)
    max_abs = _checks.per_feature("max_abs", max_abs, x)
    if np.any(max_abs < 0):
        raise ValueError(f"max_abs must be >= 0 (a maximum absolute value), got {max_abs!r}.")
    return max_abs_kernel(max_abs_divisor(max_abs, _ops.numpy_dtype(x)))(x)
