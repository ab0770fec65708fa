"""Independent references for the differential tests, and the tolerance each one earns.

Every reference returns ``(want, cond, gain)``: the expected output (float64 or long
double); element by element, the size of the terms that the float computation of the
formula adds or subtracts, in units of the output (``max|x| / divisor``, times
``1 + |y|`` where the divisor is itself estimated from the data); and the factor
``1 / divisor`` by which an absolute error on the input side reaches the output. The
comparison then allows

    |got - want| <= rtol * |want| + (4 + n) * eps * cond + (tiny * gain + tiny_out)

``rtol`` is the final rounding to the output dtype (1 ulp for float16, which must be
rounded once from a float64 computation; 4 ulps for float32/float64, a few rounded
steps); the second term is the standard bound of a float computation whose statistics
sum ``n`` values (``n * eps`` relative error on each term, ``eps`` that of float64, or of
float32 for float32 data). A long-double or ``fractions`` reference adds nothing of its
own; scikit-learn's adds its own rounding, which the same bound covers. ``tiny`` is the
smallest subnormal of the dtype computed in: below the normal range a rounding error is
absolute, not relative (a float32 mean of ``1e-45`` and ``3e-45``); ``tiny_out`` that of
the output dtype. A column or row
whose statistic lies within a factor 4 of a threshold the formula decides on
(scikit-learn's near-constant rules) may go either way: ``cond`` is infinite there.
"""

import math
import warnings
from fractions import Fraction

import numpy as np
from sklearn.preprocessing import (
    MaxAbsScaler,
    MinMaxScaler,
    StandardScaler,
)

LD = np.longdouble


def compute_eps(dtype):
    """Unit roundoff of the dtype a result in ``dtype`` is computed in (float16: float32)."""
    return float(np.finfo(np.float32 if dtype == np.float16 else dtype).eps)


def output_rtol(dtype):
    """The final rounding to ``dtype`` (see the module docstring)."""
    return float(np.finfo(dtype).eps) * (1 if dtype == np.float16 else 4)


