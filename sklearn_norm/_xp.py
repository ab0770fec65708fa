"""The Array API adapter: namespace, device and conversions, in one place."""

import numpy as np

#: Top-level modules of array types that are never treated as Array API arrays here:
#: numpy takes the numpy path, dask the dask adapter, the others scikit-learn's validation.
_NOT_ARRAY_API = {"numpy", "dask", "dask_expr", "pandas", "polars", "scipy"}


def get_namespace(*arrays):
    """The Array API namespace of ``arrays`` (numpy for numpy arrays and lists)."""
    if all(isinstance(a, np.ndarray | list | tuple | float | int) for a in arrays):
        return np
    import array_api_compat

    return array_api_compat.array_namespace(*arrays)


def is_array_api(x):
    """Whether ``x`` is a non-numpy Array API array (torch, cupy, array-api-strict …)."""
    if type(x).__module__.split(".")[0] in _NOT_ARRAY_API or not hasattr(x, "__dlpack__"):
        return False
    import array_api_compat

    return array_api_compat.is_array_api_obj(x)


def device(x):
    """The device ``x`` lives on (``"cpu"`` for numpy)."""
    if isinstance(x, np.ndarray):
        return "cpu"
    import array_api_compat

    return array_api_compat.device(x)


def widest_float(xp, dev):
    """float64 where the device has it (numpy, CPUs, CUDA), else float32 (e.g. Apple MPS)."""
    if xp is np:
        return np.float64
    info = getattr(xp, "__array_namespace_info__", None)
    if info is not None and "float64" not in info().dtypes(kind="real floating", device=dev):
        return xp.float32
    return xp.float64


def host_view(x):
    """A numpy array on the memory of a CPU torch tensor (None for any other array).

    The numpy engine (row blocks, threads, float64 statistics) then runs on the tensor
    itself: nothing is copied or moved, and the result comes back as a tensor
    (:func:`from_host_view`).
    """
    if type(x).__module__.split(".")[0] != "torch" or x.device.type != "cpu":
        return None
    return x.detach().resolve_conj().resolve_neg().numpy()


def from_host_view(a, like):
    """The numpy result ``a`` of a computation on :func:`host_view` of ``like``, as a
    tensor on ``like``'s device, sharing ``a``'s memory."""
    import torch

    return torch.from_numpy(a).to(device=like.device)


def to_numpy(x):
    """A numpy array of any Array API array (moved to the host), list or scalar."""
    if isinstance(x, np.ndarray) or not hasattr(x, "__dlpack__"):
        return np.asarray(x)
    import array_api_compat

    if array_api_compat.is_torch_array(x):
        return x.detach().cpu().numpy()
    if array_api_compat.is_cupy_array(x):
        return x.get()
    try:  # DLPack moves CPU arrays without a copy
        return np.from_dlpack(x)
    except (BufferError, RuntimeError, TypeError, ValueError):  # another device
        xp = array_api_compat.array_namespace(x)
        return np.from_dlpack(xp.asarray(x, device=xp.Device("CPU_DEVICE")))


def column_values(X, column):
    """One column of a dense, sparse, Array API or dask matrix as a numpy vector.

    Used to describe bad values in error messages, so a lazy column is computed here.
    """
    values = X[:, [column]] if hasattr(X, "tocsc") else X[:, column]
    if hasattr(values, "toarray"):
        values = values.toarray()
    if hasattr(values, "compute"):
        values = values.compute()
    return to_numpy(values).ravel()
