"""PyTorch's running-statistics update, shared by batch and instance normalisation."""

import numpy as np


def initial_state(n_channels):
    """PyTorch's initial running state: mean 0, variance 1, no batch tracked."""
    return np.zeros(n_channels), np.ones(n_channels), 0


def momentum_update(running_mean, running_var, num_batches, batch_mean, batch_var, momentum):
    """One PyTorch update of the running statistics with a batch's statistics.

    ``r = (1 - a) * r + a * batch`` with ``a = momentum`` for a float, or
    ``a = 1 / num_batches_tracked`` (the equal-weight average of the batch
    statistics) for ``momentum="cumulative"`` (PyTorch's ``momentum=None``).
    ``batch_var`` is the unbiased variance of the batch, as PyTorch uses.

    Returns
    -------
    running_mean, running_var : ndarray
    num_batches_tracked : int
    """
    num_batches = num_batches + 1
    factor = 1.0 / num_batches if momentum == "cumulative" else float(momentum)
    mean = (1.0 - factor) * np.asarray(running_mean) + factor * np.asarray(batch_mean)
    var = (1.0 - factor) * np.asarray(running_var) + factor * np.asarray(batch_var)
    return mean, var, num_batches