def _quiet(func, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return func(*args)


def _sklearn_input(X):
    """scikit-learn computes float16 in float16: it gets the float64 data instead."""
    return X.astype(np.float64) if X.dtype == np.float16 else X


def _float64(*arrays):
    """Long-double results as float64 (beyond its range: infinite)."""
    return tuple(_quiet(np.asarray(a).astype, np.float64) for a in arrays)


def _col_max(X):
    return _quiet(np.nanmax, np.abs(np.asarray(X, dtype=LD)), 0)


def _moments(X, ddof=0):
    """Count, mean and variance of each column's non-NaN values, in long double."""
    A = np.asarray(X, dtype=LD)
    present = ~np.isnan(A)
    n = present.sum(axis=0)
    mean = _quiet(lambda: np.where(present, A, 0).sum(axis=0) / n)
    dev = np.where(present, A - mean, 0)
    var = _quiet(lambda: (dev * dev).sum(axis=0) / (n - ddof))
    return n, mean, var


# -- column-wise ---------------------------------------------------------------------


def zscore(X, with_mean=True, with_std=True):
    """scikit-learn's ``StandardScaler``; its near-constant rule decides in a band.

    Where scikit-learn's float64 sum of squares overflows (``var_`` not finite: it then
    leaves the column unscaled) or underflows (values below 1e-150: ``var_`` 0), or its
    transform of finite values is not finite (a ``scale_`` float32 cannot hold), or its
    float32 ``scale_`` is subnormal (rounded by up to 20% below 1.2e-38), the
    same formula and rule in long double.
    """
    ref = _quiet(
        lambda: StandardScaler(with_mean=with_mean, with_std=with_std).fit(_sklearn_input(X))
    )
    want = _quiet(ref.transform, _sklearn_input(X)).astype(np.float64)
    n, mean, var = _moments(X)
    eps = np.finfo(np.float64).eps
    bound = n * eps * var + (n * eps * mean) ** 2
    scale = np.asarray(ref.scale_, dtype=LD) if with_std else np.ones(X.shape[1], dtype=LD)
    if with_std:
        top = _col_max(X)
        broken = ~np.isfinite(ref.var_) | ((top > 0) & (top < 1e-150))
        broken |= (~np.isfinite(want) & np.isfinite(X)).any(axis=0)  # scale_ beyond X's dtype
        narrow = np.asarray(ref.scale_, dtype=_sklearn_input(X).dtype)
        broken |= (narrow > 0) & (narrow < np.finfo(narrow.dtype).tiny)  # scale_ rounded
        if broken.any():
            exact = np.where((var <= bound) | (var == 0), LD(1), np.sqrt(var))
            centre = np.where(np.isnan(mean), 0, mean) if with_mean else LD(0)
            formula = _float64((np.asarray(X, dtype=LD) - centre) / exact)[0]
            want[:, broken], scale[broken] = formula[:, broken], exact[broken]
    gain = _float64(np.broadcast_to(1 / scale, X.shape))[0]
    cond = _float64(_col_max(X) / scale * (1 + np.abs(want.astype(LD))))[0]
    if with_std:
        near = (var > bound / 4) & (var < bound * 4)
        cond[:, near] = np.inf
    return want, cond, gain


def minmax(X, feature_range=(0, 1)):
    """scikit-learn's ``MinMaxScaler``; a long-double formula where its range or factor
    overflows (it then returns inf, NaN or ``min_``)."""
    ref = _quiet(lambda: MinMaxScaler(feature_range=feature_range).fit(_sklearn_input(X)))
    want = _quiet(ref.transform, _sklearn_input(X)).astype(np.float64)
    lo, hi = _quiet(np.nanmin, X.astype(LD), 0), _quiet(np.nanmax, X.astype(LD), 0)
    rng = hi - lo
    a, b = LD(feature_range[0]), LD(feature_range[1])
    tiny = 10 * np.finfo(np.float64).eps  # float64's for every dtype (docs/differences)
    span = np.where(rng < tiny, LD(1), rng)
    formula = _quiet(lambda: ((X.astype(LD) - lo) / span * (b - a) + a).astype(np.float64))
    broken = ~np.isfinite(want) & np.isfinite(formula)
    # its range or factor overflowed (data from -1e308 to 1e308, float32 beyond 3.4e38,
    # a width of 2e308): scale_ inf, or 0 that leaves the column at min_
    with np.errstate(all="ignore"):
        lost = ~np.isfinite(ref.data_range_) | ~np.isfinite(ref.scale_) | (ref.scale_ == 0)
        lost |= ~np.isfinite(ref.data_range_.astype(_sklearn_input(X).dtype))
    # float32 data: scikit-learn's zero-range threshold is float32's, ours float64's
    lost |= (rng >= tiny) & (rng < 10 * np.finfo(_sklearn_input(X).dtype).eps)
    broken |= lost[None, :]
    want = np.where(broken, formula, want)
    width = float(b) - float(a) if np.isfinite(float(b) - float(a)) else float(b - a)
    cond = _quiet(lambda: (_col_max(X) / span * LD(abs(width))).astype(np.float64))
    cond = cond + abs(float(a)) + abs(float(b))
    cond = np.broadcast_to(cond, X.shape).copy()
    cond[:, (rng > tiny / 4) & (rng < tiny * 4)] = np.inf
    gain = _quiet(lambda: np.broadcast_to(LD(abs(width)) / span, X.shape).astype(np.float64))
    return want, cond, gain


def batchnorm(X, eps=1e-5):
    """PyTorch's ``BatchNorm1d`` in eval mode with the pooled statistics (long double)."""
    n, mean, var = _moments(X, ddof=1)
    std = np.sqrt(var + LD(eps))
    std = np.where(std == 0, LD(1), std)
    want = _quiet(lambda: (np.asarray(X, dtype=LD) - mean) / std)
    cond = (_col_max(X) / std) * (1 + np.abs(want))
    gain = np.broadcast_to(1 / std, X.shape)
    return _float64(want, cond, gain)


def batchnorm_refusal(X, eps):
    """The error ``BatchNormScaler`` must raise, or None: fewer than 2 values in a column
    (PyTorch's rule), or an unbiased variance its float64 ``running_var_`` cannot hold
    (beyond float64; below its normal range, ``eps`` too)."""
    n, _, var = _moments(X, ddof=1)
    info = np.finfo(np.float64)
    var = np.where(n < 2, 0, var)
    causes = [
        "sample" if (n < 2).any() else "",  # (a stream refuses it at transform)
        "variance overflows float64" if (var > LD(info.max)).any() else "",
        "variance is below float64's normal range"
        if eps < info.tiny and ((var > 0) & (var < LD(info.tiny))).any()
        else "",
    ]
    return "|".join(c for c in causes if c) or None


def decimal(X, per_feature=True):
    """``x / 10**j`` with the smallest ``j`` such that ``max|x| < 10.0**j`` (fractions)."""
    top = _col_max(X).astype(np.float64)
    if not per_feature:
        top = np.full_like(top, np.nanmax(top) if np.isfinite(top).any() else np.nan)
    want = np.empty(X.shape)  # x is exact and 10**j is relative: no absolute error
    for j_col, m in enumerate(top):
        j = 0 if not m > 0 else _digits(Fraction(float(m)))
        power = Fraction(10) ** j
        want[:, j_col] = [
            v if math.isnan(v) else float(Fraction(v) / power) for v in X[:, j_col].tolist()
        ]
    return want, np.abs(want), np.zeros(X.shape)


def decimal_by(X, n_digits):
    """``x / 10**n_digits`` (fractions), rounded once."""
    power = Fraction(10) ** int(n_digits)
    want = np.array(
        [v if not math.isfinite(v) else _float(Fraction(v) / power) for v in X.ravel().tolist()]
    ).reshape(X.shape)
    return want, np.abs(want), np.zeros(X.shape)


def _float(q):
    """A fraction rounded to float64; beyond it, ±inf (``float`` raises there)."""
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


def _digits(m):
    """The smallest j with ``m < float(10**j)`` (the float64 nearest power of ten)."""
    j = math.floor(math.log10(m)) - 1
    while math.isfinite(float(f"1e{j}")) and not m < Fraction(float(f"1e{j}")):
        j += 1
    return j


def log(X, base=math.e, signed=False, offset=1.0, at_zero=np.nan):
    """``log(x + offset) / log(base)`` (or signed ``log1p``) in long double; NaN off-domain,
    ``at_zero`` where ``x + offset == 0`` (``LogScaler``'s ``handle_invalid="nan"``: NaN;
    the function's plain math: ``-inf``)."""
    A = np.asarray(X, dtype=LD)
    if offset == "auto" and not signed:  # x + 1 - min(0, min x) as (x - min) + 1
        low = np.minimum(0, _quiet(np.nanmin, A, 0))
        A, offset = A - np.where(np.isnan(low), 0, low), LD(1)
    ln_base = np.log(LD(base))
    with np.errstate(all="ignore"):
        if signed:
            want = np.sign(A) * np.log1p(np.abs(A)) / ln_base
            cond = np.abs(want)
            gain = 1 / (1 + np.abs(A)) / ln_base
        else:
            shifted = A + LD(offset) if np.ndim(offset) == 0 else A + offset.astype(LD)
            want = np.where(shifted > 0, np.log(shifted), np.nan) / ln_base
            want = np.where(shifted == 0, LD(at_zero), want)
            cond = np.abs(want) + (np.abs(A) + np.abs(offset)) / np.abs(shifted) / ln_base
            gain = 1 / np.abs(shifted) / ln_base
    return _float64(want, cond, gain)


# -- sample-wise ---------------------------------------------------------------------


def group_norm(X, n_groups, eps=1e-5):
    """PyTorch's ``group_norm`` over ``n_groups`` contiguous groups of each row (long double)."""
    out = batchnorm_rows(X.reshape(X.shape[0] * n_groups, -1), eps)
    return tuple(a.reshape(X.shape) for a in out)


def batchnorm_rows(R, eps):
    """Each row of ``R`` normalised by its mean and biased variance (non-NaN values)."""
    n, mean, var = _moments(R.T, ddof=0)
    std = np.sqrt(var + LD(eps))
    std = np.where(std == 0, LD(1), std)
    want = _quiet(lambda: (np.asarray(R.T, dtype=LD) - mean) / std)
    cond = (_col_max(R.T) / std) * (1 + np.abs(want))
    gain = np.broadcast_to(1 / std, R.T.shape)
    return _float64(want.T, cond.T, gain.T)


def unit_norm(X, norm="l2"):
    """Rows divided by their l1, l2 or max norm of the non-NaN values (long double)."""
    A = np.abs(np.where(np.isnan(X), 0, np.asarray(X, dtype=LD)))
    r = {"l1": A.sum(axis=1), "l2": np.sqrt((A * A).sum(axis=1)), "max": A.max(axis=1)}[norm]
    r = np.where(r == 0, 1, r)[:, None]
    want = np.asarray(X, dtype=LD) / r
    gain = np.broadcast_to(1 / r, X.shape)
    return _float64(want, np.abs(want), gain)


def maxabs(X):
    """scikit-learn's ``MaxAbsScaler``; its ``10 * eps`` zero rule decides in a band."""
    ref = _quiet(lambda: MaxAbsScaler().fit(_sklearn_input(X)))
    want = _quiet(ref.transform, _sklearn_input(X)).astype(np.float64)
    scale = ref.scale_
    top = _col_max(X).astype(np.float64)
    if X.dtype == np.float16:  # the zero rule's eps is the training dtype's (as sklearn's)
        small = top < 10 * float(np.finfo(np.float16).eps)
        want[:, small], scale = X[:, small].astype(np.float64), np.where(small, 1.0, scale)
    gain = np.broadcast_to(1 / scale, X.shape)
    cond = np.abs(want)
    near = (top > 2.5 * np.finfo(np.float64).eps) & (top < 40 * compute_eps(X.dtype))
    cond[:, near] = np.inf  # float16: scikit-learn computes it in float64 here
    return want, cond, gain


def rms_rows(X, eps=None):
    """PyTorch's ``rms_norm`` of each row over its non-NaN values (``eps=None``: opmath eps)."""
    if eps is None:
        eps = float(np.finfo(np.float64 if X.dtype == np.float64 else np.float32).eps)
    A = np.asarray(X, dtype=LD)
    present = ~np.isnan(A)
    n = present.sum(axis=1, keepdims=True)
    square = np.where(present, A * A, 0)
    with np.errstate(all="ignore"):
        divisor = np.sqrt(square.sum(axis=1, keepdims=True) / np.maximum(n, 1) + LD(eps))
    divisor = np.where(divisor == 0, LD(1), divisor)
    want = A / divisor
    return _float64(want, np.abs(want), np.broadcast_to(1 / divisor, X.shape))


def power_refuses(X):
    """The refusal's text where scipy's ``yeojohnson_normmax`` finds no λ: values of both
    signs so large that every λ overflows (its bounds cross), else None."""
    from scipy import stats

    for column in _sklearn_input(X).T:
        values = column[~np.isnan(column)]
        if values.size and values.min() < 0 < values.max() and np.abs(values).max() > 1e10:
            try:
                _quiet(stats.yeojohnson_normmax, values)
            except ValueError as exc:
                if "lower bound exceeds the upper bound" in str(exc):
                    return "too large for the Yeo-Johnson transform"
    return None


def power(X, lambdas, method="yeo-johnson", standardize=False):
    """Yeo-Johnson or Box-Cox at the given ``lambdas`` (long double), then z-scored."""
    A = np.asarray(X, dtype=LD)
    lam = np.broadcast_to(np.asarray(lambdas, dtype=LD), (X.shape[1],))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "box-cox":
            t = np.log(np.where(A > 0, A, np.nan))
            y = np.where(lam == 0, t, np.expm1(lam * t) / np.where(lam == 0, 1, lam))
            slope = np.exp((lam - 1) * t)
        else:
            pos, neg = np.log1p(np.abs(A)), 2 - lam
            up = np.where(lam == 0, pos, np.expm1(lam * pos) / np.where(lam == 0, 1, lam))
            down = np.where(neg == 0, pos, np.expm1(neg * pos) / np.where(neg == 0, 1, neg))
            y = np.where(A >= 0, up, -down)
            slope = np.exp(np.where(A >= 0, lam - 1, 1 - lam) * pos)
        cond = np.abs(y) * (1 + np.abs(np.where(np.isnan(A), 0, lam * np.log1p(np.abs(A)))))
        cond = cond + 1
        if standardize:  # scikit-learn's near-constant rule (scale 1) decides in a band
            n, mean, var = _moments(y)
            eps = LD(np.finfo(np.float64).eps)
            bound = n * eps * var + (n * mean * eps) ** 2
            std = np.where(var > bound, np.sqrt(var), LD(1))
            top = np.nanmax(np.where(np.isnan(y), 0, cond), axis=0)
            y = (y - mean) / std
            cond, slope = (cond + top) / std * (1 + np.abs(y)), slope / std
            cond[:, (var > bound / 4) & (var < bound * 4)] = np.inf
    return _float64(y, cond, slope)
