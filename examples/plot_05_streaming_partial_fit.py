"""
======================================
Streaming: ``partial_fit`` over chunks
======================================

Data that does not fit in memory can be scaled chunk by chunk: every scaler has
``partial_fit``, and the column-wise ones keep *mergeable* statistics (count, mean, sum
of squared deviations, min, max), so any chunking gives exactly the statistics of one
``fit`` on all rows — no approximation, no drift. (The ``sklearn-norm`` command line does
this for CSV and Parquet files.)

:class:`~sklearn_norm.BatchNormScaler` can instead follow PyTorch's running averages
(``momentum=0.1``), which forget old chunks: useful when the data drift.
"""

import matplotlib.pyplot as plt
import numpy as np

from sklearn_norm import BatchNormScaler, MinMaxScaler, ZScoreScaler

rng = np.random.default_rng(0)
# A stream whose level drifts upwards: 40 chunks of 250 rows, 2 features.
chunks = [rng.normal(loc=[i / 10, -i / 20], scale=[1, 3], size=(250, 2)) for i in range(40)]
X = np.vstack(chunks)

# %%
# Exact: the streamed statistics equal one pass over everything.
streamed, exact = ZScoreScaler(), ZScoreScaler().fit(X)
means, ema = [], []
drift = BatchNormScaler(momentum=0.1)
for chunk in chunks:
    streamed.partial_fit(chunk)
    drift.partial_fit(chunk)
    means.append(streamed.mean_[0])
    ema.append(drift.running_mean_[0])
np.testing.assert_allclose(streamed.mean_, exact.mean_)
np.testing.assert_allclose(streamed.var_, exact.var_)
minmax = MinMaxScaler()
for chunk in chunks:
    minmax.partial_fit(chunk)
np.testing.assert_array_equal(minmax.data_min_, X.min(axis=0))
print("streamed mean", streamed.mean_, "== fit mean", exact.mean_)
print("the chunks were never held together: n_samples_seen_ =", streamed.n_samples_seen_)

# %%
# The exact mean of everything seen against PyTorch-style running averages
# (momentum 0.1), which follow the drift.
chunk_means = [c[:, 0].mean() for c in chunks]
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(chunk_means, "o", ms=3, color="gray", label="mean of each chunk")
ax.plot(means, label="ZScoreScaler.partial_fit (exact, all rows)")
ax.plot(ema, label="BatchNormScaler(momentum=0.1)")
ax.set_xlabel("chunks seen")
ax.set_ylabel("estimated mean of feature 0")
ax.legend()
fig.tight_layout()
