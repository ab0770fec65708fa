"""The mergeable statistics core: chunking, weights, sparse input, numerics."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy import sparse

from sklearn_norm import DecimalScaler, LogScaler, MinMaxScaler, ZScoreScaler, config_context
from sklearn_norm._merge import merge, merge_all, pool_channels
from sklearn_norm._stats import MOMENTS, RANGE, Stats

FIELDS = ("count", "mean", "m2", "min", "max", "has_inf")

HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _data(seed, n_rows=60, n_features=4, nan_rate=0.15):
    rng = np.random.default_rng(seed)
    X = rng.normal(
        loc=rng.uniform(-50, 50, n_features),
        scale=rng.uniform(0.1, 10, n_features),
        size=(n_rows, n_features),
    )
    X[rng.random(X.shape) < nan_rate] = np.nan
    return X


def _reference(X, w=None):
    """Float64-safe reference from np.longdouble two-pass on the exact values, NaN-aware."""
    X = np.asarray(X, dtype=np.longdouble)
    w = np.ones(X.shape[0], dtype=np.longdouble) if w is None else np.asarray(w, np.longdouble)
    W = np.where(np.isnan(X), 0, w[:, None])
    Xz = np.where(np.isnan(X), 0, X)
    count = W.sum(axis=0)
    mean = (W * Xz).sum(axis=0) / count
    m2 = (W * (Xz - mean) ** 2).sum(axis=0)
    return count, mean, m2


def _assert_same_stats(a, b, rtol=1e-12):
    assert a.n_rows == pytest.approx(b.n_rows, rel=rtol)
    for field in FIELDS:
        x, y = getattr(a, field), getattr(b, field)
        if x is None or y is None:
            assert x is None and y is None, field
            continue
        if field == "has_inf":
            np.testing.assert_array_equal(x, y)
            continue
        scale = np.nanmax(np.abs(np.asarray(y, dtype=np.float64)), initial=1.0)
        np.testing.assert_allclose(
            x, y, rtol=rtol, atol=rtol * scale, equal_nan=True, err_msg=field
        )


def _exact_moments(values):
    """Exact mean and population variance of float values with fractions.Fraction."""
    exact = [Fraction(float(v)) for v in values]
    mean = sum(exact) / len(exact)
    return mean, sum((v - mean) ** 2 for v in exact) / len(exact)


@HYPOTHESIS
@given(
    seed=st.integers(0, 2**32 - 1),
    cuts=st.lists(st.integers(0, 60), max_size=8),
    weighted=st.booleans(),
)
def test_stats_any_chunking_equals_one_pass(seed, cuts, weighted):
    X = _data(seed)
    w = np.random.default_rng(seed).integers(0, 4, X.shape[0]).astype(float) if weighted else None
    edges = [0, *sorted(cuts), X.shape[0]]
    whole = Stats.of(X, w)
    parts = [
        Stats.of(X[a:b], None if w is None else w[a:b]) for a, b in zip(edges[:-1], edges[1:])
    ]
    merged = parts[0]
    for part in parts[1:]:
        merged = merge(merged, part)
    _assert_same_stats(merged, whole)
    # and both agree with the long-double two-pass reference
    count, mean, m2 = _reference(X, w)
    np.testing.assert_allclose(whole.count, count.astype(float))
    seen = count > 0
    np.testing.assert_allclose(whole.mean[seen], mean[seen].astype(float), rtol=1e-12)
    np.testing.assert_allclose(whole.m2[seen], m2[seen].astype(float), rtol=1e-12)


@HYPOTHESIS
@given(seed=st.integers(0, 2**32 - 1), cuts=st.lists(st.integers(1, 59), max_size=6))
def test_stats_partial_fit_over_chunks_equals_fit(seed, cuts):
    X = _data(seed)
    edges = [0, *sorted(set(cuts)), X.shape[0]]
    for cls in (ZScoreScaler, MinMaxScaler, DecimalScaler, LogScaler):
        kwargs = {"signed": True} if cls is LogScaler else {}
        full = cls(**kwargs).fit(X)
        streamed = cls(**kwargs)
        for a, b in zip(edges[:-1], edges[1:]):
            streamed.partial_fit(X[a:b])
        for name, value in vars(full).items():
            if name.endswith("_") and isinstance(value, np.ndarray):
                np.testing.assert_allclose(
                    getattr(streamed, name), value, rtol=1e-12, atol=1e-12, err_msg=name
                )


def test_stats_weighted_equals_repeated_rows():
    X = _data(3, n_rows=40)
    w = np.random.default_rng(3).integers(0, 5, X.shape[0])
    weighted = Stats.of(X, w.astype(float))
    repeated = Stats.of(np.repeat(X, w, axis=0))
    _assert_same_stats(weighted, repeated)


def test_zscore_sample_weight_equals_repeated_rows():
    X = _data(4, n_rows=40)
    w = np.random.default_rng(4).integers(0, 5, X.shape[0])
    weighted = ZScoreScaler().fit(X, sample_weight=w)
    repeated = ZScoreScaler().fit(np.repeat(X, w, axis=0))
    np.testing.assert_allclose(weighted.mean_, repeated.mean_, rtol=1e-12)
    np.testing.assert_allclose(weighted.var_, repeated.var_, rtol=1e-12)
    np.testing.assert_array_equal(weighted.n_samples_seen_, repeated.n_samples_seen_)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fmt", ["csr_matrix", "csc_matrix", "csr_array"])
def test_stats_sparse_equals_dense(fmt, weighted):
    rng = np.random.default_rng(5)
    X = _data(5, n_rows=50, n_features=5)
    X[rng.random(X.shape) < 0.5] = 0.0
    X[:, 2] = 0.0  # all implicit zeros
    X[:, 3] = np.where(X[:, 3] == 0, np.nan, X[:, 3])  # NaN stored, no zeros
    X[:, 4] = np.abs(X[:, 4]) + 1  # positive: min comes from the stored values
    w = rng.integers(0, 4, X.shape[0]).astype(float) if weighted else None
    _assert_same_stats(Stats.of(getattr(sparse, fmt)(X), w), Stats.of(X, w))


def test_stats_sparse_all_zero_rows():
    X = np.zeros((4, 3))
    X[1, 1] = -2.0
    _assert_same_stats(Stats.of(sparse.csr_matrix(X)), Stats.of(X))


def test_stats_large_mean_small_spread_float64():
    rng = np.random.default_rng(6)
    x = 1e9 + rng.uniform(-1e-3, 1e-3, size=2000)
    stats = Stats.of(x[:, None])
    mean, var = _exact_moments(x)
    assert abs((Fraction(float(stats.mean[0])) - mean) / mean) < 1e-15
    assert abs((Fraction(float(stats.m2[0] / stats.count[0])) - var) / var) < 1e-12
    # in chunks too
    merged = merge(Stats.of(x[:700, None]), Stats.of(x[700:, None]))
    assert abs((Fraction(float(merged.m2[0] / merged.count[0])) - var) / var) < 1e-12


@HYPOTHESIS
@given(seed=st.integers(0, 2**32 - 1), cuts=st.lists(st.integers(1, 299), max_size=8))
@example(seed=139, cuts=[69])  # an exact mean half-way between two doubles
def test_stats_large_mean_any_chunking_equals_one_pass(seed, cuts):
    # merging must not lose the low bits of two large, close means (1e9 ± 1e-3)
    rng = np.random.default_rng(seed)
    X = 1e9 + rng.uniform(-1e-3, 1e-3, size=(300, 2))
    X[rng.random(X.shape) < 0.1] = np.nan
    edges = [0, *sorted(set(cuts)), X.shape[0]]
    merged = Stats.empty(2)
    for a, b in zip(edges[:-1], edges[1:]):
        merged = merge(merged, Stats.of(X[a:b]))
    whole = Stats.of(X)
    np.testing.assert_allclose(merged.m2, whole.m2, rtol=1e-12)
    for j in range(2):
        # the two-part means agree far below an ulp of the mean; their high parts may
        # differ by one ulp where the exact mean lies half-way between two doubles
        pair = Fraction(float(merged.mean[j])) + Fraction(float(merged.mean_lo[j]))
        whole_pair = Fraction(float(whole.mean[j])) + Fraction(float(whole.mean_lo[j]))
        assert abs(pair - whole_pair) <= Fraction(np.spacing(1e9)) * 2**-30
        values = X[~np.isnan(X[:, j]), j]
        mean, var = _exact_moments(values)
        assert abs(Fraction(float(merged.mean[j])) - mean) <= Fraction(np.spacing(1e9)) / 2
        assert abs((Fraction(float(merged.m2[j] / merged.count[j])) - var) / var) < 1e-12


def test_zscore_partial_fit_large_mean_equals_exact():
    rng = np.random.default_rng(12)
    X = 1e9 + rng.uniform(-1e-3, 1e-3, size=(1000, 1))
    streamed = ZScoreScaler()
    for chunk in np.array_split(X, 37):
        streamed.partial_fit(chunk)
    _, var = _exact_moments(X[:, 0])
    assert abs((Fraction(float(streamed.var_[0])) - var) / var) < 1e-12


@pytest.mark.parametrize(
    "centre, spread",
    [(1e4, 1e-2), (1e9, 64 * 5)],  # float32 resolution at 1e4 is ~1e-3, at 1e9 it is 64
)
def test_stats_large_mean_small_spread_float32(centre, spread):
    rng = np.random.default_rng(7)
    x = (np.float32(centre) + rng.uniform(-spread, spread, 3000)).astype(np.float32)
    assert np.unique(x).size > 10  # the spread is visible in float32
    mean, var = _exact_moments(x)
    for stats in (Stats.of(x[:, None]), merge(Stats.of(x[:1000, None]), Stats.of(x[1000:, None]))):
        assert abs((Fraction(float(stats.mean[0])) - mean) / mean) < 1e-15
        assert abs((Fraction(float(stats.m2[0] / stats.count[0])) - var) / var) < 1e-12
    scaler = ZScoreScaler().fit(x[:, None])
    assert abs((Fraction(float(scaler.var_[0])) - var) / var) < 1e-12
    # sklearn's float32 accumulation would lose this; ours standardises to unit variance
    z = scaler.transform(x[:, None]).astype(np.float64)
    assert z.dtype == np.float64 and abs(z.std() - 1) < 1e-5


def test_stats_merge_with_empty_is_identity():
    X = _data(8)
    for need in [(MOMENTS, RANGE), (MOMENTS,), (RANGE,)]:
        stats = Stats.of(X, need=need)
        empty = Stats.empty(X.shape[1], need)
        _assert_same_stats(merge(empty, stats), stats, rtol=0)
        _assert_same_stats(merge(stats, empty), stats, rtol=0)
        _assert_same_stats(Stats.of(X[:0], need=need), empty, rtol=0)


def test_stats_all_nan_column():
    X = _data(9, n_rows=10)
    X[:, 1] = np.nan
    stats = Stats.of(X)
    assert stats.count[1] == 0
    assert np.isnan(stats.mean[1]) and stats.m2[1] == 0
    assert np.isnan(stats.min[1]) and np.isnan(stats.max[1])
    assert stats.variance()[1] == 0
    # merging keeps it empty and does not disturb the other columns
    merged = merge(Stats.of(X[:4]), Stats.of(X[4:]))
    _assert_same_stats(merged, stats)


def test_stats_variance_ddof():
    X = _data(10, nan_rate=0)
    stats = Stats.of(X)
    np.testing.assert_allclose(stats.variance(1), np.var(X, axis=0, ddof=1), rtol=1e-12)
    one = Stats.of(X[:1])
    np.testing.assert_array_equal(one.variance(1), 0.0)  # undefined -> 0, no warning


def test_stats_pool_channels_matches_reshape():
    rng = np.random.default_rng(11)
    n, c, length = 30, 3, 4
    X = rng.normal(size=(n, c * length)) * 5 + 100
    X[rng.random(X.shape) < 0.1] = np.nan
    pooled = pool_channels(Stats.of(X), c)
    per_channel = X.reshape(n, c, length).transpose(1, 0, 2).reshape(c, -1)
    count, mean, m2 = _reference(per_channel.T)
    np.testing.assert_allclose(pooled.count, count.astype(float))
    np.testing.assert_allclose(pooled.mean, mean.astype(float), rtol=1e-13)
    np.testing.assert_allclose(pooled.m2, m2.astype(float), rtol=1e-12)
    np.testing.assert_array_equal(pooled.min, np.nanmin(per_channel, axis=1))
    np.testing.assert_array_equal(pooled.max, np.nanmax(per_channel, axis=1))


def test_stats_inf_is_flagged_without_warning():
    X = np.array([[1.0, np.inf], [2.0, -np.inf], [np.nan, 3.0]])
    stats = Stats.of(X)
    np.testing.assert_array_equal(stats.has_inf, [False, True])
    assert stats.mean[0] == 1.5


@pytest.mark.parametrize("need", [(MOMENTS, RANGE), (MOMENTS,)], ids=["all", "moments"])
@pytest.mark.parametrize("nan", [False, True], ids=["clean", "nan"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_features", [1, 3, 64])
def test_stats_many_blocks_and_threads_match_reference(n_features, dtype, weighted, nan, need):
    # several MiB: the blocked, threaded path of the chunk engine (not one block); the
    # shifted one-pass moments, NaN zeroed and counted per block (weighted: two passes)
    # (moments alone: the threads only sum, the vector work runs once for all blocks)
    rng = np.random.default_rng(n_features)
    X = (rng.normal(size=(1_200_000 // n_features, n_features)) * 3 + 100).astype(dtype)
    if nan:
        X[rng.random(X.shape) < 0.05] = np.nan
    w = rng.integers(0, 3, X.shape[0]).astype(float) if weighted else None
    stats = Stats.of(X, w, need)
    with config_context(n_threads=1):
        single = Stats.of(X, w, need)
    _assert_same_stats(single, stats, rtol=0)  # the thread count changes no bit
    count, mean, m2 = _reference(X, w)
    np.testing.assert_array_equal(stats.count, count.astype(float))
    np.testing.assert_allclose(stats.mean, mean.astype(float), rtol=1e-15)
    np.testing.assert_allclose(stats.m2, m2.astype(float), rtol=1e-13)
    if RANGE in need:
        np.testing.assert_array_equal(stats.min, np.nanmin(X, axis=0).astype(float))
        np.testing.assert_array_equal(stats.max, np.nanmax(X, axis=0).astype(float))


@pytest.mark.parametrize("z, two_pass", [(0.0, False), (3.7, False), (4.0, True), (1e6, True)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stats_shift_far_from_the_mean_takes_two_passes(monkeypatch, z, two_pass, dtype):
    """The first row is the shift: up to 4 bits of cancellation stay one pass, more don't.

    Both ways the moments equal the exact ones (fractions) to float64 precision.
    """
    import sklearn_norm._stats as stats_module

    calls = []
    original = stats_module._two_pass_moments
    monkeypatch.setattr(
        stats_module, "_two_pass_moments", lambda *a: (calls.append(1), original(*a))[1]
    )
    rng = np.random.default_rng(3)
    x = rng.standard_normal(2000)
    x = (x - x.mean()) / x.std()  # mean 0, variance 1 (to rounding)
    x = np.concatenate([[z * np.sqrt(2000 / 1999)], x[1:]]) * 7.0 + 1e4
    x = x.astype(dtype)
    stats = Stats.of(x[:, None])
    assert bool(calls) == two_pass
    mean, var = _exact_moments(x)
    assert abs((Fraction(float(stats.mean[0])) - mean) / mean) < 1e-15
    assert abs((Fraction(float(stats.m2[0] / stats.count[0])) - var) / var) < 1e-13


@pytest.mark.parametrize("need", [(MOMENTS, RANGE), (MOMENTS,), (RANGE,)])
def test_merge_all_equals_merging_in_order(need):
    # parts with NaN-only columns, an empty part and a large common mean: pooled at once
    # they give what merging one by one gives, and the exact moments
    rng = np.random.default_rng(5)
    X = 1e6 + rng.normal(size=(400, 3))
    X[rng.random(X.shape) < 0.2] = np.nan
    X[:50, 1] = np.nan  # the first part has no value in column 1
    cuts = [0, 50, 50, 130, 300, 400]
    parts = [Stats.of(X[a:b], need=need) for a, b in zip(cuts[:-1], cuts[1:])]
    expected = parts[0]
    for part in parts[1:]:
        expected = merge(expected, part)
    _assert_same_stats(merge_all(parts), expected, rtol=1e-13)
    if MOMENTS in need:
        pooled = merge_all(parts)
        for j in range(3):
            mean, var = _exact_moments(X[~np.isnan(X[:, j]), j])
            assert abs(Fraction(float(pooled.mean[j])) - mean) <= Fraction(np.spacing(1e6)) / 2
            assert abs((Fraction(float(pooled.m2[j] / pooled.count[j])) - var) / var) < 1e-12


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stats_threaded_blocks_far_from_their_shift_take_two_passes(monkeypatch, dtype):
    """Many blocks on threads: a block whose first row is an outlier is summarised again.

    The outlier starts a block, so that block's one-pass sums are refused and redone by
    two passes; the merged moments equal the exact ones (fractions) either way.
    """
    import sklearn_norm._chunks as chunks
    import sklearn_norm._stats as stats_module

    monkeypatch.setattr(chunks, "FIT_BLOCK_BYTES", 8 * 64 * 512)  # 512 rows a block
    monkeypatch.setattr(chunks, "PARALLEL_MIN_BYTES", 0)
    calls = []
    original = stats_module._two_pass_moments
    monkeypatch.setattr(
        stats_module, "_two_pass_moments", lambda *a: (calls.append(1), original(*a))[1]
    )
    rng = np.random.default_rng(8)
    X = (rng.normal(size=(4096, 64)) * 7 + 1e4).astype(dtype)  # 64 columns: folds by 64
    X[1024, 0] = 1e4 + 7e3  # first row of the third block: 1000 standard deviations out
    with config_context(n_threads=2):
        stats = Stats.of(X, need=(MOMENTS,))
    assert len(calls) == 1  # that block alone
    for j in range(2):
        mean, var = _exact_moments(X[:, j])
        assert abs((Fraction(float(stats.mean[j])) - mean) / mean) < 1e-15
        assert abs((Fraction(float(stats.m2[j] / stats.count[j])) - var) / var) < 1e-13


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stats_nan_in_the_shift_row_and_all_nan_block_columns(monkeypatch, dtype):
    """A NaN shift counts as 0 (its column, far from 0, then takes two passes); a column
    with no value in a block is refused by the one pass; the moments match a long-double
    reference."""
    import sklearn_norm._stats as stats_module

    calls = []
    original = stats_module._two_pass_moments
    monkeypatch.setattr(
        stats_module, "_two_pass_moments", lambda *a: (calls.append(1), original(*a))[1]
    )
    rng = np.random.default_rng(11)
    X = (1e4 + 7.0 * rng.standard_normal((200_000, 3))).astype(dtype)
    X[rng.random(X.shape) < 0.01] = np.nan
    X[::5000, 0] = np.nan  # the first row of many blocks: their shift in column 0
    X[:3000, 2] = np.nan  # column 2 empty in the first block
    stats = Stats.of(X, need=(MOMENTS,))
    assert calls  # the refused blocks took two passes
    count, mean, m2 = _reference(X)
    np.testing.assert_array_equal(stats.count, count.astype(float))
    np.testing.assert_allclose(stats.mean, mean.astype(float), rtol=1e-15)
    np.testing.assert_allclose(stats.m2, m2.astype(float), rtol=1e-12)


def test_stats_column_without_values_over_many_blocks_has_m2_zero():
    # pooled over several blocks, a column with no value must stay the empty summary
    X = np.c_[np.ones(300_000), np.full(300_000, np.nan)]
    stats = Stats.of(X)
    np.testing.assert_array_equal(stats.count, [300_000, 0])
    np.testing.assert_array_equal(stats.m2, [0.0, 0.0])
    scaler = ZScoreScaler().partial_fit(X)
    scaler.partial_fit(np.array([[1.0, 2.0], [2.0, 4.0]]))  # no "too large" refusal
    np.testing.assert_allclose(scaler.var_[1], 1.0)
    np.testing.assert_allclose(scaler.mean_[1], 3.0)
