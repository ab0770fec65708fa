"""
=================================================
Reversible instance normalisation for forecasting
=================================================

Forecasting many series at once is hard when their levels and scales differ: a model
trained on some series does not carry over to series at another level — here a k-nearest
neighbours forecaster, which can only repeat futures it has seen. *Reversible
instance normalisation* (RevIN, Kim et al., ICLR 2022) normalises each input window by its
own mean and standard deviation, lets the model forecast in normalised units, and puts the
forecast back into the window's units.

With ``keep_stats=True``, :class:`~sklearn_norm.InstanceNormScaler` (or
:class:`~sklearn_norm.LayerNormScaler`, the same over one channel) appends each window's
mean and standard deviation as extra columns, so ``inverse_transform`` can undo it exactly
— also for the forecast, which is a different window of the same series.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.neighbors import KNeighborsRegressor

from sklearn_norm import InstanceNormScaler

rng = np.random.default_rng(0)
n_series, length, L, H = 60, 300, 48, 12
t = np.arange(length)
level = rng.uniform(10, 1000, size=(n_series, 1))
amplitude = level * rng.uniform(0.05, 0.3, size=(n_series, 1))
period = rng.uniform(20, 40, size=(n_series, 1))
series = (
    level
    + amplitude * np.sin(2 * np.pi * t / period + rng.uniform(0, 6, (n_series, 1)))
    + level * 0.001 * t * rng.normal(size=(n_series, 1))
    + amplitude * 0.1 * rng.normal(size=(n_series, length))
)
# Train on the low series, test on the others: the test levels were never seen.
train, test = np.argsort(level[:, 0])[:40], np.argsort(level[:, 0])[40:]


def windows(rows):
    """Inputs of L steps and targets of the H steps after them, every 6 steps."""
    starts = range(0, length - L - H, 6)
    Xw = np.array([series[i, s : s + L] for i in rows for s in starts])
    Yw = np.array([series[i, s + L : s + L + H] for i in rows for s in starts])
    return Xw, Yw


X_train, Y_train = windows(train)
X_test, Y_test = windows(test)

# %%
# Without normalisation.
plain = KNeighborsRegressor(n_neighbors=5).fit(X_train, Y_train)
mae_plain = np.abs(plain.predict(X_test) - Y_test).mean()

# %%
# With RevIN: normalise the inputs, learn normalised targets (scaled by the *input*
# window's statistics), then undo the normalisation of the forecast.
revin = InstanceNormScaler(keep_stats=True).fit(X_train)
print(revin.get_feature_names_out()[-2:])  # the kept statistics: mean and std
Z_train = revin.transform(X_train)
mean, std = Z_train[:, -2:-1], Z_train[:, -1:]
model = KNeighborsRegressor(n_neighbors=5).fit(Z_train[:, :L], (Y_train - mean) / std)

# The forecast has H columns: a scaler of H-wide rows undoes it with the kept statistics.
undo = InstanceNormScaler(keep_stats=True).fit(Y_train)
Z_test = revin.transform(X_test)
forecast = undo.inverse_transform(np.hstack([model.predict(Z_test[:, :L]), Z_test[:, -2:]]))
mae_revin = np.abs(forecast - Y_test).mean()
print(f"mean absolute error on unseen series: plain {mae_plain:.1f}, RevIN {mae_revin:.1f}")

# The normalisation itself is exactly reversible.
np.testing.assert_allclose(revin.inverse_transform(Z_test), X_test)

# %%
# Three test series: the history, the truth and both forecasts.
per_series = len(X_test) // len(test)
fig, axes = plt.subplots(1, 3, figsize=(11, 3))
for ax, k in zip(axes, [0, 8, 19]):
    w = k * per_series + per_series - 1  # the last window of the series
    ax.plot(range(L), X_test[w], color="gray", label="history")
    future = range(L, L + H)
    ax.plot(future, Y_test[w], "k", label="truth")
    ax.plot(future, plain.predict(X_test[w : w + 1])[0], "--", label="plain k-NN")
    ax.plot(future, forecast[w], label="RevIN + k-NN")
    ax.set_title(f"series at level {level[test[k], 0]:.0f}", fontsize=9)
axes[0].legend(fontsize=7)
fig.tight_layout()
