"""Maximum-likelihood λ of the power transforms, with few passes over the data.

scikit-learn (through scipy) maximises, per feature, the profile log-likelihood

.. math:: \\ell(\\lambda) = -\\frac{n}{2} \\log \\sigma^2(\\lambda) + (\\lambda - 1) L,

where :math:`\\sigma^2(\\lambda)` is the (biased) variance of the transformed values
:math:`y_i(\\lambda)` and :math:`L = \\sum_i \\mathrm{sign}(x_i) \\log(1 + |x_i|)`
(Yeo-Johnson) or :math:`L = \\sum_i \\log x_i` (Box-Cox), with Brent's method: some
thirty evaluations, each a pass over the column. Here every evaluation also gives the
first two derivatives, for all features at once, so that Newton's method needs two or
three passes over the data after a first estimate from a strided subsample.

Both transforms are :math:`y = s\\,h(a, t)` with

.. math:: h(a, t) = \\frac{e^{a t} - 1}{a} = \\int_0^t e^{a u}\\,du,

(Box-Cox: :math:`t = \\log x`, :math:`a = \\lambda`, :math:`s = 1`; Yeo-Johnson:
:math:`t = \\log(1 + |x|)`, :math:`s = \\mathrm{sign}(x)`, :math:`a = \\lambda` for
:math:`x \\ge 0` and :math:`a = 2 - \\lambda` below). Then
:math:`y' = h_a = \\int_0^t u e^{a u} du` and :math:`y'' = s\\,h_{aa} = s \\int_0^t u^2
e^{au} du`, computed with :math:`z = a t` as :math:`h = t \\varphi_0(z)`,
:math:`h_a = t^2 \\varphi_1(z)`, :math:`h_{aa} = t^3 \\varphi_2(z)`:

.. math::

    \\varphi_0 = \\frac{e^z - 1}{z}, \\quad
    \\varphi_1 = \\frac{z e^z - (e^z - 1)}{z^2}, \\quad
    \\varphi_2 = \\frac{e^z - 2 \\varphi_1}{z}

(their Taylor series where :math:`|z| < 0.01`). With :math:`V = \\sigma^2`,
:math:`V' = 2\\,\\mathrm{cov}(y, y')` and :math:`V'' = 2\\,(\\mathrm{var}(y') +
\\mathrm{cov}(y, y''))`:

.. math::

    \\ell' = L - \\frac{n}{2} \\frac{V'}{V}, \\qquad
    \\ell'' = -\\frac{n}{2} \\left(\\frac{V''}{V} - \\frac{V'^2}{V^2}\\right).

Each row block's moments are centred on the block's own means (in cache) and merged as
:class:`~sklearn_norm._stats.Stats` merges (Chan et al.), so a large mean loses nothing.
The standardisation's mean and variance at the final λ come from the last pass by their
Taylor expansion (the last step is below ``1e-4``). A feature whose Newton iteration
does not settle, or whose optimum lies where the transformed values would overflow, is
handed to scipy's own optimiser (``yeojohnson_normmax``, ``boxcox_normmax``).
"""

import math

import numpy as np

from .._chunks import map_blocks

#: Rows of the strided subsample that gives the first estimate.
SUBSAMPLE_ROWS = 1 << 15
#: float64 bytes of one row block of a likelihood pass (about ten such temporaries).
PASS_BLOCK_BYTES = 1 << 18
#: Newton stops when its step is below this: the error left is about its square.
STEP_TOL = 1e-4
#: Passes allowed per stage before a feature is handed to scipy.
MAX_PASSES = 40
#: Where ``|a t|`` is below this the ``φ`` take their Taylor series.
SERIES_BELOW = 0.01
#: Largest ``|a t|`` for Box-Cox: ``e^(a t)`` squared and summed stays finite.
MAX_EXPONENT = 300.0

# Taylor coefficients of φ0, φ1, φ2 (z^k for k = 0..6)
_FACT = [math.factorial(k) for k in range(12)]
_SERIES = [
    [1 / _FACT[k + 1] for k in range(7)],
    [(k + 1) / _FACT[k + 2] for k in range(7)],
    [(k + 2) * (k + 1) / _FACT[k + 3] for k in range(7)],
]

#: Rows of the moment arrays: count, means of y, y', y'', then the centred co-moments
#: C(y,y), C(y,y'), C(y',y'), C(y,y'') and the λ-free sum L.
N, M0, M1, M2, C00, C01, C11, C02, L = range(9)


