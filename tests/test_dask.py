"""dask: fit from per-block statistics, lazy transforms, on a real LocalCluster.

A session-scoped cluster of two worker processes runs every compute, so estimators,
kernels and statistics really travel to other processes. References are the numpy
fits and transforms of the same data.
"""

import logging
import subprocess
import sys

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from _variants import instances
from numpy.testing import assert_allclose
from sklearn import clone

import sklearn_norm as sn
from sklearn_norm import all_estimators

pytestmark = pytest.mark.xdist_group("dask")

DEFAULTS = [cls() for cls in all_estimators()]
ESTIMATORS = instances("dask")
#: Every estimator on the column-chunked array and the DataFrame, the defaults also on
#: a plain row-chunked array (kept short: the whole file runs in well under 40 s).
CASES = [(est, layout) for est in ESTIMATORS for layout in ("rows+cols", "frame")] + [
    (est, "rows") for est in DEFAULTS
]


@pytest.fixture(scope="session")
def client():
    """Two worker processes, one thread each, no dashboard; closed cleanly at the end."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,  # no dashboard; its metrics server on a free port:
            scheduler_kwargs={"dashboard_address": ":0"},  # parallel runs never clash
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _data(n_rows=300, n_features=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.gamma(2.0, 3.0, size=(n_rows, n_features)) + 0.5
    X[rng.random(X.shape) < 0.05] = np.nan
    return X


def _layouts(X):
    """The same data as a row-chunked array, a row- and column-chunked one, a DataFrame."""
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    return {
        "rows": (da.from_array(X, chunks=(120, -1)), X),
        "rows+cols": (da.from_array(X, chunks=(120, 4)), X),
        "frame": (dd.from_pandas(frame, npartitions=3), frame),
    }


def _assert_learned_equal(got, expected):
    learned = {k: v for k, v in vars(expected).items() if k.endswith("_") and k[0] != "_"}
    assert learned.keys() <= vars(got).keys()
    for name, value in learned.items():
        if isinstance(value, np.ndarray) and value.dtype == object:
            assert list(getattr(got, name)) == list(value), name
        else:
            assert_allclose(getattr(got, name), value, rtol=1e-10, err_msg=name)


@pytest.mark.parametrize(("est", "layout"), CASES, ids=repr)
def test_dask_fit_transform_inverse_match_numpy(est, layout, client):
    lazy, eager = _layouts(_data())[layout]
    reference = clone(est).fit(eager)
    fitted = clone(est).fit(lazy)
    _assert_learned_equal(fitted, reference)

    out = fitted.transform(lazy)
    assert type(out) is type(lazy)  # lazy, of the same kind
    expected = reference.transform(eager)
    if layout == "frame":
        assert list(out.columns) == list(reference.get_feature_names_out())
        assert out.npartitions == lazy.npartitions
        assert_allclose(out.compute().to_numpy(), expected, rtol=1e-10, atol=1e-12)
    else:
        if expected.shape[1] == lazy.shape[1]:
            assert out.chunks == lazy.chunks
        assert_allclose(out.compute(), expected, rtol=1e-10, atol=1e-12)
    if hasattr(fitted, "inverse_transform"):
        back = fitted.inverse_transform(out)
        assert type(back) is type(lazy)
        back = back.compute()
        assert_allclose(np.asarray(back, dtype=float), np.asarray(eager), rtol=1e-9)


@pytest.mark.parametrize("est", ESTIMATORS, ids=repr)
def test_dask_partial_fit_equals_numpy_partial_fit(est, client):
    X = _data()
    fitted, reference = clone(est), clone(est)
    for part in (X[:130], X[130:]):
        fitted.partial_fit(da.from_array(part, chunks=(80, 3)))
        reference.partial_fit(part)
    _assert_learned_equal(fitted, reference)


def test_dask_fit_is_one_compute_of_block_statistics(client):
    from distributed import get_task_stream

    lazy = da.from_array(_data(), chunks=(50, 4))  # 6 x 2 blocks
    with get_task_stream(client) as stream:
        est = sn.ZScoreScaler().fit(lazy)
    names = [
        task["key"][0] if isinstance(task["key"], tuple) else task["key"] for task in stream.data
    ]
    assert sum(str(n).startswith("_block_stats") for n in names) == lazy.npartitions
    assert sum(str(n).startswith("_join_columns") for n in names) == 1  # one reduction
    assert {task["worker"] for task in stream.data} <= set(client.scheduler_info()["workers"])
    # only the per-feature summary came back: one Stats, not the data
    assert est._stats.mean.shape == (6,)


def test_dask_transform_is_lazy(client):
    est = sn.MinMaxScaler().fit(_data())
    bad = _data()
    bad[3, 1] = np.inf
    out = est.transform(da.from_array(bad, chunks=(100, 6)))  # nothing computed yet
    with pytest.raises(ValueError, match="infinite values in column 1"):
        out.compute()


def test_dask_sample_weight_matches_numpy(client):
    X = _data()
    w = np.random.default_rng(2).integers(0, 4, X.shape[0]).astype(float)
    lazy = da.from_array(X, chunks=(70, 6))
    expected = sn.ZScoreScaler().fit(X, sample_weight=w)
    for weights in (w, da.from_array(w, chunks=33)):
        _assert_learned_equal(sn.ZScoreScaler().fit(lazy, sample_weight=weights), expected)
    frame = dd.from_pandas(pd.DataFrame(X).assign(w=w), npartitions=3)
    fitted = sn.ZScoreScaler().fit(frame[list(range(6))], sample_weight=frame["w"])
    _assert_learned_equal(fitted, expected)
    with pytest.raises(TypeError, match="dask Series with the same partitions"):
        sn.ZScoreScaler().fit(frame[list(range(6))], sample_weight=w)


def test_dask_fit_refuses_infinity_naming_the_column(client):
    X = _data()
    X[10, 4] = -np.inf
    frame = dd.from_pandas(pd.DataFrame(X, columns=list("abcdef")), npartitions=3)
    with pytest.raises(ValueError, match="infinite values in column 'e'"):
        sn.MinMaxScaler().fit(frame)


def test_dask_frame_columns_are_checked(client):
    frame = pd.DataFrame(_data(), columns=list("abcdef"))
    est = sn.ZScoreScaler().fit(dd.from_pandas(frame, npartitions=2))
    renamed = dd.from_pandas(frame.rename(columns={"a": "z"}), npartitions=2)
    with pytest.raises(ValueError, match="feature names"):
        est.transform(renamed)
    text = dd.from_pandas(frame.assign(a=frame["a"].astype(str)), npartitions=2)
    with pytest.raises(TypeError, match="non-numeric column"):
        sn.ZScoreScaler().fit(text)


def test_dask_is_not_imported_by_the_core():
    code = (
        "import sys, numpy as np, sklearn_norm as sn;"
        "sn.ZScoreScaler().fit_transform(np.ones((3, 2)));"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_dask_threaded_scheduler_without_cluster():
    lazy = da.from_array(_data(), chunks=(64, 6))
    with dask.config.set(scheduler="threads"):
        est = sn.MinMaxScaler().fit(lazy)
    _assert_learned_equal(est, sn.MinMaxScaler().fit(_data()))


def test_dask_float32_stays_float32(client):
    X = _data().astype(np.float32)
    lazy = da.from_array(X, chunks=(100, 3))
    est = sn.ZScoreScaler().fit(lazy)
    _assert_learned_equal(est, sn.ZScoreScaler().fit(X))
    out = est.transform(lazy)
    assert out.dtype == np.float32
    assert out.compute().dtype == np.float32


def test_dask_logscaler_refuses_negative_values_naming_the_column(client):
    X = _data()
    X[7, 2] = -5.0
    with pytest.raises(ValueError, match="Negative values in data.*1 value.*column 2"):
        sn.LogScaler().fit(da.from_array(X, chunks=(100, 6)))


@pytest.mark.parametrize(
    "est",
    [sn.MinMaxScaler(), sn.ZScoreScaler(), sn.InstanceNormScaler(track_running_stats=True)],
    ids=repr,
)
def test_dask_frame_with_nullable_missing_values_fits_as_pandas(est, client):
    frame = pd.DataFrame(
        {
            "a": pd.array([1.0, None, 3.0, 4.0, 2.5, 7.0], dtype="Float64"),
            "b": pd.array([1, 2, None, 4, 9, 3], dtype="Int64"),
        }
    )
    expected = clone(est).fit(frame)
    got = clone(est).fit(dd.from_pandas(frame, npartitions=2))
    for name, value in vars(expected).items():
        if name.endswith("_") and isinstance(value, np.ndarray) and value.dtype.kind == "f":
            assert_allclose(getattr(got, name), value, rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("container", ["pandas", "polars"])
def test_dask_transform_refuses_eager_containers(container, client):
    X = da.from_array(_data(), chunks=(120, -1))
    est = sn.MinMaxScaler().set_output(transform=container).fit(X)
    with pytest.raises(ValueError, match=f"return {container} output"):
        est.transform(X)
    lazy = est.set_output(transform="default").transform(X)
    assert type(lazy).__module__.startswith("dask")


@pytest.mark.parametrize("cls", [sn.RobustScaler, sn.QuantileScaler])
def test_dask_quantile_scalers_merge_block_sketches_within_rank_error(cls, client):
    # more values per feature than a sketch keeps: the block sketches are approximate
    rng = np.random.default_rng(11)
    X = rng.lognormal(0, 1.5, size=(60_000, 3))
    X[rng.random(X.shape) < 0.05] = np.nan
    est = cls().fit(da.from_array(X, chunks=(7_000, 2)))
    assert 0 < est.rank_error_ <= 0.005
    if cls is sn.RobustScaler:
        learned, targets = est.center_[None, :], np.array([0.5])
    else:
        learned, targets = est.quantiles_, est.references_
    for j in range(X.shape[1]):
        values = np.sort(X[~np.isnan(X[:, j]), j])
        low = np.searchsorted(values, learned[:, j], side="left") / values.size
        high = np.searchsorted(values, learned[:, j], side="right") / values.size
        assert np.all((high >= targets - est.rank_error_) & (low <= targets + est.rank_error_))
    # and a numpy partial_fit continues the dask-learned sketch
    est.partial_fit(X[:1000])
    assert est.n_samples_seen_ == 61_000
