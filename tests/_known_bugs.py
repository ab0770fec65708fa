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
