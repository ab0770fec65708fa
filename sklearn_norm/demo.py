"""The main job (``make demo``): grid search over every scaler in a Pipeline.

On scikit-learn's bundled breast-cancer data (569 tumours, 30 measurements on very
different scales), a logistic regression is preceded by each registered scaler and its
main parameters. The demo prints the ranked table of cross-validated accuracy, saves the
best pipeline with skops, reloads it trusting only sklearn_norm's types and checks that
its predictions are identical, and draws two pictures: the scores, and what each scaler
does to the distributions of a few features. Run it with ``python -m sklearn_norm.demo
[--cv 5] [--out build/demo]``.
"""

import argparse
import math
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklearn_norm import make_scaler, scaler_grid
from sklearn_norm._registry import _REGISTRY

# Main parameters per method; only the registered methods are searched (the others,
# and any method registered later without an entry here, appear once with defaults).
PARAMS = {
    "minmax": {"feature_range": [(0, 1), (-1, 1)]},
    "zscore": {"ddof": [0, 1]},
    "decimal": {"per_feature": [True, False]},
    "log": {"base": [2, math.e, 10]},
    "unitnorm": {"norm": ["l1", "l2", "max"]},
    "instancenorm": {"n_channels": [1, 3]},
    "groupnorm": {"n_groups": [1, 3]},
    "robust": {"quantile_range": [(25.0, 75.0), (10.0, 90.0)]},
    "quantile": {"output_distribution": ["uniform", "normal"]},
    "power": {"standardize": [True, False]},  # Box-Cox would refuse the zeros here
}
FEATURES = ["mean area", "mean smoothness", "worst concavity"]


def load_data():
    """The breast-cancer data as a DataFrame ``X`` and a target ``y``."""
    return load_breast_cancer(return_X_y=True, as_frame=True)


def run(cv=5, n_jobs=1):
    """Run the grid search; return the fitted ``GridSearchCV``."""
    X, y = load_data()
    pipe = Pipeline([("scaler", "passthrough"), ("model", LogisticRegression(max_iter=5000))])
    params = {m: p for m, p in PARAMS.items() if m in _REGISTRY}
    grid = scaler_grid("scaler", params=params)
    search = GridSearchCV(pipe, grid, cv=cv, n_jobs=n_jobs)
    return search.fit(X, y)


def _scaler_of(params, step="scaler"):
    own = {k.split("__", 1)[1]: v for k, v in params.items() if k.startswith(step + "__")}
    return clone(params[step]).set_params(**own)


def _ranked(search):
    res = search.cv_results_
    order = np.argsort(res["rank_test_score"], kind="stable")
    return [
        (
            int(res["rank_test_score"][i]),
            float(res["mean_test_score"][i]),
            float(res["std_test_score"][i]),
            _scaler_of(res["params"][i]),
        )
        for i in order
    ]


def ranked_table(search):
    """The ranked results as text: rank, mean and std of the accuracy, the scaler."""
    lines = [f"{'rank':>4}  {'accuracy':>8}  {'± std':>6}  scaler"]
    for rank, mean, std, scaler in _ranked(search):
        lines.append(f"{rank:>4}  {mean:8.4f}  {std:6.4f}  {scaler!r}")
    return "\n".join(lines)


def save_and_reload(pipeline, X, path):
    """Save ``pipeline`` with skops, reload it trusting only sklearn_norm's types.

    Asserts that the reloaded pipeline predicts exactly as the original; returns it.
    """
    import skops.io as sio

    sio.dump(pipeline, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert all(name.startswith("sklearn_norm.") for name in untrusted), untrusted
    reloaded = sio.load(path, trusted=untrusted)
    np.testing.assert_array_equal(reloaded.predict(X), pipeline.predict(X))
    np.testing.assert_array_equal(reloaded.predict_proba(X), pipeline.predict_proba(X))
    return reloaded


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_scores(search, path):
    """Horizontal bars of every candidate's mean accuracy ± std, best on top."""
    plt = _pyplot()
    rows = _ranked(search)[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(rows) + 1.2))
    labels = [repr(s) if len(repr(s)) < 50 else repr(s)[:47] + "..." for *_, s in rows]
    ax.barh(labels, [r[1] for r in rows], xerr=[r[2] for r in rows], color="tab:blue")
    ax.set_xlim(min(r[1] - r[2] for r in rows) - 0.02, 1.0)
    ax.set_xlabel("cross-validated accuracy")
    ax.set_title("Logistic regression on breast cancer, by scaler")
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_distributions(X, path, features=FEATURES):
    """Histograms of a few features, raw and after every registered scaler (defaults)."""
    plt = _pyplot()
    panels = [("raw data", None)] + [(name, make_scaler(name)) for name in _REGISTRY]
    ncols = 5
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.6 * nrows), squeeze=False)
    for ax, (name, scaler) in zip(axes.flat, panels):
        values = X.to_numpy() if scaler is None else scaler.fit(X).transform(X)
        columns = [list(X.columns).index(f) for f in features]
        for col, feature in zip(columns, features):
            ax.hist(values[:, col], bins=30, alpha=0.55, label=feature)
        ax.set_title(name if scaler is None else f"{name}: {type(scaler).__name__}", fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def main(argv=None):
    """Run the demo; print the table, the best scaler and the paths of what it wrote."""
    parser = argparse.ArgumentParser(prog="python -m sklearn_norm.demo", description=__doc__)
    parser.add_argument("--cv", type=int, default=5, help="cross-validation folds")
    parser.add_argument("--out", default="build/demo", help="folder for the files written")
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel jobs of the search")
    args = parser.parse_args(argv)
    if args.cv < 2:
        parser.error(f"--cv must be at least 2, got {args.cv}")
    if args.n_jobs == 0:
        parser.error("--n-jobs must not be 0 (-1 uses every core)")
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.error(f"cannot write to --out {args.out}: {exc.strerror or exc}")
    search = run(cv=args.cv, n_jobs=args.n_jobs)
    print(ranked_table(search))
    best = search.best_estimator_
    print(f"\nbest: {best.named_steps['scaler']!r} ({search.best_score_:.4f})")
    X, _ = load_data()
    model = save_and_reload(best, X, out / "best_pipeline.skops")
    print("reloaded with trusted sklearn_norm types only: identical predictions")
    written = [
        out / "best_pipeline.skops",
        plot_scores(search, out / "scores.png"),
        plot_distributions(X, out / "distributions.png"),
    ]
    print("\nwritten:")
    for path in written:
        print(f"  {path}")
    return model


if __name__ == "__main__":
    main()
