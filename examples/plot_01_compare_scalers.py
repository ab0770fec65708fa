"""
=========================================================
Every scaler on skewed, heavy-tailed and multi-modal data
=========================================================

Three features that make scaling hard: a right-skewed one (log-normal incomes), a
heavy-tailed one (Student's t with 1.5 degrees of freedom: a few huge outliers) and a
multi-modal one (a mixture of three bumps). Each registered scaler is fitted on them with
its default parameters and the distributions are drawn before and after.

What to look for:

* the column-wise scalers (min-max, z-score, decimal, batch norm) move and stretch each
  feature but keep its shape: an outlier squeezes min-max scaling of everything else
  into a sliver;
* the log scaler changes the shape: it un-skews the log-normal feature;
* the sample-wise scalers (unit norm, layer, instance, group norm) normalise each *row*
  across its features, so the three features get mixed.
"""

import matplotlib.pyplot as plt
import numpy as np

from sklearn_norm import scaler_grid

rng = np.random.default_rng(0)
n = 2000
X = np.column_stack(
    [
        rng.lognormal(mean=3, sigma=0.8, size=n),  # skewed, positive
        rng.standard_t(df=1.5, size=n),  # heavy tails
        np.concatenate([rng.normal(-4, 1, n // 2), rng.normal(3, 0.5, n - n // 2)])
        + rng.choice([0, 9], size=n),  # multi-modal
    ]
)
names = ["skewed", "heavy-tailed", "multi-modal"]

# %%
# Every registered scaler, from the grid helper (one entry per method).
scalers = [entry["scaler"][0] for entry in scaler_grid()]
# The log scaler needs values above -1: learn the offset from the data.
scalers = [s.set_params(offset="auto") if "offset" in s.get_params() else s for s in scalers]
print([type(s).__name__ for s in scalers])

# %%
# Before and after, one row of panels per feature.
panels = [("raw", X)] + [(type(s).__name__, s.fit_transform(X)) for s in scalers]
fig, axes = plt.subplots(3, len(panels), figsize=(2.1 * len(panels), 5.5), squeeze=False)
for col, (title, values) in enumerate(panels):
    axes[0, col].set_title(title, fontsize=8)
    for row in range(3):
        v = values[:, row]
        lo, hi = np.nanpercentile(v, [0.5, 99.5])  # the view, not the data, is clipped
        axes[row, col].hist(v[(v >= lo) & (v <= hi)], bins=40, color=f"C{row}")
        axes[row, col].tick_params(labelsize=6)
        axes[row, col].set_yticks([])
for row, name in enumerate(names):
    axes[row, 0].set_ylabel(name)
fig.tight_layout()

# %%
# Each scaler's reach: the range of each feature after scaling.
for title, values in panels:
    spread = ", ".join(f"[{lo:9.3g}, {hi:9.3g}]" for lo, hi in zip(values.min(0), values.max(0)))
    print(f"{title:>20}: {spread}")
