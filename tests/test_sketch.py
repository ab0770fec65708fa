"""The KLL quantile sketch: rank error within its bound, merging, persistence."""

import io
import pickle

import joblib
import numpy as np
import pytest

import sklearn_norm as sn
from sklearn_norm._sketch import QuantileSketch, merge, rank_error_bound

N = 1_000_000
PROBABILITIES = np.linspace(0, 1, 201)


def _columns(seed=0):
    """10^6 values each of normal, lognormal, heavy-tailed, tied, NaN-holding data."""
    rng = np.random.default_rng(seed)
    with_nan = rng.normal(size=N)
    with_nan[rng.random(N) < 0.2] = np.nan
    return np.column_stack(
        [
            rng.normal(10, 3, N),
            rng.lognormal(0, 2, N),
            rng.standard_t(1.5, N),  # heavy tails
            rng.integers(0, 7, N).astype(float),  # ties
            with_nan,
        ]
    )


def _true_rank_ok(values, quantiles, p, bound):
    """Whether each quantile's true rank interval (counted exactly) meets p ± bound."""
    values = np.sort(values[~np.isnan(values)])
    low = np.searchsorted(values, quantiles, side="left") / values.size
    high = np.searchsorted(values, quantiles, side="right") / values.size
    return (high >= p - bound) & (low <= p + bound)


@pytest.fixture(scope="module")
def columns():
    return _columns()


@pytest.mark.parametrize("n_chunks", [1, 7, 64])
def test_sketch_quantiles_true_rank_within_bound_for_any_chunking(columns, n_chunks):
    sketches = [QuantileSketch.of(c) for c in np.array_split(columns, n_chunks)]
    total = sketches[0]
    for s in sketches[1:]:
        total = merge(total, s)
    assert total.n_rows == N
    assert total.rank_error == rank_error_bound(1000) <= 0.005
    q = total.quantiles(PROBABILITIES)
    for j in range(columns.shape[1]):
        ok = _true_rank_ok(columns[:, j], q[:, j], PROBABILITIES, total.rank_error)
        assert ok.all(), (j, PROBABILITIES[~ok])
    np.testing.assert_array_equal(total.count, (~np.isnan(columns)).sum(axis=0))


def test_sketch_scalers_learn_within_rank_error(columns):
    X = columns[:200_000]
    robust = sn.RobustScaler()
    quantile = sn.QuantileScaler(n_quantiles=51)
    for chunk in np.array_split(X, 5):
        robust.partial_fit(chunk)
        quantile.partial_fit(chunk)
    assert 0 < robust.rank_error_ <= 0.005
    for j in range(X.shape[1]):
        assert _true_rank_ok(X[:, j], robust.center_[j : j + 1], 0.5, robust.rank_error_).all()
        ok = _true_rank_ok(X[:, j], quantile.quantiles_[:, j], quantile.references_, 0.005)
        assert ok.all()


def test_sketch_small_data_is_exact_nanpercentile():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 3))
    X[::7, 1] = np.nan
    a, b = QuantileSketch.of(X[:200]), QuantileSketch.of(X[200:])
    total = merge(a, b)
    assert total.rank_error == 0.0
    np.testing.assert_allclose(
        total.quantiles(PROBABILITIES), np.nanpercentile(X, PROBABILITIES * 100, axis=0)
    )
    assert a.n_rows == 200  # merging left its inputs alone


def _skops_round_trip(obj):
    import skops.io as sio

    blob = sio.dumps(obj)
    untrusted = sio.get_untrusted_types(data=blob)
    assert all(t.startswith("sklearn_norm.") for t in untrusted), untrusted
    return sio.loads(blob, trusted=untrusted)


def _joblib_round_trip(obj):
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


@pytest.mark.parametrize(
    "round_trip",
    [lambda o: pickle.loads(pickle.dumps(o)), _joblib_round_trip, _skops_round_trip],
    ids=["pickle", "joblib", "skops"],
)
def test_sketch_persists_and_keeps_streaming(round_trip):
    rng = np.random.default_rng(2)
    X = rng.lognormal(size=(30_000, 2))
    est = sn.RobustScaler().partial_fit(X[:20_000])
    loaded = round_trip(est)
    np.testing.assert_array_equal(loaded.center_, est.center_)
    for j in range(2):  # the same sketch: the same items and weights
        for got, expected in zip(loaded._sketch.items(j), est._sketch.items(j)):
            np.testing.assert_array_equal(got, expected)
    loaded.partial_fit(X[20_000:])
    assert loaded.n_samples_seen_ == X.shape[0] and 0 < loaded.rank_error_ <= 0.005
    for j in range(2):
        assert _true_rank_ok(X[:, j], loaded.center_[j : j + 1], 0.5, loaded.rank_error_).all()
    fitted = round_trip(sn.QuantileScaler().fit(X))
    np.testing.assert_array_equal(fitted.transform(X), sn.QuantileScaler().fit(X).transform(X))
