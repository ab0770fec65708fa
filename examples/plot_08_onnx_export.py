"""
===========================================
Deploying a pipeline with ONNX and PyTorch
===========================================

A grid search picks the scaler of a classification pipeline; the best pipeline is
exported to ONNX with :func:`skl2onnx.to_onnx` (importing :mod:`sklearn_norm.onnx`
registers sklearn_norm's converters) and served by onnxruntime. Its probabilities match
scikit-learn's to float32 rounding. The scaler alone becomes a PyTorch module with
``to_torch()`` when PyTorch is installed.
"""

import importlib.util

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
from skl2onnx import to_onnx
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline

import sklearn_norm.onnx  # noqa: F401  (registers the converters)
from sklearn_norm import ZScoreScaler, scaler_grid

X, y = load_breast_cancer(return_X_y=True)
X = X.astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# Grid-search the scaler, export the best pipeline, run it with onnxruntime.
pipe = Pipeline([("scaler", ZScoreScaler()), ("clf", LogisticRegression(max_iter=2000))])
grid = scaler_grid(methods=["zscore", "minmax", "log", "layernorm"])
search = GridSearchCV(pipe, grid, cv=3).fit(X_train, y_train)
best = search.best_estimator_
print("best scaler:", best.named_steps["scaler"])

onx = to_onnx(best, X_train[:1], options={LogisticRegression: {"zipmap": False}})
session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
labels, proba = session.run(None, {session.get_inputs()[0].name: X_test})
print("same labels:", bool((labels == best.predict(X_test)).all()))
difference = np.abs(proba[:, 1] - best.predict_proba(X_test)[:, 1])
print(f"largest probability difference: {difference.max():.2e}")

# %%
# onnxruntime's probabilities against scikit-learn's.
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
left.scatter(best.predict_proba(X_test)[:, 1], proba[:, 1], s=8)
left.set(xlabel="scikit-learn predict_proba", ylabel="onnxruntime", title="Probabilities")
right.hist(np.log10(difference + 1e-12), bins=30)
right.set(xlabel="log10 |difference|", title="float32 rounding only")
fig.tight_layout()

# %%
# The fitted scaler as a PyTorch module (a built-in layer where PyTorch has one).
if importlib.util.find_spec("torch") is not None:
    import torch

    module = best.named_steps["scaler"].to_torch()
    with torch.no_grad():
        out = module(torch.as_tensor(X_test)).numpy()
    print(module)
    print("to_torch equals transform:", np.allclose(out, best[:-1].transform(X_test), atol=1e-4))
