"""The streamed (``partial_fit``) quantiles of the quantile-based scalers, by exact rank.

A sketch's quantile is approximate: the promise is that the value it learns for the
probability ``p`` has an exact rank in the column (its non-NaN values) within
``rank_error_`` of ``p``. The rank is counted here directly from the data: a value ``q``
sits at the ranks ``[#(x < q), #(x <= q)] / n``.
"""

import numpy as np
from _hard_data import chunking, hard_matrix
from hypothesis import given
from hypothesis import strategies as st

from sklearn_norm import QuantileScaler, RobustScaler


def assert_rank_within(X, learned, probabilities, bound, what):
    """Each ``learned[k, j]`` has a rank in ``X[:, j]`` within ``bound`` of ``probabilities[k]``."""
    for j in range(X.shape[1]):
        column = X[:, j][~np.isnan(X[:, j])].astype(np.float64)
        if not column.size:
            continue
        q = np.asarray(learned[:, j], dtype=np.float64)
        below = (column[None, :] < q[:, None]).sum(axis=1) / column.size
        upto = (column[None, :] <= q[:, None]).sum(axis=1) / column.size
        slack = bound + 1 / column.size  # an interpolated value between two neighbours
        ok = (below - slack <= probabilities) & (probabilities <= upto + slack)
        assert ok.all(), (
            f"{what}: column {j}, p={probabilities[~ok]}, learned {q[~ok]} at ranks "
            f"[{below[~ok]}, {upto[~ok]}], rank_error_={bound}\n{column!r}"
        )


def _stream(est, X, chunks):
    for start, stop in chunks:
        est.partial_fit(X[start:stop])
    return est


@given(hard_matrix(dtypes=(np.float32, np.float64), min_rows=30, max_rows=80), st.data())
def test_quantile_scaler_streamed_quantiles_within_rank_error(X, data):
    chunks = data.draw(chunking(X.shape[0], min_size=5))
    est = _stream(QuantileScaler(n_quantiles=11, sketch_size=8), X, chunks)
    assert_rank_within(X, est.quantiles_, est.references_, est.rank_error_, "quantiles_")


@given(hard_matrix(dtypes=(np.float32, np.float64), min_rows=30, max_rows=80), st.data())
def test_robust_scaler_streamed_median_within_rank_error(X, data):
    chunks = data.draw(chunking(X.shape[0], min_size=5))
    est = _stream(RobustScaler(sketch_size=8, with_scaling=False), X, chunks)
    assert_rank_within(X, est.center_[None, :], np.array([0.5]), est.rank_error_, "center_")
