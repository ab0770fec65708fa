"""
=====================================================
Outliers and skewed features: robust, quantile, power
=====================================================

A z-score is pulled by outliers and keeps a skewed feature skewed. Three scalers fix
that: :class:`~sklearn_norm.RobustScaler` centres and scales by the median and the
inter-quartile range (the bulk keeps a unit spread, however large the outliers),
:class:`~sklearn_norm.QuantileScaler` maps each feature through its empirical
distribution to a uniform or normal one, and ``PowerScaler`` (a Yeo-Johnson or Box-Cox
power transform, drawn here when this version of sklearn_norm has it) makes skewed
data close to normal while keeping the order and the relative distances smoother.

All of them also learn from a stream: ``partial_fit`` keeps one mergeable KLL quantile
sketch per feature, so the last part fits 10 million rows in a few hundred kilobytes.
"""

import tracemalloc

import matplotlib.pyplot as plt
import numpy as np
from scipy import special

import sklearn_norm
from sklearn_norm import QuantileScaler, RobustScaler, ZScoreScaler

rng = np.random.default_rng(0)
n = 5000
with_outliers = rng.normal(0, 1, n)
with_outliers[:50] = rng.uniform(50, 200, 50)  # 1 % gross outliers
skewed = rng.lognormal(0, 1, n)
X = np.column_stack([with_outliers, skewed])

# %%
# Each scaler on both features. ``PowerScaler`` joins the comparison where it exists.
scalers = {
    "z-score": ZScoreScaler(),
    "robust": RobustScaler(),
    "quantile (normal)": QuantileScaler(output_distribution="normal"),
}
if hasattr(sklearn_norm, "PowerScaler"):
    scalers["power (Yeo-Johnson)"] = sklearn_norm.PowerScaler()

fig, axes = plt.subplots(2, len(scalers) + 1, figsize=(3 * (len(scalers) + 1), 5))
for row, (name, column) in enumerate([("outliers", 0), ("lognormal", 1)]):
    axes[row, 0].hist(X[:, column], bins=60, color="gray")
    axes[row, 0].set_title(f"raw: {name}", fontsize=9)
    for ax, (label, scaler) in zip(axes[row, 1:], scalers.items()):
        Y = scaler.fit_transform(X)[:, column]
        bulk = Y[50:] if column == 0 else Y  # the outliers are the first 50 rows
        ax.hist(np.clip(Y, -6, 6), bins=60)
        iqr = np.subtract(*np.percentile(bulk, [75, 25]))
        ax.set_title(f"{label}\nIQR of the bulk {iqr:.2f}", fontsize=8)
fig.tight_layout()

# %%
# The robust scaler keeps the bulk of the first feature at unit spread, while the z-score
# squeezes it: its standard deviation is inflated by the outliers.
robust, zscore = RobustScaler().fit(X), ZScoreScaler().fit(X)
print("robust scale_", robust.scale_.round(3), " z-score scale_", zscore.scale_.round(3))

# %%
# Streaming 10 million rows
# -------------------------
# ``partial_fit`` on chunks of 100,000 lognormal values: the scaler keeps a KLL sketch,
# never the data (80 MB in float64). ``rank_error_`` bounds how far each learned
# quantile's rank may be from its target; the true lognormal CDF at the learned median
# and quartiles shows it (sampling noise adds about 1 / sqrt(10^7)).
stream = RobustScaler()
tracemalloc.start()
for _ in range(100):
    chunk = rng.lognormal(0, 1, (100_000, 1))
    stream.partial_fit(chunk)
    del chunk
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
median = stream.center_[0]
print(f"rows seen {stream.n_samples_seen_:,}, rank_error_ {stream.rank_error_:.4f}")
print(f"peak memory of the stream {peak / 1e6:.1f} MB (one chunk is 0.8 MB; all rows 80 MB)")
print(f"true CDF at the learned median: {special.ndtr(np.log(median)):.4f} (target 0.5)")

fig, ax = plt.subplots(figsize=(6, 3))
learned = QuantileScaler(n_quantiles=99)
for _ in range(20):
    learned.partial_fit(rng.lognormal(0, 1, (100_000, 1)))
true_rank = special.ndtr(np.log(learned.quantiles_[:, 0]))
ax.plot(learned.references_, true_rank - learned.references_, ".")
ax.axhline(learned.rank_error_, color="red", linestyle=":", label="± rank_error_")
ax.axhline(-learned.rank_error_, color="red", linestyle=":")
ax.set_xlabel("target probability")
ax.set_ylabel("true rank - target")
ax.set_title("quantiles learned from 2 million streamed values", fontsize=9)
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
