"""Maximum-likelihood λ of the power transforms, with few passes over the data.

scikit-learn (through scipy) maximises, per feature, the profile log-likelihood

.. math:: \\ell(\\lambda) = -\\frac{n}{2} \\log V(\\lambda) + (\\lambda - 1) L,

where :math:`V(\\lambda)` is the (biased) variance of the transformed values
:math:`y_i(\\lambda)` and :math:`L = \\sum_i \\mathrm{sign}(x_i) \\log(1 + |x_i|)`
(Yeo-Johnson) or :math:`L = \\sum_i \\log x_i` (Box-Cox), with Brent's method: some
thirty evaluations, each a pass over the column. Here one pass
(:mod:`~sklearn_norm.functional._power_moments`) gives, for all features at once, the
co-moments :math:`C_{jk}` of :math:`y` and of its derivatives in λ, hence the Taylor
series of :math:`V` to :math:`\\delta^4`,

.. math::

    n V(\\lambda + \\delta) = C_{00} + 2 C_{01} \\delta + (C_{11} + C_{02}) \\delta^2
    + (C_{12} + \\tfrac{1}{3} C_{03}) \\delta^3
    + (\\tfrac{1}{4} C_{22} + \\tfrac{1}{3} C_{13} + \\tfrac{1}{12} C_{04}) \\delta^4,

and the first four derivatives of :math:`\\ell` (see :func:`likelihood`). The step
:math:`\\delta` is the root of :math:`\\ell' + \\ell'' \\delta + \\ell''' \\delta^2 / 2`
next to Newton's step :math:`-\\ell' / \\ell''`; the next term shifts the true root by
about :math:`\\ell'''' \\delta^3 / (6 (\\ell'' + \\ell''' \\delta))`, the error estimate
(measured within 15 % of the error left on the test and benchmark features). A first
estimate comes from a strided subsample; then one pass over all the data settles most
features: those whose error estimate is below ``FINAL_TOL`` (and step at most
``MAX_FINAL_STEP``). The others take more steps, a pass over their columns each. The
mean and variance at the final λ come from the last pass by the Taylor series above
where the last step is at most ``TAYLOR_STEP`` (their next term is then below float64's
rounding), else from one more pass, of the transformed values only (about half the
cost of a pass with derivatives: the logarithm and the exponential remain). A feature
whose iteration
does not settle, or whose optimum lies where the transformed values would overflow, is
handed to scipy's own optimiser (``yeojohnson_normmax``, ``boxcox_normmax``).
"""

import math

import numpy as np

from ._power_moments import MEAN, C, L, N, data_moments

#: Rows of the strided subsample that gives the first estimate.
SUBSAMPLE_ROWS = 1 << 15
#: The first estimate stops where its estimated error is below this.
SUBSAMPLE_TOL = 1e-3
#: The final λ's estimated error is below this (scikit-learn's λ is matched to 1e-4).
FINAL_TOL = 1e-7
#: Longest final step (the error estimate assumes a model that still holds there).
MAX_FINAL_STEP = 0.05
#: Longest final step after which the mean and variance at the final λ come from the
#: last pass's Taylor series to ``δ⁴`` (next term about ``(δ t)⁵ / 120``, relative).
TAYLOR_STEP = 1e-4
#: Passes allowed per stage before a feature is handed to scipy.
MAX_PASSES = 40
#: Largest ``|a t|`` for Box-Cox: ``e^(a t)`` squared and summed stays finite.
MAX_EXPONENT = 300.0


