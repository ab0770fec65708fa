"""``PowerScaler``'s λ against scikit-learn's ``PowerTransformer`` where the likelihood is
well-conditioned: a few dozen distinct values of moderate size, from a skewed or a
symmetric distribution at a drawn magnitude. (On the hard data of ``_hard_data`` the
likelihood is flat or its optimum undefined; there ``test_differential.py`` compares
the transform at PowerScaler's own λ through the formula.)
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from sklearn.preprocessing import PowerTransformer

from sklearn_norm import PowerScaler


@st.composite
def moderate_data(draw, positive):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_rows, n_cols = draw(st.integers(30, 120)), draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["normal", "lognormal", "exponential", "uniform"]))
    X = {
        "normal": lambda: rng.normal(size=(n_rows, n_cols)),
        "lognormal": lambda: rng.lognormal(sigma=0.8, size=(n_rows, n_cols)),
        "exponential": lambda: rng.exponential(size=(n_rows, n_cols)),
        "uniform": lambda: rng.uniform(-1, 3, size=(n_rows, n_cols)),
    }[kind]()
    X = np.abs(X) + 0.1 if positive else X
    return X * 10.0 ** draw(st.integers(-1, 1))


@given(st.sampled_from(["yeo-johnson", "box-cox"]), st.data())
def test_power_scaler_lambdas_match_sklearn(method, data):
    X = data.draw(moderate_data(positive=method == "box-cox"))
    ours = PowerScaler(method=method, standardize=False).fit(X).lambdas_
    want = PowerTransformer(method=method, standardize=False).fit(X).lambdas_
    np.testing.assert_allclose(ours, want, rtol=0, atol=1e-4)
