"""References of the quantile-based scalers for the differential tests (the tolerance
model: ``_references``): scikit-learn's ``RobustScaler`` and ``QuantileTransformer``,
each in long double or on exactly rescaled data where its own float64 arithmetic
overflows."""

import numpy as np
from _references import LD, _col_max, _float64, _quiet
from scipy import sparse, special
from sklearn.preprocessing import QuantileTransformer, RobustScaler


def _robust_ld(X, with_centering=True, quantile_range=(25.0, 75.0), unit_variance=False):
    """``RobustScaler``'s centre and scale in long double (no ``a + (b - a) t`` overflow)."""
    low, mid, high = _quiet(
        np.nanpercentile, X.astype(LD), [quantile_range[0], 50, quantile_range[1]], 0
    )
    small = high - low < 10 * np.finfo(np.float64).eps  # scikit-learn's _handle_zeros_in_scale
    scale = np.where(np.isnan(high - low) | small, LD(1), high - low)
    if unit_variance:
        q = np.asarray(quantile_range) / 100
        scale = scale / LD(special.ndtri(q[1]) - special.ndtri(q[0]))
    return (np.nan_to_num(mid) if with_centering else np.zeros(X.shape[1], LD)), scale


def robust(X, **params):
    """scikit-learn's ``RobustScaler`` (``np.nanpercentile``, linear interpolation); in
    long double where numpy's float64 ``a + (b - a) t`` overflows (values near 1e308)."""
    ref = _quiet(lambda: RobustScaler(**params).fit(X.astype(np.float64)))
    want = _quiet(ref.transform, X.astype(np.float64)).astype(np.float64)
    scale = ref.scale_ if ref.scale_ is not None else np.ones(X.shape[1])
    centre = ref.center_ if ref.center_ is not None else np.zeros(X.shape[1])
    lost = (~np.isfinite(want) & np.isfinite(X)).any(axis=0) | ~(
        np.isfinite(centre) & np.isfinite(scale)
    )
    if lost.any():
        c, f = _robust_ld(X, params.get("with_centering", True), **_without(params))
        formula = _float64((X.astype(LD) - c) / f)[0]
        want[:, lost], centre[lost], scale[lost] = formula[:, lost], c[lost], f[lost]
    with np.errstate(all="ignore"):
        cond = (_col_max(X).astype(np.float64) + np.abs(centre)) / scale * (1 + np.abs(want))
    cond = np.broadcast_to(cond, X.shape).copy()
    if ref.scale_ is not None:
        spread = ref.scale_ * (1 if not params.get("unit_variance") else 1.35)
        cond[:, (spread < 1e-14) & (spread > 0)] = np.inf  # scikit-learn's 10*eps rule
    return want, cond, np.broadcast_to(1 / scale, X.shape)


def _without(params):
    return {k: v for k, v in params.items() if k in ("quantile_range", "unit_variance")}


def robust_refusal(X, quantile_range=(25.0, 75.0)):
    """The error ``RobustScaler`` must raise, or None: a quantile range beyond float64
    (data from -1.3e308 to 1.6e308), which its float64 ``scale_`` cannot hold
    (scikit-learn's is inf, and maps every value to 0)."""
    low, high = _quiet(np.nanpercentile, X.astype(LD), list(quantile_range), 0)
    return (
        "quantile range of .* overflows float64"
        if (high - low > np.finfo(float).max).any()
        else None
    )


def quantile(X, n_quantiles=1000, output_distribution="uniform"):
    """scikit-learn's ``QuantileTransformer(subsample=None)``, ``n_quantiles`` capped at n.

    float32 data goes to scikit-learn as float64, as ``QuantileScaler`` maps it
    (docs/differences.rst): scikit-learn's float32 interpolation overflows near float32's
    largest value, and its ``BOUNDS_THRESHOLD`` (1e-7) test rounds away in float32, so a
    constant float32 column maps to 0 under ``"normal"`` where float64 gives -5.199. A
    column whose range overflows float64 (-1.7e308 .. 9.6e307) goes halved (exact, the
    ranks unchanged): scikit-learn's own ``np.interp`` overflows there (NaN, wrong ranks).
    Sparse ``X`` goes to scikit-learn sparse (duplicates summed first): it transforms the
    stored values only, so an implicit zero stays 0 where a dense zero maps to the
    bottom of the output distribution (-5.199 for ``"normal"``).
    """
    X = X.astype(np.float64)  # a copy, sparse or dense
    if sparse.issparse(X):
        X = sparse.csr_matrix(X)
        X.sum_duplicates()  # (non-negative values: a range within float64)
    dense = X.toarray() if sparse.issparse(X) else X
    top = _quiet(np.nanmax, np.abs(dense), 0)
    wide = _quiet(np.subtract, top, -_quiet(np.nanmax, -dense, 0)) == np.inf
    # halves where the range overflows (exact for values this large); below 2**-900,
    # times 2**k up to about 2**-100: exact, still all within BOUNDS_THRESHOLD
    tiny = (top > 0) & (top < 2.0**-900)
    f = np.where(wide, 0.5, np.ldexp(1.0, np.where(tiny, -100 - np.frexp(top)[1], 0)))
    if sparse.issparse(X):
        X.data *= f[X.indices]
    else:
        X = X * f
    ref = QuantileTransformer(
        n_quantiles=min(n_quantiles, X.shape[0]),
        output_distribution=output_distribution,
        subsample=None,
    )
    ref = _quiet(ref.fit, X)
    want = _quiet(ref.transform, X)
    want = (want.toarray() if sparse.issparse(want) else want).astype(np.float64)
    # gain: the map's slope (long double: 0.2 / 5e-324 is beyond float64); a quantile
    # rounded in float64's subnormals (absolute) moves the output by up to that much
    with np.errstate(all="ignore"):
        dq = np.diff(ref.quantiles_, axis=0).astype(LD)
        steps = np.diff(ref.references_).astype(LD)[:, None]
        slope = np.where(dq > 0, steps / np.where(dq > 0, dq, 1), 0) * f.astype(LD)
        gain = np.broadcast_to(np.max(slope, axis=0, initial=LD(0)), want.shape)
        cond = np.ones(X.shape)
        if output_distribution == "normal":  # ndtri' = 1 / pdf magnifies the rank's
            slope = np.sqrt(2 * np.pi) * np.exp(want.astype(LD) ** 2 / 2)  # rounding
            gain, cond = gain * slope, np.minimum(slope, 1e300).astype(np.float64)
    return want, cond, np.where(np.isnan(gain), 0, gain)
