"""Power transforms (Yeo-Johnson, Box-Cox) with given λ per feature, and their inverses.

The public function is stateless; its ``power_kernel`` twin (``kernel(x, out=None)``) is
what ``PowerScaler`` runs block by block, with its standardisation folded in.
"""

import numpy as np

from . import _checks, _ops

METHODS = ("yeo-johnson", "box-cox")


def power_kernel(lambdas, method="yeo-johnson", inverse=False, mean=None, scale=None):
    """Kernel of :func:`power_transform` (then ``(y - mean) / scale``) or of its inverse.

    ``lambdas``, ``mean`` and ``scale`` are per feature (float64 numpy); the map runs in
    float64 for numpy input (float16 and float32 rounded once at the end; scikit-learn
    runs float32 in float32), in the input's dtype on other namespaces. λ within the
    input dtype's machine epsilon of 0 (and, for negative values in Yeo-Johnson, of 2)
    takes the logarithmic branch, as in scipy.
    """
    forward, backward = _MAPS[method]
    shift = {"yeo-johnson": 0.0, "box-cox": 1.0}
    lam64 = np.asarray(lambdas, dtype=np.float64)
    eps = np.finfo(np.float64).eps
    # numpy float64 forward maps without a logarithmic branch: in place, few temporaries
    plain = not inverse and not np.any(np.abs(lam64) < eps)
    plain = plain and not (method == "yeo-johnson" and np.any(np.abs(2 - lam64) < eps))

    def kernel(x, out=None):
        if plain and isinstance(x, np.ndarray) and x.dtype == np.float64:
            return _numpy_forward(x, out, lam64, method, mean, scale)
        if out is None and method == "yeo-johnson" and _is_torch(x):
            y = _torch_yeo_johnson(x, lam64, inverse, mean, scale)
            if y is not None:
                return y
        xp = _ops.get_namespace(x)
        lam = _ops.param(xp, lambdas, x)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if inverse:
                y = x
                if scale is not None:
                    y = y * _ops.param(xp, scale, x) + _ops.param(xp, mean, x)
                y = _exact_at_one(xp, backward(xp, y, lam), y, lam, shift[method])
            else:
                y = _exact_at_one(xp, forward(xp, x, lam), x, lam, -shift[method])
                if scale is not None:
                    y = (y - _ops.param(xp, mean, x)) / _ops.param(xp, scale, x)
        return _ops.copy_into(xp, y, out) if out is not None else y

    def numpy_float32_in_float64(x, out=None):
        # float32 through float64 on numpy: (1 + x) ** λ overflows float32 long before
        # the result does (λ = 1 at 3e38), and the result is rounded once
        if isinstance(x, np.ndarray) and x.dtype == np.float32:
            y = kernel(x.astype(np.float64))
            with np.errstate(over="ignore"):  # beyond float32: ±inf, as float32 math gives
                if out is None:
                    return y.astype(np.float32)
                np.copyto(out, y, casting="same_kind")
            return out
        return kernel(x, out)

    return _ops.half_in_wide(numpy_float32_in_float64)


def _numpy_forward(x, out, lam, method, mean, scale):
    """The forward map on float64 numpy, written into ``out`` step by step (no λ near 0
    or 2): the same operations as the generic path, so the same values."""
    per_feature = np.broadcast_to(lam, x.shape[-1:])
    ones = np.flatnonzero(per_feature == 1)  # there the map is x (or x - 1): exactly that
    at_one = x[..., ones] - (method == "box-cox") if ones.size else None  # before out = x
    y = np.empty_like(x) if out is None else out
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "yeo-johnson":
            negative = x < 0
            a = np.where(negative, 2.0 - lam, lam) if negative.any() else lam
            np.log1p(np.abs(x, out=y), out=y)
        else:
            negative, a = None, lam
            outside = ~((x > 0) & (x < np.inf))
            np.log(x, out=y)
        y *= a
        np.expm1(y, out=y)
        y /= a
        if negative is not None:
            np.negative(y, out=y, where=negative)
        elif outside.any():
            y[outside] = np.nan
        if at_one is not None:
            y[..., ones] = _exact_at_one(np, y[..., ones], at_one, per_feature[ones], 0.0)
        if scale is not None:
            y -= mean
            y /= scale
    return y


def _is_torch(x):
    return type(x).__module__.split(".")[0] == "torch"


def _torch_yeo_johnson(x, lam64, inverse, mean, scale):
    """Yeo-Johnson (or its inverse) on a torch tensor in place on one new array (None:
    a λ within the dtype's epsilon of 0 or 2, whose logarithmic branch the generic path
    takes): the generic path's operations on the same values, so the same results,
    without its full-size temporaries (``where``, ``zeros_like``, the branch masks)."""
    import torch

    if x.dtype not in (torch.float32, torch.float64):
        return None
    dtype = _ops.numpy_dtype(x)
    lam_d = lam64.astype(dtype)
    tiny = np.finfo(dtype).eps
    if np.any(np.abs(lam_d) < tiny) or np.any(np.abs(dtype.type(2) - lam_d) < tiny):
        return None
    xp = _ops.get_namespace(x)
    lam = _ops.param(xp, lam64, x)
    ones = np.flatnonzero(np.broadcast_to(lam_d, x.shape[-1:]) == 1)  # the identity there
    ones = torch.as_tensor(ones, device=x.device) if ones.size else None
    v = x
    if inverse and scale is not None:
        v = (x * _ops.param(xp, scale, x)).add_(_ops.param(xp, mean, x))
    at_one = None if ones is None else v[..., ones] + (0.0 if inverse else -0.0)
    negative = v < 0
    a = torch.where(negative, 2 - lam, lam) if bool(negative.any()) else lam
    y = torch.abs(v)
    if inverse:  # expm1(log1p(a |y|) / a)
        y.mul_(a).log1p_().div_(a).expm1_()
    else:  # expm1(a log1p|x|) / a
        y.log1p_().mul_(a).expm1_().div_(a)
    if a is not lam:
        y = torch.where(negative, -y, y)
    if at_one is not None:
        kept = y[..., ones]
        y[..., ones] = torch.where(torch.isnan(kept), kept, at_one)
    if not inverse and scale is not None:
        y.sub_(_ops.param(xp, mean, x)).div_(_ops.param(xp, scale, x))
    return y


