"""The small inputs the bad-input tests spoil one value at a time."""

import numpy as np
import pandas as pd

rng = np.random.default_rng(0)
X3 = rng.uniform(1, 5, size=(10, 3))
DF = pd.DataFrame(X3, columns=["age", "income", "height"])


def with_value(X, row, col, value):
    """A copy of ``X`` with ``value`` at ``(row, col)`` (an object array for a string)."""
    X = np.array(X, dtype=object if isinstance(value, str) else None, copy=True)
    X[row, col] = value
    return X
