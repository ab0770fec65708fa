"""
=====================================================
Per-channel normalisation of images: digits in colour
=====================================================

``n_channels=C`` tells a scaler that each row is an image ``(C, H, W)`` flattened
channels-first. We turn scikit-learn's 8×8 digits into 3-channel "colour" images whose
channels got a random gain and offset per image — as if every photo were taken under
different light — and compare, in front of the same k-nearest-neighbours classifier:

* :class:`~sklearn_norm.BatchNormScaler` (``n_channels=3``): one mean and variance per
  channel over the whole training set (PyTorch ``BatchNorm2d`` in eval mode). It puts
  the channels on a common scale, but every image keeps its own lighting;
* :class:`~sklearn_norm.InstanceNormScaler` (``n_channels=3``): each image and channel
  normalised by its own mean and variance (``InstanceNorm2d``): the lighting is gone;
* :class:`~sklearn_norm.GroupNormScaler` (``n_groups=1``, ``n_channels=3``): each image
  normalised over all its channels together (``GroupNorm`` with one group), which removes
  a shared brightness but not the per-channel differences.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from sklearn_norm import BatchNormScaler, GroupNormScaler, InstanceNormScaler

digits = load_digits()
rng = np.random.default_rng(0)
n, C = len(digits.images), 3
gain = rng.uniform(0.2, 3.0, size=(n, C, 1, 1))
offset = rng.uniform(-10, 40, size=(n, C, 1, 1))
images = gain * digits.images[:, None, :, :] + offset  # (n, 3, 8, 8)
X, y = images.reshape(n, -1), digits.target  # channels-first rows of 192 values

# %%
# The same classifier after each scaler.
scalers = {
    "raw": None,
    "BatchNorm": BatchNormScaler(n_channels=C),
    "GroupNorm(1 group)": GroupNormScaler(n_groups=1, n_channels=C),
    "InstanceNorm": InstanceNormScaler(n_channels=C),
}
scores = {}
for name, scaler in scalers.items():
    steps = [KNeighborsClassifier()] if scaler is None else [scaler, KNeighborsClassifier()]
    scores[name] = cross_val_score(make_pipeline(*steps), X, y, cv=3).mean()
    print(f"{name:>20}: accuracy {scores[name]:.3f}")

# %%
# Channel 0 of six images, each row on one colour scale: the raw images differ in
# lighting, instance normalisation makes them alike.
fig, axes = plt.subplots(len(scalers), 7, figsize=(9, 1.4 * len(scalers)))
for row, (name, scaler) in enumerate(scalers.items()):
    Z = X if scaler is None else scaler.fit_transform(X)
    shown = Z[:6].reshape(6, C, 8, 8)[:, 0]
    for col in range(6):
        axes[row, col].imshow(shown[col], cmap="gray", vmin=shown.min(), vmax=shown.max())
        axes[row, col].set_axis_off()
    axes[row, 0].set_title(name, fontsize=8, loc="left")
    axes[row, 6].barh([0], [scores[name]], color="tab:blue")
    axes[row, 6].set_xlim(0, 1)
    axes[row, 6].set_yticks([])
    axes[row, 6].set_title(f"accuracy {scores[name]:.2f}", fontsize=8)
fig.tight_layout()
