"""Bugs the differential tests know of, each with the inputs it spoils and a fix in flight.

An entry exempts exactly the outputs it spoils (the columns, rows or groups of that kind
of input) or the error it raises, nothing else. Every entry has a minimal example that
``test_differential.py::test_known_bug_is_still_there`` checks still fails (a strict
xfail): when a fix lands, that test fails, and the entry must go. ``make fuzz`` with
``KNOWN_BUGS=off`` exempts nothing.
"""

import os
from dataclasses import dataclass

import numpy as np

OFF = os.environ.get("KNOWN_BUGS", "on") == "off"


@dataclass
class Known:
    """A bug: which estimators it hits, the outputs it spoils, and a minimal example."""

    names: tuple
    source: str  # the issue item it is listed under, and who fixes it
    example: tuple  # (name, params, X, sparse layout or None, chunks or None)
    spoils: object = None  # (params, X, layout, chunks) -> bool mask of the outputs
    raises: str = ""  # or the text of the error it raises instead of a result


#: None known: PowerScaler's sums of squares beyond float64 (the last entry) are taken
#: on rescaled values since issue 13 (``tests/test_power.py``), as ZScoreScaler's and
#: BatchNormScaler's.
KNOWN = {}


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
