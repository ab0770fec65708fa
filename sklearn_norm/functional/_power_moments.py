"""One pass of the power-transform likelihood: moments of the transformed values and of
their first three derivatives in λ, for every feature at once.

Both transforms are :math:`y = s\\,h(a, t)` with

.. math:: h(a, t) = \\frac{e^{a t} - 1}{a} = \\int_0^t e^{a u}\\,du,

(Box-Cox: :math:`t = \\log x`, :math:`a = \\lambda`, :math:`s = 1`; Yeo-Johnson:
:math:`t = \\log(1 + |x|)`, :math:`s = \\mathrm{sign}(x)`, :math:`a = 1 + s(\\lambda - 1)`,
that is :math:`\\lambda` for :math:`x \\ge 0` and :math:`2 - \\lambda` below). Then
:math:`y^{(k)} = s^{k+1} h_k` with :math:`h_k = \\partial^k h / \\partial a^k =
\\int_0^t u^k e^{a u} du`, and with :math:`e = e^{a t}`, :math:`q = 1 / a`:

.. math::

    h_0 = q (e - 1), \\qquad h_k = q (t^k e - k\\,h_{k-1}),

the closed forms of :math:`t^{k+1} \\varphi_k(a t)`,
:math:`\\varphi_k(z) = \\int_0^1 u^k e^{z u} du`, whose Taylor series replace them where
:math:`|a t| <` ``SERIES_BELOW`` (there the recurrence loses about :math:`k!\\,
\\epsilon / |at|^k` of its precision).

A pass gives, per feature, the count, the means of :math:`y, \\ldots, y''''`, their centred
co-moments :math:`C_{jk} = \\sum_i (y^{(j)}_i - \\bar y^{(j)})(y^{(k)}_i - \\bar y^{(k)})`
for :math:`(j, k)` in ``PAIRS`` and the λ-free sum :math:`L = \\sum_i s_i t_i`. Each
row block's moments are centred on the block's own means (in cache) and merged as
:class:`~sklearn_norm._stats.Stats` merges (Chan et al.), pairwise in block order, so a
large mean loses nothing and the result does not depend on the number of threads.
"""

import math

import numpy as np

from .._chunks import map_blocks

#: float64 bytes of one row block of a pass (about a dozen such temporaries): larger
#: blocks spend less in numpy's per-call overhead, which outweighs the cache here.
PASS_BLOCK_BYTES = 1 << 18
#: Where ``|a t|`` is below this the ``φ_k`` take their Taylor series.
SERIES_BELOW = 0.01
#: Derivatives of ``y`` in λ a pass computes (``y`` to ``y''''``).
ORDER = 4
#: The centred co-moments a pass keeps: those of the variance's Taylor series to ``δ⁴``,
#: hence of the likelihood's first four derivatives.
PAIRS = ((0, 0), (0, 1), (1, 1), (0, 2), (1, 2), (0, 3), (2, 2), (1, 3), (0, 4))

# Taylor coefficients of φ_k (z^m for m = 0..6): φ_k = Σ_m z^m / (m! (m + k + 1))
_SERIES = [[1 / (math.factorial(m) * (m + k + 1)) for m in range(7)] for k in range(ORDER + 1)]

#: Rows of a moment array: count, the means of ``y .. y''''``, the co-moments of
#: ``PAIRS`` and ``L``.
N = 0
MEAN = tuple(range(1, ORDER + 2))
C = {pair: ORDER + 2 + i for i, pair in enumerate(PAIRS)}
L = ORDER + 2 + len(PAIRS)
ROWS = L + 1


def _horner(coefs, z):
    out = np.full_like(z, coefs[-1])
    for c in coefs[-2::-1]:
        out *= z
        out += c
    return out


def _derivatives(t, z, q, order):
    """``[h_0, .., h_order]`` of ``h(a, t)`` for ``z = a t`` and ``q = 1 / a``."""
    e = np.exp(z)
    h = e - 1.0
    h *= q
    out = [h]
    power = e  # t^k e
    for k in range(1, order + 1):
        power = power * t
        h = out[-1] * -float(k)
        h += power
        h *= q
        out.append(h)
    small = np.abs(z) < SERIES_BELOW
    if small.any():
        zs, ts = z[small], t[small]
        tk = ts.copy()
        for k in range(order + 1):
            out[k][small] = tk * _horner(_SERIES[k], zs)
            tk *= ts
    return out


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


def block_moments(x, lam, method, order=ORDER):
    """Moments (``ROWS`` rows, one column per feature) of one float64 block at ``lam``.

    ``x`` holds one feature per row (the transposed data block), so that every
    operation runs along contiguous memory with one parameter per row. A lower
    ``order`` computes the derivatives up to it only (the rows of higher ones are 0):
    ``order=0`` gives the transformed values' count, mean and ``C_00``.
    """
    nan = np.isnan(x)
    has_nan = nan.any()
    if has_nan:
        x = np.where(nan, 0.0 if method == "yeo-johnson" else 1.0, x)
    lam = lam[:, None]
    sign = None
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "yeo-johnson":
            t = _log1p_abs(x)
            if (x < 0).any():  # often none in a block
                sign = np.copysign(1.0, x)  # -0.0 gives -1: harmless, t = 0 there
                a = sign * (lam - 1.0)
                a += 1.0
            else:
                a = lam
        else:
            t = np.log(x)
            a = lam
        hs = _derivatives(t, t * a, 1.0 / a, order)
    if sign is not None:  # y^(k) = s^(k+1) h_k: the even k change sign, the odd k not
        for h in hs[::2]:
            h *= sign
        t *= sign
    count = (
        (~nan).sum(axis=1, dtype=np.float64) if has_nan else np.full(x.shape[0], float(x.shape[1]))
    )
    safe = np.maximum(count, 1.0)
    out = np.zeros((ROWS, x.shape[0]))
    out[N] = count
    out[L] = t.sum(axis=1)
    for row, v in zip(MEAN, hs):
        out[row] = v.sum(axis=1) / safe
        v -= out[row][:, None]
        if has_nan:
            v[nan] = 0.0
    for (j, k), row in C.items():
        if k <= order:
            out[row] = np.einsum("ij,ij->i", hs[j], hs[k])
    return out


def merge_moments(a, b):
    """Moments of the union of two sets of rows (Chan, Golub & LeVeque)."""
    n = a[N] + b[N]
    wb = np.divide(b[N], n, out=np.zeros_like(n), where=n > 0)
    cross = a[N] * wb
    d = [b[row] - a[row] for row in MEAN]
    out = np.empty_like(a)
    out[N] = n
    for row, dk in zip(MEAN, d):
        out[row] = a[row] + dk * wb
    for (j, k), row in C.items():
        out[row] = a[row] + b[row] + d[j] * d[k] * cross
    out[L] = a[L] + b[L]
    return out


def data_moments(X, lam, method, columns, order=ORDER):
    """Moments of the ``columns`` of ``X`` at ``lam`` (derivatives up to ``order``): one
    pass, blocks on the threads."""
    n_cols = len(columns)
    every = n_cols == X.shape[1]

    def one(start, stop):
        block = X[start:stop] if every else X[start:stop][:, columns]
        block = np.array(block.T, dtype=np.float64, order="C")
        return block_moments(block, lam, method, order)

    parts = map_blocks(one, X.shape[0], n_cols * 8, block_bytes=PASS_BLOCK_BYTES)
    while len(parts) > 1:  # pairwise, in block order: the same result on any thread count
        parts = [
            merge_moments(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
            for i in range(0, len(parts), 2)
        ]
    return parts[0]