def _horner(coefs, z):
    out = np.full_like(z, coefs[-1])
    for c in coefs[-2::-1]:
        out *= z
        out += c
    return out


def _derivatives(t, z, q):
    """``(y, y', y'')`` of ``h(a, t)`` for ``z = a t`` and ``q = 1 / a`` (2-D arrays).

    With ``e = exp(z)``: ``h = q (e - 1)``, ``h_a = q (t e - h)``,
    ``h_aa = q (t^2 e - 2 h_a)``, the closed forms of ``t^k φ_k(z)``; where
    ``|z| < SERIES_BELOW`` the ``φ_k`` take their Taylor series instead.
    """
    e = np.exp(z)
    te = t * e
    y = e
    y -= 1.0
    y *= q
    dy = te - y
    dy *= q
    te *= t
    d2y = dy * -2.0
    d2y += te
    d2y *= q
    small = np.abs(z) < SERIES_BELOW
    if small.any():
        zs, ts = z[small], t[small]
        phis = [_horner(coefs, zs) for coefs in _SERIES]
        y[small] = ts * phis[0]
        dy[small] = ts * ts * phis[1]
        d2y[small] = ts * ts * ts * phis[2]
    return y, dy, d2y


def _log1p_abs(x):
    """``log1p(|x|)`` from ``log`` (vectorised, about twice as fast as ``log1p`` here):
    ``log(w) - ((w - 1) - u) / w`` with ``w = 1 + u`` corrects ``w``'s rounding."""
    u = np.abs(x)
    w = u + 1.0
    t = np.log(w)
    err = w - 1.0
    err -= u
    err /= w
    t -= err
    return t


