"""
==================================
Grid search over the scaler choice
==================================

Which scaler suits a model is an empirical question: put the scaler in a
:class:`~sklearn.pipeline.Pipeline` and let :class:`~sklearn.model_selection.GridSearchCV`
try each one. :func:`sklearn_norm.scaler_grid` builds the ``param_grid``: one entry per
method, each with its own parameter lists, so a search covers scalers whose parameters
differ. A k-nearest-neighbours classifier on the wine data (13 measurements on scales
from 0.1 to 1000) is very sensitive to the choice.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_wine
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline

from sklearn_norm import scaler_grid

X, y = load_wine(return_X_y=True)
pipe = Pipeline([("scaler", "passthrough"), ("knn", KNeighborsClassifier())])

# %%
# Every registered method with its defaults, and a few parameters of some of them.
grid = scaler_grid(
    "scaler",
    params={"minmax": {"feature_range": [(0, 1), (-1, 1)]}, "log": {"base": [2, 10]}},
)
grid.append({"scaler": ["passthrough"]})  # the baseline: no scaling at all
search = GridSearchCV(pipe, grid, cv=5).fit(X, y)

# %%
# The ranked results.
res = search.cv_results_
order = np.argsort(res["rank_test_score"], kind="stable")
labels = []
for i in order:
    params = dict(res["params"][i])
    scaler = params.pop("scaler")
    if scaler != "passthrough":
        scaler = type(scaler).__name__
    extra = ", ".join(f"{k.split('__')[1]}={v}" for k, v in params.items())
    labels.append(f"{scaler}({extra})" if extra else str(scaler))
    print(f"{res['rank_test_score'][i]:>3} {res['mean_test_score'][i]:.3f}  {labels[-1]}")

# %%
# And plotted, best on top.
fig, ax = plt.subplots(figsize=(7, 0.35 * len(order) + 1))
ax.barh(
    labels[::-1],
    res["mean_test_score"][order][::-1],
    xerr=res["std_test_score"][order][::-1],
    color=["tab:gray" if lab == "passthrough" else "tab:blue" for lab in labels[::-1]],
)
ax.set_xlabel("5-fold accuracy of k-NN on wine")
ax.set_xlim(0.5, 1.0)
fig.tight_layout()

print("best:", search.best_estimator_.named_steps["scaler"])
