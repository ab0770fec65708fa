"""The Array API adapter: namespace, device and conversions, in one place."""

import numpy as np


def get_namespace(*arrays):
    """The Array API namespace of ``arrays`` (numpy for numpy arrays and lists)."""
    if all(isinstance(a, np.ndarray | list | tuple | float | int) for a in arrays):
        return np
    import array_api_compat

    return array_api_compat.array_namespace(*arrays)


def device(x):
    """The device ``x`` lives on (``"cpu"`` for numpy)."""
    if isinstance(x, np.ndarray):
        return "cpu"
    import array_api_compat

    return array_api_compat.device(x)


def to_numpy(x):
    """A numpy copy of any Array API array (moved to the host)."""
    if isinstance(x, np.ndarray):
        return x
    import array_api_compat

    if array_api_compat.is_torch_array(x):
        return x.detach().cpu().numpy()
    if array_api_compat.is_cupy_array(x):
        return x.get()
    return np.asarray(x)
