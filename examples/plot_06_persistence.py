"""
============================================
Saving and loading: pickle, joblib and skops
============================================

A fitted scaler is an ordinary scikit-learn estimator: :mod:`pickle` and :mod:`joblib`
save it. Loading a pickle can run arbitrary code, so for files from elsewhere use
`skops <https://skops.readthedocs.io>`_: ``skops.io.load`` builds only types it trusts,
and tells you which other types a file holds before you load it. A file of
sklearn_norm scalers holds sklearn_norm's own types only, so trust exactly those.
"""

import io
import pickle
import shutil
import tempfile
from pathlib import Path

import joblib
import numpy as np
import skops.io as sio
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from sklearn_norm import LogScaler, ZScoreScaler

rng = np.random.default_rng(0)
X = rng.lognormal(size=(200, 4))
y = X @ [1.0, -2.0, 0.5, 0.0] + rng.normal(size=200)
model = make_pipeline(LogScaler(base=10), ZScoreScaler(), Ridge()).fit(X, y)
expected = model.predict(X)
folder = Path(tempfile.mkdtemp())

# %%
# pickle and joblib: for files you made yourself.
again = pickle.loads(pickle.dumps(model))
joblib.dump(model, folder / "model.joblib")
from_joblib = joblib.load(folder / "model.joblib")
assert np.array_equal(again.predict(X), expected)
assert np.array_equal(from_joblib.predict(X), expected)

# %%
# skops: list what the file holds beyond skops' own trusted types, check it, then load.
sio.dump(model, folder / "model.skops")
untrusted = sio.get_untrusted_types(file=folder / "model.skops")
print("types to trust:", untrusted)
assert all(name.startswith("sklearn_norm.") for name in untrusted)
loaded = sio.load(folder / "model.skops", trusted=untrusted)
assert np.array_equal(loaded.predict(X), expected)

# %%
# Without ``trusted=`` skops refuses to build types it does not know.
try:
    sio.load(folder / "model.skops")
except Exception as exc:  # skops raises UntrustedTypesFoundException
    print(type(exc).__name__, "-", str(exc)[:100])

# %%
# In memory, too: ``dumps``/``loads`` with the same trust list.
buffer = io.BytesIO(sio.dumps(model))
assert np.array_equal(sio.loads(buffer.getvalue(), trusted=untrusted).predict(X), expected)
print("identical predictions after pickle, joblib and skops round trips")
shutil.rmtree(folder)
