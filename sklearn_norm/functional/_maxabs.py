"""Maximum-absolute scaling: each feature divided by its largest absolute value.

The numerics are scikit-learn's ``MaxAbsScaler``, so the results are the same to the last bit: the
divisor is the maximum absolute value, except that one below ``10 * eps`` of the
training dtype counts as 1 (scikit-learn's ``_handle_zeros_in_scale``); dense data is
divided by it, sparse stored values are multiplied by its reciprocal (scikit-learn's
``inplace_column_scale``, see ``MaxAbsScaler``), each in the precision numpy uses there.
"""

import numpy as np

from .._xp import to_numpy
from . import _checks, _ops


def max_abs_divisor(max_abs, dtype=np.float64):
    """``scale_`` from ``max_abs_``: a maximum below ``10 * eps`` of ``dtype`` counts as 1.

    Parameters
    ----------
    max_abs : array-like of shape (n_features,)
        Largest absolute value per feature (NaN where a feature has no value).
    dtype : dtype, default=float64
        The floating dtype whose ``eps`` sets the threshold: the training data's, as in
        scikit-learn.

    Returns
    -------
    scale : float64 ndarray of shape (n_features,)
        The divisor; NaN stays NaN.
    """
    scale = np.array(to_numpy(max_abs), dtype=np.float64)
    scale[scale < 10 * np.finfo(dtype).eps] = 1.0
    return scale


def _in_dtype(factor, dtype):
    """``factor`` in ``dtype`` where that holds it exactly, else float64.

    numpy then runs the same loop as on scikit-learn's ``scale_`` (kept in the training
    dtype): a float32 factor on float32 data, a float64 one on float32 data after a
    float64 fit (computed in float64, rounded once to float32).
    """
    with np.errstate(over="ignore"):
        narrow = _ops.cast(factor, dtype)
    exact = np.array_equal(narrow.astype(np.float64), factor, equal_nan=True)
    return narrow if exact else _ops.cast(factor, np.float64)


def max_abs_kernel(factor, inverse=False, dtype=None):
    """Kernel of :func:`max_abs_scale`: ``x / factor``, and back ``x * factor``.

    ``kernel(x, out=None)``; the result keeps ``x``'s dtype (written into ``out`` when
    given, on numpy). A result beyond ``x``'s dtype is infinite, without a warning.
    ``dtype``: the numpy dtype the kernel will mostly see (its factor is prepared once).
    """
    operation = "multiply" if inverse else "divide"
    built = None if dtype is None else np.dtype(dtype)
    prepared = None if built is None or built.kind != "f" else _in_dtype(factor, built)

    def kernel(x, out=None):
        if isinstance(x, np.ndarray):
            out = np.empty_like(x) if out is None else out
            f = prepared if prepared is not None and x.dtype == built else None
            f = _in_dtype(factor, x.dtype) if f is None else f
            with np.errstate(over="ignore"):
                return getattr(np, operation)(x, f, out=out)
        xp = _ops.get_namespace(x)
        return getattr(xp, operation)(x, _ops.param(xp, factor, x))

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
