"""The Array API path of the estimators (torch, cupy, array-api-strict … arrays).

Used under ``sklearn.set_config(array_api_dispatch=True)``. ``fit`` summarises the
data on its device (:mod:`sklearn_norm._xp_stats`); the estimator then learns on the
host exactly as on the numpy path, and its learned arrays move to the input's
namespace and device, in the widest float the device has (float64 where available,
as the numpy path learns them). ``transform`` runs the same functional kernels on the
whole array, built from host copies of the learned arrays: the output keeps the
input's namespace, device and dtype. Only per-feature vectors cross host and device.
"""

import copy
import math

import numpy as np
from sklearn import config_context
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from ._base import forget
from ._engine import Affine, kernel, learn_rows, output_checks, tracks_rows
from ._sklearn_compat import (
    check_same_namespace,
    get_namespace_and_device,
    move_to,
    validate_data,
)
from ._validation import reject_inf
from ._xp import device, from_host_view, host_view, is_array_api, to_numpy, widest_float
from ._xp_stats import stats_of


def fit(estimator, X, sample_weight, reset):
    """``fit`` (``reset``) or ``partial_fit`` of a column-wise scaler on an Array API ``X``."""
    if reset:
        forget(estimator)
    if estimator._check_params is not None:
        estimator._check_params()
    first = not hasattr(estimator, "_stats")
    X, xp, dev = _check_X(estimator, X, reset=first)
    stats = stats_of(X, _weights(sample_weight, X, xp, dev), estimator._need)
    _learned_to(estimator, to_numpy)
    estimator._fit(X, reset=reset, stats=stats)
    estimator._fit_space_ = _space(X)  # even when no array is learned (see _check_fitted)
    return _learned_to_device(estimator, xp, dev)


def to_host_for_fit(estimator, X):
    """``X`` on the host, for a scaler that fits there (the quantile-based ones).

    Returns the numpy copy of ``X`` and a function that, once the scaler has learned,
    moves its learned arrays to ``X``'s namespace and device (as :func:`fit` does).
    """
    xp, _, dev = get_namespace_and_device(X)
    _learned_to(estimator, to_numpy)
    space = _space(X)

    def to_device(fitted):
        fitted._fit_space_ = space
        return _learned_to_device(fitted, xp, dev)

    return to_numpy(X), to_device


def _learned_to_device(estimator, xp, dev):
    """Move the learned numpy arrays to ``xp`` on ``dev``, floats in the widest float."""
    acc = np.float32 if widest_float(xp, dev) == xp.float32 else np.float64

    def on_device(value):
        if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
            value = value.astype(acc) if value.dtype.kind == "f" else value
            return xp.asarray(value, device=dev)
        return value

    _learned_to(estimator, on_device)
    return estimator


def _check_fitted(estimator, X, inverse):
    """Fitted, and on ``X``'s namespace and device (as scikit-learn's estimators check)."""
    check_is_fitted(estimator)
    method = "inverse_transform" if inverse else "transform"
    attribute = next(iter(_learned_arrays(estimator)), None)
    if attribute is not None:
        check_same_namespace(X, estimator, attribute=attribute, method=method)
    elif getattr(estimator, "_fit_space_", _space(X)) != _space(X):  # nothing learned
        raise ValueError(
            f"Inputs passed to {type(estimator).__name__}.{method}() must use the same "
            f"namespace and device as those passed to fit(): {estimator._fit_space_}, got "
            f"{_space(X)}; fit again on these inputs."
        )


def _space(X):
    """``(namespace name, device)`` of an array (numpy for anything else)."""
    if not is_array_api(X):
        return ("numpy", "cpu")
    xp, _, dev = get_namespace_and_device(X)
    return (xp.__name__, str(dev))


def _inf_columns(xp, X):
    return to_numpy(xp.any(xp.isinf(X), axis=0))


def _finite_sum(xp, X):
    """Whether the sum of ``X`` is finite: then ``X`` has no NaN and no infinity (one
    read, cheaper than a test of each value; a NaN or an overflow calls for that test)."""
    return math.isfinite(float(xp.sum(X)))


def fit_rows(estimator, X, reset, partial):
    """``fit``/``partial_fit`` of a sample-wise scaler on an Array API ``X``.

    Running statistics (``InstanceNormScaler(track_running_stats=True)``) are summed on
    ``X``'s device; every other sample-wise scaler only records the features.
    """
    if reset:
        forget(estimator)
    X, xp, dev = _check_X(estimator, X, reset=reset)
    estimator._layout = estimator._make_layout(X.shape[1])
    has_inf = _inf_columns(xp, X) if not _finite_sum(xp, X) else None
    reject_inf(estimator, has_inf)
    sums = None
    if tracks_rows(estimator, X.shape[1], np.float64):
        _learned_to(estimator, to_numpy)
        sums = estimator._batch_sums(X)
    learn_rows(estimator, X, reset, partial, has_inf, sums)
    estimator._fit_space_ = _space(X)  # transform refuses other namespaces and devices
    return _learned_to_device(estimator, xp, dev)


