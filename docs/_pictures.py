"""The pictures of the user guide: what one scaler does to data suited to it.

Used by the ``.. plot::`` directives of ``docs/user_guide/*.rst``; each figure is drawn at
build time, so no image is committed.
"""

import matplotlib.pyplot as plt
import numpy as np

from sklearn_norm import make_scaler
from sklearn_norm._samplewise import SampleScaler


def _column_wise(method):
    """Whether the scaler learns per-feature statistics (else: per-row ones)."""
    return not isinstance(make_scaler(method), SampleScaler)


def _data(method, rng):
    """Two features (column-wise) or five rows of 24 values (sample-wise)."""
    if _column_wise(method):
        return np.column_stack([rng.lognormal(3, 0.7, 1000), rng.normal(-40, 8, 1000)])
    t = np.linspace(0, 2 * np.pi, 24)
    level = rng.uniform(-20, 60, (5, 1))
    scale = rng.uniform(2, 15, (5, 1))
    return level + scale * np.sin(t + rng.uniform(0, 6, (5, 1))) + rng.normal(0, 1, (5, 24))


def show(method, **params):
    """Draw the data before and after ``make_scaler(method, **params)``."""
    rng = np.random.default_rng(0)
    X = _data(method, rng)
    if method == "log":
        X = X[:, :1]  # the log scaler is for positive, skewed data
    Y = make_scaler(method, **params).fit_transform(X)
    fig, (before, after) = plt.subplots(1, 2, figsize=(8, 2.8))
    if _column_wise(method):
        for j in range(X.shape[1]):
            before.hist(X[:, j], bins=40, alpha=0.6, label=f"feature {j}")
            after.hist(Y[:, j], bins=40, alpha=0.6, label=f"feature {j}")
        before.legend(fontsize=8)
        before.set_xlabel("value")
        after.set_xlabel("scaled value")
    else:
        for i in range(X.shape[0]):
            before.plot(X[i], marker=".", label=f"row {i}")
            after.plot(Y[i, : X.shape[1]], marker=".")
        width = X.shape[1] // params.get("n_groups", params.get("n_channels", 1))
        for ax in (before, after):
            ax.set_xlabel("feature")
            for edge in range(width, X.shape[1], width):  # channel or group boundaries
                ax.axvline(edge - 0.5, color="gray", linestyle=":")
    before.set_title("before", fontsize=10)
    after.set_title(f"after {method!r}", fontsize=10)
    return fig