def likelihood(m, lam):
    """``(ℓ, ℓ', ℓ'', ℓ''', ℓ'''')`` per feature from the moments ``m`` at ``lam``.

    With :math:`r_k = V^{(k)} / V`, the derivatives of :math:`\\log V` are
    :math:`r_1`, :math:`r_2 - r_1^2`, :math:`r_3 - 3 r_1 r_2 + 2 r_1^3` and
    :math:`r_4 - 4 r_1 r_3 - 3 r_2^2 + 12 r_1^2 r_2 - 6 r_1^4`.
    """
    n = m[N]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        c00 = m[C[0, 0]]
        r1 = 2.0 * m[C[0, 1]] / c00
        r2 = 2.0 * (m[C[1, 1]] + m[C[0, 2]]) / c00
        r3 = 2.0 * (3.0 * m[C[1, 2]] + m[C[0, 3]]) / c00
        r4 = 2.0 * (3.0 * m[C[2, 2]] + 4.0 * m[C[1, 3]] + m[C[0, 4]]) / c00
        f = -0.5 * n * np.log(c00 / n) + (lam - 1.0) * m[L]
        g = m[L] - 0.5 * n * r1
        h = -0.5 * n * (r2 - r1 * r1)
        k = -0.5 * n * (r3 - 3.0 * r1 * r2 + 2.0 * r1**3)
        r1s = r1 * r1
        q = -0.5 * n * (r4 - 4.0 * r1 * r3 - 3.0 * r2 * r2 + 12.0 * r1s * r2 - 6.0 * r1s * r1s)
        good = np.isfinite(f) & np.isfinite(g) & np.isfinite(h) & np.isfinite(k) & (c00 > 0)
    f[~(good & np.isfinite(q))] = -np.inf
    return f, g, h, k, q


