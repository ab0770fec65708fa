"""The main job (``make demo``): grid search over every scaler in a Pipeline.

On scikit-learn's bundled breast-cancer data, a logistic regression is preceded by each
registered scaler (and its main parameters); the ranked table of cross-validated
accuracy is printed.
"""

from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklearn_norm import scaler_grid

PARAMS = {
    "minmax": {"feature_range": [(0, 1), (-1, 1)]},
    "zscore": {"ddof": [0, 1]},
    "decimal": {"per_feature": [True, False]},
    "log": {"base": [2, 10], "signed": [False, True]},
}


def run(cv=5):
    """Run the search; return the fitted ``GridSearchCV``."""
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    pipe = Pipeline([("scaler", "passthrough"), ("model", LogisticRegression(max_iter=2000))])
    grid = scaler_grid("scaler", params={m: p for m, p in PARAMS.items()})
    search = GridSearchCV(pipe, grid, cv=cv, n_jobs=1)
    return search.fit(X, y)


def _scaler_of(params, step="scaler"):
    own = {k.split("__", 1)[1]: v for k, v in params.items() if k.startswith(step + "__")}
    return clone(params[step]).set_params(**own)


def ranked_table(search):
    """The ranked results as text: rank, mean and std of the score, the scaler."""
    res = search.cv_results_
    rows = sorted(
        zip(res["rank_test_score"], res["mean_test_score"], res["std_test_score"], res["params"]),
        key=lambda r: r[0],
    )
    lines = [f"{'rank':>4}  {'accuracy':>8}  {'± std':>6}  scaler"]
    for rank, mean, std, params in rows:
        lines.append(f"{rank:>4}  {mean:8.4f}  {std:6.4f}  {_scaler_of(params)!r}")
    return "\n".join(lines)


def main():
    search = run()
    print(ranked_table(search))
    print(f"\nbest: {search.best_estimator_.named_steps['scaler']!r}")


if __name__ == "__main__":
    main()
