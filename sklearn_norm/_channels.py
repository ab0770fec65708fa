"""Channels-first row layouts: a row of ``C * L`` features is ``C`` channels of ``L`` values.

An image ``(C, H, W)`` flattened row-wise is such a row with ``L = H * W``.
"""

import numpy as np


def split_channels(estimator, n_features, n_channels):
    """``(C, L)`` for rows of ``n_features`` values; ``n_channels=None`` means ``C = n_features``.

    Raises
    ------
    ValueError
        If ``n_channels`` does not divide ``n_features``.
    """
    if n_channels is None:
        return n_features, 1
    if n_features % n_channels:
        raise ValueError(
            f"{type(estimator).__name__}: n_channels={n_channels} does not divide the "
            f"{n_features} features of X; each row must hold n_channels blocks of equal "
            "length (channels first, e.g. a flattened (C, H, W) image)."
        )
    return n_channels, n_features // n_channels


def check_affine(estimator, name, values, size, what="channels"):
    """``weight``/``bias`` as a float64 array of length ``size``, or None.

    Raises
    ------
    ValueError
        If the length is not ``size`` or a value is not finite.
    """
    if values is None:
        return None
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if np.ndim(values) == 0:
        arr = np.full(size, float(values))
    if arr.shape[0] != size:
        raise ValueError(
            f"{type(estimator).__name__}: {name} has {arr.shape[0]} values but there are "
            f"{size} {what}; give one value per {what[:-1]}."
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{type(estimator).__name__}: {name} holds non-finite values.")
    return arr