def quadratic_step(g, h, k, q):
    """``(step, error)``: the root of ``g + h δ + k δ² / 2`` next to Newton's step
    ``-g / h``, and the estimated error of ``λ + step``, the root's shift by the next
    term: ``|q δ³ / (6 (h + k δ))|``.

    Where ``h < 0`` but the quadratic has no real root, the step is Newton's; where
    ``h >= 0``, NaN. The error is infinite there and where ``|k δ| > |h| / 2`` (the
    model is far from quadratic).
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        newton = -g / h
        disc = h * h - 2.0 * k * g
        step = -2.0 * g / (h - np.sqrt(np.maximum(disc, 0.0)))
        usable = (h < 0) & (disc >= 0) & np.isfinite(step)
        slope = h + k * step
        error = np.abs(q * step**3 / (6.0 * slope))
        error = np.where(usable & (np.abs(k * step) <= 0.5 * np.abs(h)), error, np.inf)
    step = np.where(usable, step, np.where(h < 0, newton, np.nan))
    return step, np.where(np.isnan(error), np.inf, error)


def taylor(m, d):
    """Mean and variance of the transformed values at ``λ + d`` from the moments ``m``
    at ``λ``: their Taylor series to ``d⁴``."""
    mean = m[MEAN[4]] / 24
    for k in (3, 2, 1, 0):
        mean = mean * d + m[MEAN[k]] / math.factorial(k)
    terms = [
        m[C[0, 0]],
        2 * m[C[0, 1]],
        m[C[1, 1]] + m[C[0, 2]],
        m[C[1, 2]] + m[C[0, 3]] / 3,
        m[C[2, 2]] / 4 + m[C[1, 3]] / 3 + m[C[0, 4]] / 12,
    ]
    var = terms[4]
    for term in terms[3::-1]:
        var = var * d + term
    return mean, var / m[N]


def maximise(moments_at, lam, lo, hi, tol):
    """Safeguarded Halley steps on every feature at once; one call of ``moments_at`` each.

    ``moments_at(lam, columns)`` gives the moments of those columns at their ``lam``.
    Returns ``(lam, mean, var, settled)``: the maximiser, the mean and the variance of
    the transformed values there (NaN where the last step exceeds ``TAYLOR_STEP``), and
    which features settled (estimated error below ``tol``, or at a bound of
    ``[lo, hi]`` with the likelihood rising beyond it).
    """
    p = lam.shape[0]
    lam = np.clip(lam.astype(np.float64), lo, hi)
    mean, var = np.full(p, np.nan), np.full(p, np.nan)
    settled = np.zeros(p, dtype=bool)
    active = np.arange(p)
    m = moments_at(lam, active)
    f, *derivs = likelihood(m, lam)
    trust = np.ones(p)
    for _ in range(MAX_PASSES):
        ok = np.isfinite(f)
        active, m, f, derivs = active[ok], m[:, ok], f[ok], [v[ok] for v in derivs]
        if not active.size:
            break
        cur, reach = lam[active], trust[active]
        wanted, error = quadratic_step(*derivs)
        wanted = np.where(np.isnan(wanted), np.sign(derivs[0]) * reach, wanted)  # uphill
        target = cur + np.clip(wanted, -reach, reach)
        bounded = np.clip(target, lo[active], hi[active])
        step = bounded - cur
        free = (np.abs(wanted) <= reach) & (bounded == target)
        done = free & (error <= tol) & (np.abs(step) <= MAX_FINAL_STEP)
        done |= (step == 0) & (bounded != target)  # at a bound, the optimum beyond it
        lost = ~done & (reach < tol)  # no ascent but by steps below tol: rounding noise
        if done.any():
            idx, d = active[done], step[done]
            lam[idx] = cur[done] + d
            near = np.abs(d) <= TAYLOR_STEP  # else NaN: the caller takes one more pass
            mean[idx[near]], var[idx[near]] = taylor(m[:, done][:, near], d[near])
            settled[idx] = True
        keep = ~done & ~lost
        active, m, step, cur = active[keep], m[:, keep], step[keep], cur[keep]
        f, derivs = f[keep], [v[keep] for v in derivs]
        if not active.size:
            break
        new = cur + step
        m_new = moments_at(new, active)
        f_new, *derivs_new = likelihood(m_new, new)
        up = f_new >= f
        trust[active] = np.where(up, np.maximum(trust[active], 2 * np.abs(step)), np.abs(step) / 4)
        lam[active] = np.where(up, new, cur)
        m = np.where(up, m_new, m)
        f = np.where(up, f_new, f)
        derivs = [np.where(up, new_v, v) for new_v, v in zip(derivs_new, derivs)]
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
    """λ of one feature by scipy's own optimiser, and the transformed mean and variance.

    Where scipy cannot bound its search (values so tiny, subnormal, that every λ maps
    them alike: the likelihood is flat), λ is 1, as for a constant feature.
    """
    from scipy import stats

    from ._power import power_kernel

    values = column[~np.isnan(column)].astype(dtype)
    with np.errstate(all="ignore"):
        try:
            if method == "yeo-johnson":
                lam = float(stats.yeojohnson_normmax(values))
            else:
                lam = float(stats.boxcox_normmax(values, method="mle"))
        except ValueError:  # "Optimization bounds must be finite scalars."
            lam = 1.0
        y = power_kernel(np.array([lam]), method)(values.astype(np.float64)[:, None])
        return lam, float(np.mean(y)), float(np.var(y))  # beyond float64: inf, quietly


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
    # scikit-learn's rule in the units of ``stats.exp`` (scale-free: squares beyond
    # float64 decide as the rescaled values do); a variance below float64's range keeps
    # λ = 1 too: the likelihood is flat there (its slope in λ is about |x|), as in scipy
    var_u, mean_u = stats.variance_in_units(), stats.mean_in_units()
    with np.errstate(over="ignore", invalid="ignore"):  # |mean| ~ 1e308: constant anyway
        constant = (n == 0) | ~(var_u > n * eps * var_u + (n * mean_u * eps) ** 2)
        constant |= var0 == 0
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
            lambda lam_, c: data_moments(sub, lam_, method, c), start, lo, hi, SUBSAMPLE_TOL
        )
    found, m, v, settled = maximise(
        lambda lam_, c: data_moments(X, lam_, method, cols[c]), start, lo, hi, FINAL_TOL
    )
    far = settled & np.isnan(m)
    if far.any():  # the transformed values' statistics at the final λ: one more pass
        exact = data_moments(X, found[far], method, cols[far], order=0)
        m[far], v[far] = exact[MEAN[0]], exact[C[0, 0]] / exact[N]
    lam[cols], mean[cols], var[cols] = found, m, v
    unsure = ~settled
    if method == "box-cox":
        unsure |= (found <= lo) | (found >= hi)
        unsure |= _beyond_box_cox_limit(found, stats.min[cols], stats.max[cols], dtype)
    for j in cols[unsure]:
        lam[j], mean[j], var[j] = _scipy_fit(np.asarray(X[:, j]), method, dtype)
    return lam, mean, var
