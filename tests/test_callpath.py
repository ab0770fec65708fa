"""A plain ``fit`` or ``transform`` reads top to bottom: at most 20 functions of the package
in at most 6 modules (DESIGN.md section 4).

The count is that of ``shared/tools/callpath.py``: every distinct (module, function name)
of ``sklearn_norm`` entered during the call (the constructor, lambdas and comprehensions
included), after one warm-up call so that what is built on first use is not counted.
"""

import sys

import numpy as np
import pytest

import sklearn_norm as sn

MAX_FUNCTIONS = 20
MAX_MODULES = 6

X = np.random.default_rng(0).normal(size=(2000, 8))


def _fitted_zscore_transform():
    est = sn.ZScoreScaler().fit(X)
    return lambda: est.transform(X)


CALLS = {
    "ZScoreScaler.fit": lambda: lambda: sn.ZScoreScaler().fit(X),
    "ZScoreScaler.transform": _fitted_zscore_transform,
    "MinMaxScaler.fit_transform": lambda: lambda: sn.MinMaxScaler().fit_transform(X),
    "LayerNormScaler.fit_transform": lambda: lambda: sn.LayerNormScaler().fit_transform(X),
}


def _functions_entered(call):
    """The distinct ``(module, function)`` of ``sklearn_norm`` that ``call()`` enters."""
    seen = []

    def profile(frame, event, arg):
        if event == "call":
            module = frame.f_globals.get("__name__", "")
            if module.startswith("sklearn_norm") and (module, frame.f_code.co_name) not in seen:
                seen.append((module, frame.f_code.co_name))

    call()  # warm-up
    before = sys.getprofile()
    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(before)
    return seen


@pytest.mark.parametrize("name", CALLS)
def test_callpath_of_a_plain_call_stays_short(name):
    seen = _functions_entered(CALLS[name]())
    listing = "\n".join(f"  {module}.{function}" for module, function in seen)
    modules = {module for module, _ in seen}
    assert len(seen) <= MAX_FUNCTIONS, f"{name}: {len(seen)} functions\n{listing}"
    assert len(modules) <= MAX_MODULES, f"{name}: {len(modules)} modules\n{listing}"
