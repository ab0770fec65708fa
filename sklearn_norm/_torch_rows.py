"""Sample-wise transforms of torch tensors by PyTorch's own row kernels.

Imported lazily, for float32 and float64 tensors only, by the Array API adapter
(:func:`sklearn_norm._array_api.apply_rows`). A fitted scaler's export description
(:mod:`sklearn_norm._export`) is computed with ``native_layer_norm`` /
``native_group_norm`` (:class:`~sklearn_norm._export.Groups`) or
``torch.linalg.vector_norm`` and one division (:class:`~sklearn_norm._export.RowNorms`,
:class:`~sklearn_norm._export.RowRMS`): one read and one write of the data, as PyTorch's
own ``F.layer_norm``, ``F.group_norm``, ``F.normalize`` cost.

Those kernels accumulate in the input's dtype (Welford's method with cascade sums, for
float32 too), so their statistics are used only where they are as good as the float64
ones: a row whose statistics are not finite (a NaN, an infinity), outside the range
where its squares can neither over- nor underflow (:func:`_limit`), or zero where
``sqrt(var + eps)`` would divide by zero is *redone*: the caller computes it, with its
infinity test, by the NaN-aware float64 path of the estimator. A group whose mean
exceeds :data:`COND` standard deviations (the one-pass moments then lose
``log2(1 + COND)`` bits) is normalised again after subtracting its mean in the input's
dtype (exact for the values near it, by Sterbenz's lemma), and redone if still
ill-conditioned; so the float32 large-mean case (1e5 + N(0, 1)) is exact, and a
float32 result is within a few units in the last place of the float64 one (measured on
rows of 50: torch's float32 ``layer_norm`` is 3 eps off at a mean of one standard
deviation, 4.5 eps at two, 9 at four, 17 at eight; the numpy path 1.8 eps).

The per-row numbers (means, norms: a few per row) are tested and combined with numpy
on views of the CPU tensors: a small torch operation runs on the intra-op thread pool,
and each such barrier can wait a whole time slice on a busy machine.
"""

import math

import numpy as np
import torch

from ._export import Groups, RowNorms, RowRMS
from .functional._ops import numpy_dtype
from .functional._rms import default_eps

#: A group whose ``|mean| / std`` exceeds this is normalised again, shifted by its mean.
COND = 4.0

_ORDS = {"l1": 1.0, "l2": 2.0, "max": float("inf")}


def forward(description, X):
    """The normalised rows of ``X``, their kept statistics, and the rows to redo.

    Parameters
    ----------
    description : Groups, RowNorms or RowRMS
        The fitted scaler's map (:func:`sklearn_norm._export.describe`).
    X : torch.Tensor of shape (n_samples, n_features), float32 or float64

    Returns
    -------
    result : tuple or None
        ``(y, stats, redo)``: ``y`` like ``X``; ``stats`` the list of kept per-row
        statistics (means then stds of shape (n_samples, G), or the norm or rms of
        shape (n_samples, 1)) in ``X``'s dtype and device; ``redo`` the indices of
        the rows whose ``y`` and ``stats`` the caller must compute itself. None where
        no native kernel applies (another dtype, an empty ``X``, another description).
    """
    if X.dtype not in (torch.float32, torch.float64) or 0 in X.shape:
        return None
    if isinstance(description, Groups):
        return _groups(X, description)
    if isinstance(description, RowNorms):
        return _norms(X, description.norm)
    if isinstance(description, RowRMS):
        return _rms(X, description)
    return None


