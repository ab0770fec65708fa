"""A fitted scaler from a PyTorch normalisation layer's state, given as plain numbers.

``from_torch`` reads the layer into a dict (``_torch.layer_state``: eps, weight, bias,
running statistics, ``num_batches_tracked``, sizes, momentum) and :func:`from_state`
builds the estimator from it; this module needs no torch, so the mapping is tested on
stored states of trained layers too.
"""

import math

import numpy as np


def _momentum(state):
    """The scaler's ``momentum`` that continues the layer's training rule."""
    momentum = state.get("momentum")
    return "cumulative" if momentum is None else float(momentum)


def from_state(cls, state, n_features=None):
    """A fitted ``cls`` computing, on rows, the layer that ``state`` describes in eval mode."""
    name = cls.__name__
    if name == "RMSNormScaler":  # eps None: PyTorch's default, as the scaler's
        weight = None if state["weight"] is None else np.ravel(state["weight"])
        eps = None if state["eps"] is None else float(state["eps"])
        return _record(cls(eps=eps, weight=weight), _row_size(name, state, n_features))
    affine = {"eps": float(state["eps"]), "weight": state["weight"], "bias": state["bias"]}
    if name == "LayerNormScaler":
        size = _row_size(name, state, n_features)
        flat = {k: None if v is None else np.ravel(v) for k, v in affine.items() if k != "eps"}
        return _record(cls(eps=affine["eps"], **flat), size)
    if name == "GroupNormScaler":
        n_channels = state["num_channels"]
        est = cls(n_groups=state["num_groups"], n_channels=n_channels, **affine)
        return _record(est, n_features or n_channels)
    if name not in ("BatchNormScaler", "InstanceNormScaler"):
        raise NotImplementedError(f"{name}.from_torch is not implemented.")
    tracked = "running_mean" in state
    n_channels = state["num_features"]
    common = {"n_channels": n_channels, "momentum": _momentum(state), **affine}
    if name == "BatchNormScaler":
        if not tracked:
            raise ValueError(
                "BatchNormScaler.from_torch needs a layer with track_running_stats=True: "
                "without running statistics eval mode normalises by each batch's own."
            )
        est = cls(**common)
        est._layout(n_features or n_channels)  # checks n_features against the channels
        est.n_features_in_ = n_features or n_channels
        return _set_running(est, state)
    est = cls(track_running_stats=tracked, **common)
    _record(est, n_features or n_channels * (2 if tracked else 1))
    return _set_running(est, state) if tracked else est


def _row_size(name, state, n_features):
    """The values per row of a layer normalising ``normalized_shape`` (checked)."""
    size = math.prod(state["normalized_shape"])
    if n_features not in (None, size):
        raise ValueError(
            f"{name}.from_torch: the layer normalises {size} values per row "
            f"(normalized_shape={state['normalized_shape']}), got n_features={n_features}."
        )
    return size


def _record(est, n_features):
    """``fit`` on one row of zeros: checks the parameters and records ``n_features``."""
    return est.fit(np.zeros((1, n_features)))


def _set_running(est, state):
    est.running_mean_ = np.asarray(state["running_mean"], dtype=np.float64)
    est.running_var_ = np.asarray(state["running_var"], dtype=np.float64)
    est.num_batches_tracked_ = int(state["num_batches_tracked"])
    return est
