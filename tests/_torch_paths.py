"""The two paths of a CPU torch tensor, as an autouse fixture for the torch test modules.

``from _torch_paths import path`` runs every test of a module twice: on the numpy engine
over the tensor's memory (``_xp.host_view``), and on the operations on the tensor's
device that a GPU tensor takes (forced on the CPU by hiding the host view).
"""

import pytest


@pytest.fixture(autouse=True, params=["host view", "device ops"])
def path(request, monkeypatch):
    """``"host view"`` or ``"device ops"``: the path the test runs on."""
    if request.param == "device ops":
        import sklearn_norm._array_api as adapter
        import sklearn_norm._xp_stats as xp_stats

        for module in (adapter, xp_stats):
            monkeypatch.setattr(module, "host_view", lambda x: None)
    return request.param
