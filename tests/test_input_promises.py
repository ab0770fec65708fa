"""Promises on unusual but valid input: a one-row first chunk of a stream, a dask array
without rows, pandas ``object`` columns of numbers. References: the numpy path's own
errors, scikit-learn's ``StandardScaler`` and PyTorch's definition (a pooled unbiased
variance needs two values)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn import preprocessing

from sklearn_norm import BatchNormScaler, LayerNormScaler, MinMaxScaler, ZScoreScaler
from sklearn_norm._registry import _REGISTRY


def test_batchnorm_partial_fit_accepts_a_one_row_first_chunk():
    rows = np.array([[1.0, 10.0], [3.0, 14.0], [8.0, 0.0]])
    est = BatchNormScaler().partial_fit(rows[:1])
    with pytest.raises(ValueError, match="1 sample"):
        est.transform(rows)
    est.partial_fit(rows[1:])
    assert_allclose(est.running_mean_, rows.mean(axis=0), rtol=1e-15)
    assert_allclose(est.running_var_, rows.var(axis=0, ddof=1), rtol=1e-14)
    expected = (rows - rows.mean(axis=0)) / np.sqrt(rows.var(axis=0, ddof=1) + 1e-5)
    assert_allclose(est.transform(rows), expected, rtol=1e-12)


def test_batchnorm_one_row_refusals_stay():
    with pytest.raises(ValueError, match="1 sample"):
        BatchNormScaler().fit(np.ones((1, 2)))
    with pytest.raises(ValueError, match="1 sample"):  # PyTorch's train-mode step too
        BatchNormScaler(momentum=0.1).partial_fit(np.ones((1, 2)))


def _numpy_error(est):
    with pytest.raises(ValueError) as info:
        est.fit(np.empty((0, 3)))
    return str(info.value)


@pytest.mark.parametrize("name", sorted(_REGISTRY))
def test_dask_array_without_rows_gets_numpy_error(name):
    import dask.array as da

    cls = _REGISTRY[name]
    expected = _numpy_error(cls())
    assert "0 sample" in expected
    with pytest.raises(ValueError) as info:
        cls().fit(da.from_array(np.empty((0, 3)), chunks=(2, 3)))
    assert str(info.value) == expected


@pytest.mark.parametrize("name", sorted(_REGISTRY))
def test_dask_frame_without_rows_gets_numpy_error_and_keeps_the_fit(name):
    import dask.dataframe as dd

    cls = _REGISTRY[name]
    expected = _numpy_error(cls())
    frame = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [3.0, 5.0, 6.0], "c": [0.5, 1.0, 9.0]})
    lazy = dd.from_pandas(frame, npartitions=2)
    empty = lazy[lazy["a"] > 100]  # no rows, and dask does not know it before computing
    est = cls().fit(frame)
    before = {k: v for k, v in vars(est).items() if k.endswith("_") and k[0] != "_"}
    for method in (est.fit, est.partial_fit):
        with pytest.raises(ValueError) as info:
            method(empty)
        assert str(info.value) == expected
        after = {k: v for k, v in vars(est).items() if k.endswith("_") and k[0] != "_"}
        assert after.keys() == before.keys()
        for key, value in before.items():
            assert after[key] is value, key


OBJECT_NUMBERS = [
    [1, 2.5, 3],
    [1, None, 3.0],
    [1, np.nan, 2],
    [True, False, True],
    [1, pd.NA, 2],
]


@pytest.mark.parametrize("values", OBJECT_NUMBERS, ids=range(len(OBJECT_NUMBERS)))
def test_object_column_of_numbers_is_accepted_as_scikit_learn(values):
    df = pd.DataFrame({"a": pd.Series(values, dtype=object), "b": [1.0, 2.0, 4.0]})
    # scikit-learn's reference, on the same numbers with missing values as NaN
    floats = df.assign(a=[np.nan if v is None or v is pd.NA else float(v) for v in values])
    expected = preprocessing.StandardScaler().fit_transform(floats)
    est = ZScoreScaler().fit(df)
    assert_allclose(est.transform(df), expected, rtol=1e-12)
    assert list(est.feature_names_in_) == ["a", "b"]
    assert df["a"].dtype == object  # the caller's frame is left as it was
    assert_allclose(LayerNormScaler().fit_transform(df), LayerNormScaler().fit_transform(floats))


@pytest.mark.parametrize(
    "values", [["x", "y", "z"], [1, "a", 2], ["1", "2", "3"]], ids=["text", "mixed", "digits"]
)
def test_other_object_columns_get_a_type_error_naming_the_column(values):
    df = pd.DataFrame({"income": [1.0, 2.0, 4.0], "city": pd.Series(values, dtype=object)})
    with pytest.raises(TypeError, match="'city'"):
        MinMaxScaler().fit(df)
    fitted = MinMaxScaler().fit(df[["income"]].assign(city=[0.0, 1.0, 2.0]))
    before = fitted.data_min_.copy()
    with pytest.raises(TypeError, match="'city'"):
        fitted.transform(df)
    assert_allclose(fitted.data_min_, before)
