"""Plain numpy references for the sample-wise normalisations, in np.longdouble.

Written from the formulas, independently of sklearn_norm: NaN entries are left out of a
group's statistics; a zero denominator counts as 1.
"""

import numpy as np

LD = np.longdouble


def group_stats(X, n_groups):
    """Mean and biased variance of each (row, group) of the non-NaN values, in longdouble."""
    cube = np.asarray(X, dtype=LD).reshape(X.shape[0], n_groups, -1)
    present = ~np.isnan(cube)
    count = present.sum(axis=-1)
    filled = np.where(present, cube, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=-1) / count
        var = (np.where(present, cube - mean[..., None], 0) ** 2).sum(axis=-1) / count
    return mean, var


def group_norm(X, n_groups, weight=None, bias=None, eps=1e-5):
    """Rows of ``n_groups`` contiguous groups normalised; per-feature weight/bias.

    Returns the normalised rows (longdouble), the means and the stds ``sqrt(var + eps)``.
    """
    X = np.asarray(X)
    mean, var = group_stats(X, n_groups)
    std = np.sqrt(var + LD(eps))
    std = np.where(std == 0, LD(1), std)
    cube = np.asarray(X, dtype=LD).reshape(X.shape[0], n_groups, -1)
    Y = ((cube - mean[..., None]) / std[..., None]).reshape(X.shape)
    if weight is not None:
        Y = Y * np.asarray(weight, dtype=LD)
    if bias is not None:
        Y = Y + np.asarray(bias, dtype=LD)
    return Y, mean, std


def unit_norm(X, norm):
    """Rows divided by their l1, l2 or max norm of the non-NaN values (zero rows stay)."""
    A = np.abs(np.where(np.isnan(X), 0, np.asarray(X, dtype=LD)))
    if norm == "l1":
        r = A.sum(axis=1)
    elif norm == "l2":
        r = np.sqrt((A * A).sum(axis=1))
    else:
        r = A.max(axis=1)
    return np.asarray(X, dtype=LD) / np.where(r == 0, 1, r)[:, None], r


def tolerance(dtype):
    """``assert_allclose`` tolerances for a result in ``dtype`` against a longdouble one."""
    return {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-6, "atol": 2e-6}
