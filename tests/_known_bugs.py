"""Bugs the differential tests know of, each with the inputs it spoils and a fix in flight.

An entry exempts exactly the outputs it spoils (the columns, rows or groups of that kind
of input) or the error it raises, nothing else. Every entry has a minimal example that
``test_differential.py::test_known_bug_is_still_there`` checks still fails (a strict
xfail): when a fix lands, that test fails, and the entry must go. ``make fuzz`` with
``KNOWN_BUGS=off`` exempts nothing.
"""

import os
import warnings
from dataclasses import dataclass

import numpy as np

LD = np.longdouble
EPS = float(np.finfo(np.float64).eps)
OFF = os.environ.get("KNOWN_BUGS", "on") == "off"


@dataclass
class Known:
    """A bug: which estimators it hits, the outputs it spoils, and a minimal example."""

    names: tuple
    source: str  # the issue item it is listed under, and who fixes it
    example: tuple  # (name, params, X, sparse layout or None, chunks or None)
    spoils: object = None  # (params, X, layout, chunks) -> bool mask of the outputs
    raises: str = ""  # or the text of the error it raises instead of a result


def _spread_of_groups(X, n_groups, axis):
    """Per column (axis 0) or per group of each row (axis 1): std and max |x| of non-NaN."""
    A = np.asarray(X, dtype=LD)
    G = A if axis == 0 else A.reshape(A.shape[0], n_groups, -1)
    over = 0 if axis == 0 else -1
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN groups
        return np.sqrt(np.nanvar(G, axis=over)), np.nanmax(np.abs(G), axis=over)


def _squares_overflow_or_underflow(X):
    """Columns whose squares overflow float64 or fall into its subnormals."""
    top = np.nanmax(np.abs(np.where(np.isnan(X), 0, X.astype(np.float64))), axis=0)
    return np.broadcast_to((top > 1e150) | ((top > 0) & (top < 1e-150)), X.shape)


def _tiny_groups(params, X, layout, chunks):
    """Groups of each row whose squares underflow, where eps does not dominate them."""
    groups = params.get("n_groups", params.get("n_channels", 1))
    _, top = _spread_of_groups(X, groups, axis=1)
    bad = (top > 0) & (top < 1e-150) & (params.get("eps", 1e-5) < 1e-290)
    return np.repeat(bad, X.shape[1] // groups, axis=1)


def _log_overflow(params, X, layout, chunks):
    """Values whose ``x + offset_`` overflows float64 (``offset="auto"`` of a -1e308)."""
    A = np.asarray(X, dtype=LD)
    if params.get("offset", 1.0) == "auto":
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            offset = 1 - np.minimum(0, np.nanmin(A, axis=0))
    else:
        offset = LD(params.get("offset", 1.0))
    return np.abs(A + offset) > np.finfo(np.float64).max if not params.get("signed") else A != A


KNOWN = {
    "minmax-overflowing-width": Known(
        ("minmax",),
        "issue 13 'Other promises', feature_range=(-1e308, 1e308) (i13num)",
        ("minmax", {"feature_range": (-1e308, 1e308)}, np.array([[1.0], [2.0]]), None, None),
        spoils=lambda params, X, layout, chunks: np.broadcast_to(
            params.get("feature_range", (0, 1))[0] == -1e308, X.shape
        ),
        raises="invalid value|overflow",
    ),
    "squares-beyond-float64": Known(
        ("zscore", "batchnorm", "power"),
        "found by this test (i13ci report): sums of squares overflow or underflow",
        ("zscore", {}, np.array([[1e200], [2e200], [3e200]]), None, None),
        spoils=lambda params, X, layout, chunks: _squares_overflow_or_underflow(X),
        raises="too large for float64 statistics|overflow encountered",
    ),
    "squares-underflow-rows": Known(
        ("layernorm", "instancenorm", "groupnorm", "layer_norm", "instance_norm", "group_norm"),
        "found by this test (i13ci report): eps=0 and squares below float64's normal range",
        ("layernorm", {"eps": 0.0}, np.array([[2e-305, -3e-305, -5e-305]]), None, None),
        spoils=_tiny_groups,
    ),
    "log-offset-overflow": Known(
        ("log",),
        "found by this test (i13ci report): x + offset_ beyond float64 gives inf",
        ("log", {"offset": "auto"}, np.array([[-1.3e308], [1.5e308]]), None, None),
        spoils=_log_overflow,
    ),
    "minmax-overflowing-range": Known(
        ("minmax",),
        "issue 13 'Other promises', data spanning -1e308..1e308 (i13num)",
        ("minmax", {}, np.array([[-1e308], [1e308]]), None, None),
        spoils=lambda params, X, layout, chunks: np.broadcast_to(
            np.nan_to_num(np.ptp(X.astype(LD), axis=0)) > np.finfo(np.float64).max, X.shape
        ),
        raises="range of column .* overflows float64",
    ),
}


def exempt(name, params, X, layout, chunks):
    """The outputs that a known bug spoils (a bool mask like ``X``), and the known errors."""
    mask, errors = np.zeros(X.shape, dtype=bool), []
    if OFF:
        return mask, errors
    for bug in KNOWN.values():
        if name in bug.names:
            if bug.spoils is not None:
                mask = mask | bug.spoils(params, X, layout, chunks)
            if bug.raises and (bug.spoils is None or bug.spoils(params, X, layout, chunks).any()):
                errors.append(bug.raises)
    return mask, errors