def apply_rows(estimator, X, copy, inverse):
    """``transform``/``inverse_transform`` of a sample-wise scaler on an Array API ``X``.

    A CPU tensor is handed to the numpy engine as a view of its memory
    (:func:`~._xp.host_view`: blocks, threads, float64 row statistics, no copy); on
    other devices the whole array is one block whose row statistics are taken there.
    """
    _check_fitted(estimator, X, inverse)
    n_features = estimator.n_features_in_
    n_kept = len(estimator._layout.kept) if estimator._keep() else 0
    if inverse:
        X, xp, _ = _check_X(estimator, X, reset=None)
        if X.shape[1] != n_features + n_kept:
            raise ValueError(
                f"{type(estimator).__name__}.inverse_transform expects "
                f"{n_features + n_kept} columns, got {X.shape[1]}."
            )
    else:
        X, xp, _ = _check_X(estimator, X, reset=False)
    host = on_host(estimator)
    view = host_view(X)
    if view is not None:
        return _on_view(host, view, X, inverse)
    reject_inf(estimator, _inf_columns(xp, X))
    if inverse:
        kept = X[:, n_features:] if n_kept else None
        return host._backward(X[:, :n_features], kept)
    y, stats = host._forward(X)
    return xp.concat([y, *_columns(xp, stats, y)], axis=1) if n_kept else y


def _on_view(host, view, X, inverse):
    """The numpy engine's ``transform`` (or inverse) of ``view``, the memory of the CPU
    tensor ``X``, as a new tensor (never in place: ``view`` is the caller's data)."""
    with config_context(array_api_dispatch=False):
        method = host.inverse_transform if inverse else host.transform
        return from_host_view(method(view, copy=True), X)


def _columns(xp, stats, y):
    """Kept statistics as columns in ``y``'s namespace, device and dtype."""
    parts = []
    for s in stats:
        s = (
            s
            if hasattr(s, "__dlpack__") and not isinstance(s, np.ndarray)
            else xp.asarray(s, device=device(y))
        )
        parts.append(xp.astype(xp.broadcast_to(s, (y.shape[0], s.shape[1])), y.dtype))
    return parts


def apply(estimator, X, copy, inverse):
    """``transform`` or ``inverse_transform`` of a column-wise scaler on an Array API ``X``.

    The result is always a new array (``copy`` only matters for numpy input). Where the
    map keeps non-finite values non-finite (:func:`~._engine.output_checks`), the input
    is tested through the output, else (no refused values then, only infinities) before
    the map: one sum either way, and the exact per-column tests only when that sum is
    not finite (NaN in the data, an infinity, a refused value, an overflowing sum).
    An affine or ``vectorised`` map of a CPU tensor runs in the numpy engine on the
    tensor's memory (threads, checks fused into the blocks: 2-3 times torch's two
    operations and a sum); torch's own vectorised ``log1p``, ``expm1`` … beat numpy's, so
    the others stay here.
    """
    _check_fitted(estimator, X, inverse)
    X, xp, _ = _check_X(estimator, X, reset=False)
    host = on_host(estimator)
    description = host._describe()
    view = host_view(X)
    if view is not None and (isinstance(description, Affine) or description.vectorised):
        return _on_view(host, view, X, inverse)
    on_output = output_checks(description, inverse)[1]
    if not on_output and not _finite_sum(xp, X):  # no floor: infinities only
        _refuse(estimator, host, X, xp, inverse)
    Y = kernel(description, inverse)(X)
    if on_output and not _finite_sum(xp, Y):
        _refuse(estimator, host, X, xp, inverse)
    return Y


def _refuse(estimator, host, X, xp, inverse):
    """Raise for infinities in ``X`` (columns named), then for values below the floor."""
    reject_inf(estimator, _inf_columns(xp, X))
    if not inverse:
        host._check_transform_values(X)


def on_host(estimator):
    """A shallow copy of ``estimator`` whose learned arrays are numpy arrays."""
    host = copy.copy(estimator)
    _learned_to(host, to_numpy)
    return host


def _learned_arrays(estimator):
    params = estimator.get_params(deep=False)  # e.g. a fixed ``weight``: never moved
    return [
        name
        for name, value in vars(estimator).items()
        if name != "feature_names_in_"
        and name not in params
        and (isinstance(value, np.ndarray) or is_array_api(value))
    ]


def _learned_to(estimator, convert):
    for name in _learned_arrays(estimator):
        setattr(estimator, name, convert(getattr(estimator, name)))


def _check_X(estimator, X, reset):
    """``validate_data`` with floating dtypes of ``X``'s namespace (ints become the widest)."""
    xp, _, dev = get_namespace_and_device(X)
    floats = (widest_float(xp, dev), xp.float32, getattr(xp, "float16", xp.float32))
    if reset is None:  # shape and dtype only (input of a sample-wise inverse)
        return check_array(X, dtype=floats, ensure_all_finite=False), xp, dev
    X = validate_data(estimator, X, reset=reset, dtype=floats, ensure_all_finite=False)
    return X, xp, dev


def _weights(sample_weight, X, xp, dev):
    """Frequency weights moved to ``X``'s namespace and device, checked."""
    if sample_weight is None:
        return None
    if not hasattr(sample_weight, "__dlpack__"):
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
    weights = move_to(sample_weight, xp=xp, device=dev)
    if weights.ndim != 1 or weights.shape[0] != X.shape[0]:
        raise ValueError(
            f"sample_weight.shape == {tuple(weights.shape)}, expected ({X.shape[0]},)."
        )
    if bool(xp.any(weights < 0)):
        raise ValueError("Negative values in data passed to sample_weight.")
    return weights
