"""``from_torch``'s mapping of a layer's state, on stored trained layers (no torch needed).

``tests/fixtures/layer_states.npz`` (written by ``make_layer_states.py``) holds what
``from_torch`` reads from each trained layer and the layer's output in eval mode.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import sklearn_norm
from sklearn_norm._torch_state import from_state

FIXTURE = Path(__file__).parent / "fixtures" / "layer_states.npz"


def load():
    with np.load(FIXTURE) as npz:
        cases = sorted({key.split("/")[0] for key in npz.files if "/" in key})
        return {
            case: (
                str(npz[f"{case}/scaler"]),
                json.loads(str(npz[f"{case}/state"])),
                npz[f"{case}/X"],
                npz[f"{case}/out"],
            )
            for case in cases
        }


CASES = load()


def test_torch_layer_fixtures_cover_every_from_torch_scaler():
    scalers = {scaler for scaler, *_ in CASES.values()}
    have = {cls.__name__ for cls in sklearn_norm.all_estimators() if hasattr(cls, "from_torch")}
    assert scalers == have


@pytest.mark.parametrize("case", sorted(CASES))
def test_from_torch_state_transform_equals_the_stored_layer_output(case):
    scaler, state, X, expected = CASES[case]
    cls = getattr(sklearn_norm, scaler)
    est = from_state(cls, state, n_features=X.shape[1])
    np.testing.assert_allclose(est.transform(X), expected, rtol=1e-12, atol=1e-12)
    if "running_mean" in state:
        np.testing.assert_array_equal(est.running_mean_, state["running_mean"])
        assert est.num_batches_tracked_ == state["num_batches_tracked"]