def block_moments(x, lam, method):
    """Moments (rows ``N .. L``, shape (9, n_features)) of one float64 block at ``lam``.

    ``x`` holds one feature per row (the transposed data block), so that every
    operation runs along contiguous memory with one parameter per row.
    """
    nan = np.isnan(x)
    has_nan = nan.any()
    if has_nan:
        x = np.where(nan, 0.0 if method == "yeo-johnson" else 1.0, x)
    lam = lam[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "yeo-johnson":
            negative = x < 0
            negative = negative if negative.any() else None  # often none in a block
            t = _log1p_abs(x)
            z = t * lam
            q = 1.0 / lam
            if negative is not None:
                np.multiply(t, 2.0 - lam, out=z, where=negative)
                q = np.broadcast_to(q, x.shape).copy()
                np.copyto(q, 1.0 / (2.0 - lam), where=negative)
        else:
            negative = None
            t = np.log(x)
            z = t * lam
            q = 1.0 / lam
        y, dy, d2y = _derivatives(t, z, q)
    if negative is not None:
        for v in (y, d2y, t):
            np.negative(v, out=v, where=negative)
    count = (
        (~nan).sum(axis=1, dtype=np.float64) if has_nan else np.full(x.shape[0], float(x.shape[1]))
    )
    safe = np.maximum(count, 1.0)
    out = np.empty((9, x.shape[0]))
    out[N] = count
    out[L] = t.sum(axis=1)
    for row, v in ((M0, y), (M1, dy), (M2, d2y)):
        out[row] = v.sum(axis=1) / safe
        v -= out[row][:, None]
        if has_nan:
            v[nan] = 0.0
    out[C00] = np.einsum("ij,ij->i", y, y)
    out[C01] = np.einsum("ij,ij->i", y, dy)
    out[C11] = np.einsum("ij,ij->i", dy, dy)
    out[C02] = np.einsum("ij,ij->i", y, d2y)
    return out


def merge_moments(a, b):
    """Moments of the union of two sets of rows (Chan, Golub & LeVeque)."""
    n = a[N] + b[N]
    wb = np.divide(b[N], n, out=np.zeros_like(n), where=n > 0)
    cross = a[N] * wb
    d0, d1, d2 = (b[M0] - a[M0]), (b[M1] - a[M1]), (b[M2] - a[M2])
    out = np.empty_like(a)
    out[N] = n
    out[M0] = a[M0] + d0 * wb
    out[M1] = a[M1] + d1 * wb
    out[M2] = a[M2] + d2 * wb
    out[C00] = a[C00] + b[C00] + d0 * d0 * cross
    out[C01] = a[C01] + b[C01] + d0 * d1 * cross
    out[C11] = a[C11] + b[C11] + d1 * d1 * cross
    out[C02] = a[C02] + b[C02] + d0 * d2 * cross
    out[L] = a[L] + b[L]
    return out


def data_moments(X, lam, method, columns):
    """Moments of the ``columns`` of ``X`` at ``lam``: one pass, blocks on the threads."""
    n_cols = len(columns)
    every = n_cols == X.shape[1]

    def one(start, stop):
        block = X[start:stop] if every else X[start:stop][:, columns]
        return block_moments(np.array(block.T, dtype=np.float64, order="C"), lam, method)

    parts = map_blocks(one, X.shape[0], n_cols * 8, block_bytes=PASS_BLOCK_BYTES)
    while len(parts) > 1:  # pairwise, in block order: the same result on any thread count
        parts = [
            merge_moments(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
            for i in range(0, len(parts), 2)
        ]
    return parts[0]


def likelihood(m, lam):
    """``(ℓ, ℓ', ℓ'')`` per feature from the moments ``m`` at ``lam``."""
    n = m[N]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        var = m[C00] / n
        cov01 = m[C01] / n
        curv = (m[C11] + m[C02]) / n
        f = -0.5 * n * np.log(var) + (lam - 1.0) * m[L]
        g = m[L] - n * cov01 / var
        h = -n * curv / var + 2.0 * n * (cov01 / var) ** 2
    bad = ~(np.isfinite(f) & np.isfinite(g) & np.isfinite(h) & (var > 0))
    f[bad] = -np.inf
    return f, g, h


def maximise(moments_at, lam, lo, hi, tol=STEP_TOL):
    """Safeguarded Newton on every feature at once; one call of ``moments_at`` a step.

    ``moments_at(lam, columns)`` gives the moments of those columns at their ``lam``.
    Returns ``(lam, mean, var, settled)``: the maximiser, the mean and the variance of
    the transformed values there (Taylor-extrapolated over the last step), and which
    features settled.
    """
    p = lam.shape[0]
    lam = np.clip(lam.astype(np.float64), lo, hi)
    mean, var = np.full(p, np.nan), np.full(p, np.nan)
    settled = np.zeros(p, dtype=bool)
    active = np.arange(p)
    m = moments_at(lam, active)
    f, g, h = likelihood(m, lam)
    trust = np.ones(p)
    for _ in range(MAX_PASSES):
        ok = np.isfinite(f)
        active, m, f, g, h = active[ok], m[:, ok], f[ok], g[ok], h[ok]
        if not active.size:
            break
        cur = lam[active]
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(h < 0, -g / h, np.sign(g) * trust[active])
        step = np.clip(step, -trust[active], trust[active])
        step = np.clip(cur + step, lo[active], hi[active]) - cur
        done = np.abs(step) <= tol
        if done.any():
            d = step[done]
            idx = active[done]
            lam[idx] = cur[done] + d
            mm = m[:, done]
            n = mm[N]
            mean[idx] = mm[M0] + d * mm[M1] + 0.5 * d * d * mm[M2]
            var[idx] = (mm[C00] + 2 * d * mm[C01] + d * d * (mm[C11] + mm[C02])) / n
            settled[idx] = True
        keep = ~done
        active, m, step, cur = active[keep], m[:, keep], step[keep], cur[keep]
        f, g, h = f[keep], g[keep], h[keep]
        if not active.size:
            break
        new = cur + step
        m_new = moments_at(new, active)
        f_new, g_new, h_new = likelihood(m_new, new)
        up = f_new >= f
        trust[active] = np.where(up, np.maximum(trust[active], 2 * np.abs(step)), np.abs(step) / 4)
        lam[active] = np.where(up, new, cur)
        m = np.where(up, m_new, m)
        f = np.where(up, f_new, f)
        g = np.where(up, g_new, g)
        h = np.where(up, h_new, h)
    return lam, mean, var, settled


def _bounds(method, lo_x, hi_x, dtype):
    """Per-feature λ bounds: scipy's for Yeo-Johnson (``yeojohnson_normmax``, which keeps
    the transformed values' variance finite in ``dtype``); for Box-Cox (unbounded in
    scipy) the range where ``|λ log x| <= MAX_EXPONENT``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "box-cox":
            reach = np.fmax(np.abs(np.log(lo_x)), np.abs(np.log(hi_x)))
            limit = np.where(reach > 0, MAX_EXPONENT / reach, np.inf)
            return -limit, limit
        info = np.finfo(dtype)
        log1p_max = np.log1p(20 * np.fmax(np.abs(lo_x), np.abs(hi_x)))
        log_eps = np.log(info.eps)
        lb = ((np.log(info.tiny) - log_eps) / 2) / log1p_max
        ub = ((np.log(info.max) + log_eps) / 2) / log1p_max
    negative_only, some_negative = hi_x < 0, lo_x < 0
    lo = np.where(negative_only, 2 - ub, np.where(some_negative, np.maximum(2 - ub, lb), lb))
    hi = np.where(negative_only, 2 - lb, np.where(some_negative, np.minimum(2 - lb, ub), ub))
    return lo, hi


def unbounded(method, lo_x, hi_x, dtype):
    """Features whose Yeo-Johnson λ bounds are empty (values of both signs so large that
    every λ overflows ``dtype``: scipy's ``fminbound`` refuses them)."""
    if method != "yeo-johnson":
        return np.zeros(np.shape(lo_x), dtype=bool)
    lo, hi = _bounds(method, lo_x, hi_x, dtype)
    return lo > hi


def _beyond_box_cox_limit(lam, lo_x, hi_x, dtype):
    """Where scipy's ``boxcox_normmax`` would cap λ (the transformed extreme value
    beyond ``finfo(dtype).max / 10000``)."""
    from scipy import special

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        at_hi = special.boxcox(hi_x, lam)
        at_lo = special.boxcox(lo_x, lam)
        extreme = np.where(lo_x >= 1, at_hi, np.where(hi_x <= 1, at_lo, np.fmax(at_hi, -at_lo)))
        return ~(np.abs(extreme) <= np.finfo(dtype).max / 10000)


def _scipy_fit(column, method, dtype):
    """λ of one feature by scipy's own optimiser, and the transformed mean and variance."""
    from scipy import stats

    from ._power import power_kernel

    values = column[~np.isnan(column)].astype(dtype)
    with np.errstate(all="ignore"):
        if method == "yeo-johnson":
            lam = float(stats.yeojohnson_normmax(values))
        else:
            lam = float(stats.boxcox_normmax(values, method="mle"))
    y = power_kernel(np.array([lam]), method)(values.astype(np.float64)[:, None])
    return lam, float(np.mean(y)), float(np.var(y))


def fit_power(X, method, stats, dtype):
    """``(lambdas, mean, var)`` per feature: the maximum-likelihood λ of ``X`` (2-D numpy,
    NaN ignored) and the mean and variance of the transformed values.

    ``stats`` is ``X``'s :class:`~sklearn_norm._stats.Stats` (count, mean, variance,
    range), ``dtype`` the float type whose range bounds λ as in scipy. A feature with
    no values, or constant within float64's rounding (scikit-learn's rule), keeps λ = 1.
    """
    p = X.shape[1]
    n = stats.count
    var0 = stats.variance()
    eps = np.finfo(np.float64).eps
    with np.errstate(over="ignore", invalid="ignore"):  # |mean| ~ 1e308: constant anyway
        constant = (n == 0) | ~(var0 > n * eps * var0 + (n * stats.mean * eps) ** 2)
    lam = np.ones(p)
    mean = stats.mean - (1.0 if method == "box-cox" else 0.0)  # λ = 1 maps x to x or x - 1
    var = var0.copy()
    cols = np.flatnonzero(~constant)
    if not cols.size:
        return lam, mean, var
    lo, hi = _bounds(method, stats.min[cols], stats.max[cols], dtype)
    start = np.ones(cols.size)
    if X.shape[0] > SUBSAMPLE_ROWS:  # a first estimate from every k-th row
        sub = np.asarray(X[:: X.shape[0] // SUBSAMPLE_ROWS][:, cols], dtype=np.float64)
        start, *_ = maximise(
            lambda lam_, c: data_moments(sub, lam_, method, c), start, lo, hi, 1e-3
        )
    found, m, v, settled = maximise(
        lambda lam_, c: data_moments(X, lam_, method, cols[c]), start, lo, hi
    )
    lam[cols], mean[cols], var[cols] = found, m, v
    unsure = ~settled
    if method == "box-cox":
        unsure |= (found <= lo) | (found >= hi)
        unsure |= _beyond_box_cox_limit(found, stats.min[cols], stats.max[cols], dtype)
    for j in cols[unsure]:
        lam[j], mean[j], var[j] = _scipy_fit(np.asarray(X[:, j]), method, dtype)
    return lam, mean, var