def _exact_at_one(xp, y, x, lam, shift):
    """``y`` with ``x + shift`` where λ is exactly 1 and ``y`` is not NaN: there both maps
    are ``x`` (Yeo-Johnson) or ``x ∓ 1`` (Box-Cox), which ``expm1(log1p(x))`` would round
    by up to about ``40 ε |x|`` (a constant feature would not standardise to 0)."""
    return xp.where((lam == 1) & ~xp.isnan(y), x + shift, y)


def _tiny(xp, lam):
    return xp.finfo(lam.dtype).eps


def _power_branch(xp, t, a, tiny):
    """``expm1(a * t) / a``, or ``t`` where ``|a| < tiny`` (the logarithmic branch)."""
    zero = xp.abs(a) < tiny
    safe = xp.where(zero, xp.ones_like(a), a)
    return xp.where(zero, t, xp.expm1(safe * t) / safe)


def _root_branch(xp, y, a, tiny):
    """The inverse of :func:`_power_branch` in ``t``: ``log1p(a * y) / a``, or ``y``."""
    zero = xp.abs(a) < tiny
    safe = xp.where(zero, xp.ones_like(a), a)
    return xp.where(zero, y, xp.log1p(safe * y) / safe)


def _yeo_johnson(xp, x, lam):
    negative = x < 0
    a = xp.where(negative, 2 - lam, lam + xp.zeros_like(x))
    y = _power_branch(xp, xp.log1p(xp.abs(x)), a, _tiny(xp, lam))
    return xp.where(negative, -y, y)


def _yeo_johnson_inverse(xp, y, lam):
    negative = y < 0
    a = xp.where(negative, 2 - lam, lam + xp.zeros_like(y))
    t = _root_branch(xp, xp.abs(y), a, _tiny(xp, lam))
    x = xp.expm1(t)
    return xp.where(negative, -x, x)


def _box_cox(xp, x, lam):
    y = _power_branch(xp, xp.log(x), lam + xp.zeros_like(x), _tiny(xp, lam))
    outside = ~((x > 0) & (x < float("inf")))  # no value, not the limit, for 0 and inf
    return xp.where(outside, xp.asarray(float("nan"), dtype=y.dtype), y)


def _box_cox_inverse(xp, y, lam):
    return xp.exp(_root_branch(xp, y, lam + xp.zeros_like(y), _tiny(xp, lam)))


_MAPS = {
    "yeo-johnson": (_yeo_johnson, _yeo_johnson_inverse),
    "box-cox": (_box_cox, _box_cox_inverse),
}


def check_method(method):
    """``method`` if it is ``"yeo-johnson"`` or ``"box-cox"``, else a ValueError."""
    if method not in METHODS:
        raise ValueError(f"method must be 'yeo-johnson' or 'box-cox', got {method!r}.")
    return method


def power_transform(x, lambdas, method="yeo-johnson"):
    """Power transform with given λ per feature (scikit-learn's, without standardising).

    Yeo-Johnson, for :math:`x \\ge 0` and for :math:`x < 0`:

    .. math::

        y = \\frac{(1 + x)^{\\lambda} - 1}{\\lambda}, \\qquad
        y = -\\frac{(1 - x)^{2 - \\lambda} - 1}{2 - \\lambda}

    (:math:`\\log(1 + x)` and :math:`-\\log(1 - x)` at :math:`\\lambda = 0` and
    :math:`\\lambda = 2`); Box-Cox, for :math:`x > 0`:
    :math:`y = (x^{\\lambda} - 1) / \\lambda` (:math:`\\log x` at :math:`\\lambda = 0`).
    Both are computed as ``expm1(λ log1p(x)) / λ`` and ``expm1(λ log(x)) / λ``, as scipy
    computes them.

    Parameters
    ----------
    x : array of shape (..., n_features)
        Data, any Array API array; Box-Cox takes positive finite values (others give
        NaN).
    lambdas : float or array-like of shape (n_features,)
        The power λ, one for all features or one per feature.
    method : {"yeo-johnson", "box-cox"}, default="yeo-johnson"
        Which transform.

    Returns
    -------
    y : array like ``x``
        Transformed data, same namespace, device and floating dtype; NaN stays NaN.

    See Also
    --------
    sklearn_norm.PowerScaler : Learns λ by maximum likelihood and standardises.

    Examples
    --------
    >>> from sklearn_norm.functional import power_transform
    >>> power_transform([[0.0, 3.0], [-1.0, -1.0]], [0.0, 1.0]).round(6).tolist()
    [[0.0, 3.0], [-1.5, -1.0]]
    >>> power_transform([[1.0], [4.0]], [0.5], method="box-cox").tolist()
    [[0.0], [2.0]]
    """
    check_method(method)
    xp, x = _ops.float_array(x)
    lambdas = _checks.per_feature("lambdas", lambdas, x)
    return power_kernel(lambdas, method)(x)