def _limit(dtype):
    """``2**k`` such that values of magnitude within ``[2**-k, 2**k]`` square, summed
    over up to ``2**26`` of them, to a normal number of ``dtype``: 2**50 for float32,
    2**498 for float64."""
    return 2.0 ** (math.frexp(torch.finfo(dtype).max)[1] // 2 - 14)


class _Few:
    """Per-row numbers in the namespace where small operations are cheap: numpy views
    of CPU tensors, torch elsewhere (a GPU); ``back`` returns a tensor."""

    def __init__(self, like):
        self.cpu = like.device.type == "cpu"
        self.xp = np if self.cpu else torch
        self.dtype = numpy_dtype(like) if self.cpu else like.dtype

    def __call__(self, t):
        return t.detach().numpy() if self.cpu else t

    def back(self, a):
        return torch.from_numpy(np.ascontiguousarray(a)) if self.cpu else a

    def where(self, a):
        """Indices (int64 tensor) where the boolean vector ``a`` is true."""
        return self.back(np.flatnonzero(a)) if self.cpu else torch.nonzero(a).reshape(-1)


def _param(values, X):
    return None if values is None else torch.as_tensor(values, dtype=X.dtype, device=X.device)


def _native_groups(X, n_groups, eps, weight, bias):
    """``(y, mean, rstd)``, the statistics of shape (n_samples, n_groups)."""
    n, f = X.shape
    if n_groups == 1:
        y, mean, rstd = torch.native_layer_norm(X, (f,), weight, bias, eps)
    else:  # channels of one value each: the affine parameters are per feature
        y, mean, rstd = torch.native_group_norm(X, weight, bias, n, f, 1, n_groups, eps)
    return y, mean.reshape(n, n_groups), rstd.reshape(n, n_groups)


def _groups(X, d):
    r""":math:`y = (x - \mu_g) / \sqrt{\sigma^2_g + \epsilon} \cdot w + b` per (row, group)."""
    g, eps = d.n_groups, d.eps
    weight, bias = _param(d.weight, X), _param(d.bias, X)
    y, mean, rstd = _native_groups(X, g, eps, weight, bias)
    limit = _limit(X.dtype)
    few = _Few(X)
    xp, m, r = few.xp, few(mean), few(rstd)
    with np.errstate(all="ignore"):  # NaN and infinities fail the tests: no warning
        ok = (xp.abs(m) * r <= COND) & (r >= 1.0 / limit) & (r <= limit)
        rows = xp.unique(xp.nonzero(~ok)[0])  # usually none, or a few
        sound = xp.all(xp.isfinite(m[rows]) & (r[rows] >= 1.0 / limit) & (r[rows] <= limit), 1)
        redo, shaky = rows[~sound], rows[sound]
        if shaky.shape[0]:  # shifted by the mean: the statistics of small deviations
            shift = m[shaky]
            part = few(X)[shaky].reshape(len(shaky), g, -1) - shift[..., None]
            y_part, m_part, r_part = map(
                few, _native_groups(few.back(part.reshape(len(shaky), -1)), g, eps, weight, bias)
            )
            few(y)[shaky], m[shaky], r[shaky] = y_part, shift + m_part, r_part
            still = xp.any(xp.abs(m_part) * r_part > COND, 1)
            redo = xp.concatenate([redo, shaky[still]])
        stats = [mean, few.back(1.0 / r)] if d.keep else []
    return y, stats, few.back(redo)


def _checked(norms):
    """``(safe, redo)``: the norms with 1 for 0, and the rows whose norm is not finite,
    or not 0 and outside ``[2**-k, 2**k]`` (:func:`_limit`: its squares may have over-
    or underflowed)."""
    few = _Few(norms)
    n = few(norms)
    limit = _limit(norms.dtype)
    sound = (n <= limit) & ((n >= 1.0 / limit) | (n == 0.0))  # NaN: False
    safe = few.xp.where(n == 0.0, 1.0, n)
    return few.back(safe), few.where(~sound.reshape(-1))


def _norms(X, norm):
    r""":math:`y = x / \lVert x \rVert` (l1, l2 or max) of each row; 0 stays 0."""
    norms = torch.linalg.vector_norm(X, ord=_ORDS[norm], dim=1, keepdim=True)
    safe, redo = _checked(norms)
    return X / safe.to(X.dtype), [norms], redo


def _rms(X, d):
    r""":math:`y = x / \sqrt{\frac{1}{n}\sum_j x_j^2 + \epsilon} \cdot w` of each row.

    The rms is formed in float64 from the l2 norm (1 where 0); a row whose norm is
    unsound is redone.
    """
    few = _Few(X)
    xp = few.xp
    eps = default_eps(numpy_dtype(X)) if d.eps is None else d.eps
    norms = torch.linalg.vector_norm(X, dim=1, keepdim=True)
    _, redo = _checked(norms)
    with np.errstate(all="ignore"):
        wide = xp.sqrt(xp.square(xp.asarray(few(norms), dtype=xp.float64)) / X.shape[1] + eps)
        rms = few.back(xp.asarray(xp.where(wide == 0.0, 1.0, wide), dtype=few.dtype))
    y = X / rms
    if d.weight is not None:
        y *= _param(d.weight, X)
    return y, [rms], redo
