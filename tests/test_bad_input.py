"""Bad input: every error names the offending column, parameter or value (a table of
cases). Failed fits, edge cases and warnings: ``test_bad_input_edges.py``."""

import numpy as np
import polars as pl
import pytest
from _bad_input_data import DF, X3, with_value
from scipy import sparse

from sklearn_norm import (
    BatchNormScaler,
    DecimalScaler,
    LogScaler,
    MinMaxScaler,
    ZScoreScaler,
)


def _df_with(column, values):
    df = DF.copy()
    df[column] = values
    return df


def _fit(est, X, **kw):
    return lambda: est.fit(X, **kw)


def _fitted_then(est, X_fit, method, X):
    def run():
        est.fit(X_fit)
        getattr(est, method)(X)

    return run


# (id, action, exception, pattern): the pattern checks that the message names the
# offending column, parameter or value.
CASES = [
    # shape and feature mismatches
    (
        "wrong-count-transform",
        _fitted_then(MinMaxScaler(), X3, "transform", X3[:, :2]),
        ValueError,
        r"X has 2 features, but MinMaxScaler is expecting 3",
    ),
    (
        "wrong-count-inverse",
        _fitted_then(ZScoreScaler(), X3, "inverse_transform", X3[:, :1]),
        ValueError,
        r"X has 1 features, but ZScoreScaler is expecting 3",
    ),
    (
        "wrong-count-partial-fit",
        _fitted_then(DecimalScaler(), X3, "partial_fit", X3[:, :2]),
        ValueError,
        r"X has 2 features, but DecimalScaler is expecting 3",
    ),
    (
        "wrong-names-transform",
        _fitted_then(ZScoreScaler(), DF, "transform", DF.rename(columns={"income": "salary"})),
        ValueError,
        r"Feature names unseen at fit time:\n- salary",
    ),
    (
        "missing-name-transform",
        _fitted_then(LogScaler(), DF, "transform", DF[["age", "height"]]),
        ValueError,
        r"seen at fit time, yet now missing:\n- income",
    ),
    ("1d-fit", _fit(MinMaxScaler(), X3[:, 0]), ValueError, r"Expected 2D array, got 1D array"),
    (
        "1d-transform",
        _fitted_then(LogScaler(), X3, "transform", X3[0]),
        ValueError,
        r"Expected 2D array, got 1D array",
    ),
    (
        "empty-rows",
        _fit(DecimalScaler(), X3[:0]),
        ValueError,
        r"0 sample\(s\) \(shape=\(0, 3\)\).*DecimalScaler",
    ),
    (
        "empty-columns",
        _fit(ZScoreScaler(), X3[:, :0]),
        ValueError,
        r"0 feature\(s\) \(shape=\(10, 0\)\).*ZScoreScaler",
    ),
    # non-numeric columns
    (
        "str-column-numpy",
        _fit(MinMaxScaler(), with_value(X3, 4, 1, "abc")),
        ValueError,
        r"MinMaxScaler needs numeric values.*column 1.*'abc'",
    ),
    (
        "str-array-numpy",
        _fit(ZScoreScaler(), np.array([["1.5", "x", "2"]])),
        ValueError,
        r"ZScoreScaler needs numeric values.*column 1.*'x'",
    ),
    (
        "object-dict-numpy",
        _fit(LogScaler(), with_value(X3.astype(object), 0, 2, {"a": 1})),
        TypeError,
        r"column 2.*not 'dict'",
    ),
    (
        "str-column-pandas",
        _fit(ZScoreScaler(), _df_with("city", ["Oslo"] * 10)),
        TypeError,
        r"non-numeric column\(s\) 'city'",
    ),
    (
        "str-column-pandas-transform",
        _fitted_then(MinMaxScaler(), DF, "transform", _df_with("income", ["high"] * 10)),
        TypeError,
        r"non-numeric column\(s\) 'income'",
    ),
    (
        "str-column-polars",
        _fit(DecimalScaler(), pl.DataFrame({"a": [1.0, 2.0], "city": ["Oslo", "Rome"]})),
        TypeError,
        r"non-numeric column\(s\) 'city'",
    ),
    ("complex", _fit(ZScoreScaler(), X3 + 1j), ValueError, r"Complex data not supported"),
    # infinities
    (
        "inf-fit-numpy",
        _fit(ZScoreScaler(), with_value(X3, 2, 1, np.inf)),
        ValueError,
        r"ZScoreScaler got infinite values in column 1;",
    ),
    (
        "inf-fit-pandas",
        _fit(MinMaxScaler(), _df_with("income", [-np.inf] + [1.0] * 9)),
        ValueError,
        r"MinMaxScaler got infinite values in column 'income'",
    ),
    (
        "inf-fit-log",
        _fit(LogScaler(), with_value(X3, 0, 2, np.inf)),
        ValueError,
        r"LogScaler got infinite values in column 2",
    ),
    (
        "inf-transform-pandas",
        _fitted_then(ZScoreScaler(), DF, "transform", _df_with("height", [np.inf] * 10)),
        ValueError,
        r"infinite values in column 'height'",
    ),
    (
        "inf-transform-sparse",
        _fitted_then(
            DecimalScaler(),
            sparse.csr_matrix(X3),
            "transform",
            sparse.csr_matrix(with_value(X3, 3, 2, -np.inf)),
        ),
        ValueError,
        r"DecimalScaler got infinite values in column 2",
    ),
    (
        "inf-inverse",
        _fitted_then(MinMaxScaler(), X3, "inverse_transform", with_value(X3, 1, 0, np.inf)),
        ValueError,
        r"infinite values in column 0",
    ),
    # finite values whose variance overflows float64 (ZScoreScaler standardises them:
    # test_extreme_moments.py; BatchNormScaler's running_var_ cannot hold it)
    (
        "huge-batchnorm",
        _fit(BatchNormScaler(), _df_with("income", [1e200, -1e200] * 5)),
        ValueError,
        r"BatchNormScaler got values in column 'income': their variance overflows float64",
    ),
    (
        "huge-partial-fit-merge",
        _fitted_then(BatchNormScaler(), X3 * 1e154, "partial_fit", -X3 * 1e154),
        ValueError,
        r"BatchNormScaler got values in column 0, column 2: their variance overflows",
    ),
    # values a log cannot take
    (
        "negative-log-fit",
        _fit(LogScaler(), _df_with("income", [-5.0] + [1.0] * 9)),
        ValueError,
        r"Negative values in data.*column 'income'.*signed=True",
    ),
    (
        "negative-log-transform",
        _fitted_then(LogScaler(base=10), X3, "transform", with_value(X3, 0, 1, -3.0)),
        ValueError,
        r"Negative values in data.*column 1 \(min -3\)",
    ),
    (
        "below-offset-log",
        _fit(LogScaler(offset=2), with_value(X3, 0, 0, -2.5)),
        ValueError,
        r"Negative values in data.*<= -offset \(-2\) in column 0",
    ),
    # sparse input where zeros would not stay zeros
    (
        "sparse-minmax",
        _fit(MinMaxScaler(), sparse.csr_matrix(X3)),
        TypeError,
        r"MinMaxScaler does not accept sparse input.*toarray\(\)",
    ),
    (
        "sparse-zscore-with-mean",
        _fit(ZScoreScaler(), sparse.csc_matrix(X3)),
        TypeError,
        r"ZScoreScaler does not accept sparse.*pass with_mean=False",
    ),
    (
        "sparse-log-offset",
        _fit(LogScaler(offset=3), sparse.csr_array(X3)),
        TypeError,
        r"LogScaler does not accept sparse.*offset=1 or signed=True",
    ),
    # invalid parameter values
    (
        "feature-range-reversed",
        _fit(MinMaxScaler(feature_range=(1, 0)), X3),
        ValueError,
        r"feature_range .*a < b, got \(1, 0\)",
    ),
    (
        "feature-range-three",
        _fit(MinMaxScaler(feature_range=(0, 1, 2)), X3),
        ValueError,
        r"feature_range .*got \(0, 1, 2\)",
    ),
    (
        "feature-range-inf",
        _fit(MinMaxScaler(feature_range=(0, np.inf)), X3),
        ValueError,
        r"feature_range must be two finite numbers.*inf",
    ),
    (
        "feature-range-str",
        _fit(MinMaxScaler(feature_range="ab"), X3),
        ValueError,
        r"'feature_range' parameter of MinMaxScaler.*Got 'ab'",
    ),
    (
        "clip-str",
        _fit(MinMaxScaler(clip="no"), X3),
        ValueError,
        r"'clip' parameter of MinMaxScaler.*Got 'no'",
    ),
    (
        "ddof-negative",
        _fit(ZScoreScaler(ddof=-1), X3),
        ValueError,
        r"'ddof' parameter of ZScoreScaler.*Got -1",
    ),
    (
        "ddof-float",
        _fit(ZScoreScaler(ddof=0.5), X3),
        ValueError,
        r"'ddof' parameter of ZScoreScaler.*Got 0.5",
    ),
    (
        "with-mean-str",
        _fit(ZScoreScaler(with_mean="yes"), X3),
        ValueError,
        r"'with_mean' parameter of ZScoreScaler.*Got 'yes'",
    ),
    ("base-one", _fit(LogScaler(base=1), X3), ValueError, r"base must be .* other than 1, got 1"),
    (
        "base-negative",
        _fit(LogScaler(base=-2), X3),
        ValueError,
        r"'base' parameter of LogScaler.*Got -2",
    ),
    ("base-zero", _fit(LogScaler(base=0), X3), ValueError, r"'base' parameter of LogScaler"),
    (
        "offset-str",
        _fit(LogScaler(offset="x"), X3),
        ValueError,
        r"'offset' parameter of LogScaler.*Got 'x'",
    ),
    ("offset-nan", _fit(LogScaler(offset=np.nan), X3), ValueError, r"'offset' parameter"),
    (
        "handle-invalid-str",
        _fit(LogScaler(handle_invalid="x"), X3),
        ValueError,
        r"'handle_invalid' parameter of LogScaler.*Got 'x'",
    ),
    (
        "n-digits-float",
        _fit(DecimalScaler(n_digits=1.5), X3),
        ValueError,
        r"'n_digits' parameter of DecimalScaler.*Got 1.5",
    ),
    (
        "n-digits-huge",
        _fit(DecimalScaler(n_digits=1000), X3),
        ValueError,
        r"'n_digits' parameter of DecimalScaler.*Got 1000",
    ),
    (
        "per-feature-str",
        _fit(DecimalScaler(per_feature="no"), X3),
        ValueError,
        r"'per_feature' parameter of DecimalScaler",
    ),
    # sample weights
    (
        "weight-negative",
        _fit(ZScoreScaler(), X3, sample_weight=-np.ones(10)),
        ValueError,
        r"Negative values in data passed to `sample_weight`",
    ),
    (
        "weight-length",
        _fit(ZScoreScaler(), X3, sample_weight=np.ones(3)),
        ValueError,
        r"sample_weight.shape == \(3,\), expected \(10,\)",
    ),
    (
        "weight-nan",
        _fit(ZScoreScaler(), X3, sample_weight=with_value(np.ones((1, 10)), 0, 3, np.nan)[0]),
        ValueError,
        r"sample_weight contains NaN",
    ),
]


@pytest.mark.parametrize(
    ("action", "exc", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_raises_naming_the_culprit(action, exc, pattern):
    with pytest.raises(exc, match=pattern):
        action()


def test_bad_input_table_is_large_enough():
    assert len(CASES) >= 20
    assert len({c[0] for c in CASES}) == len(CASES)
