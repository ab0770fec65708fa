"""LogScaler against numpy's log/log1p and the formula."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_norm import LogScaler
from sklearn_norm import functional as F


def _positive(seed=0, n_rows=30, n_features=3):
    rng = np.random.default_rng(seed)
    return rng.lognormal(size=(n_rows, n_features)) * [1.0, 100.0, 1e-3]


@pytest.mark.parametrize("base", [math.e, 2, 10, 0.5])
def test_log_offset_one_is_log1p(base):
    X = _positive()
    out = LogScaler(base=base).fit_transform(X)
    np.testing.assert_allclose(out, np.log1p(X) / np.log(base), rtol=1e-15)


def test_log_base_two_and_ten_exact_on_powers():
    X = np.array([[1.0, 9.0], [3.0, 99.0], [7.0, 999.0]])
    out2 = LogScaler(base=2).fit_transform(X[:, :1])
    np.testing.assert_allclose(out2.ravel(), [1.0, 2.0, 3.0], rtol=1e-15)
    out10 = LogScaler(base=10).fit_transform(X[:, 1:])
    np.testing.assert_allclose(out10.ravel(), [1.0, 2.0, 3.0], rtol=1e-15)


@pytest.mark.parametrize("offset", [0.5, 2, 10.0])
def test_log_other_offset_is_log(offset):
    X = _positive()
    scaler = LogScaler(offset=offset).fit(X)
    np.testing.assert_array_equal(scaler.offset_, [offset] * 3)
    np.testing.assert_allclose(scaler.transform(X), np.log(X + offset), rtol=1e-14)
    back = scaler.inverse_transform(scaler.transform(X))
    np.testing.assert_allclose(back, X, rtol=1e-12, atol=4e-16 * offset)  # exp(y) - c cancels


@pytest.mark.parametrize("tiny", [1e-20, 1e-300, -1e-17, 5e-324])
def test_log_tiny_values_keep_precision(tiny):
    X = np.array([[tiny], [1.0]])
    scaler = LogScaler().fit(X)
    out = scaler.transform(X)
    assert out[0, 0] == np.log1p(tiny)  # log(1 + tiny) would round to 0
    assert out[0, 0] != 0.0
    assert scaler.inverse_transform(out)[0, 0] == np.expm1(np.log1p(tiny))
    out10 = LogScaler(base=10).fit(X).transform(X)
    np.testing.assert_allclose(out10[0, 0], tiny / math.log(10), rtol=1e-15)


def test_log_offset_auto_learns_offset_and_keeps_log1p_where_offset_is_one():
    X = np.array([[1e-20, -2.0, 0.5], [0.0, 3.0, 4.0], [5.0, 1.0, np.nan]])
    scaler = LogScaler(offset="auto", base=2).fit(X)
    np.testing.assert_array_equal(scaler.offset_, [1.0, 3.0, 1.0])  # 1 - min(0, min x)
    out = scaler.transform(X)
    expected = np.column_stack(
        [np.log1p(X[:, 0]), np.log(X[:, 1] + 3.0), np.log1p(X[:, 2])]
    ) / np.log(2)
    np.testing.assert_allclose(out, expected, rtol=1e-15)
    assert out[0, 0] == np.log1p(1e-20) / np.log(2)  # tiny value: log1p, not log(1 + x)
    assert out[0, 1] == 0.0  # the training minimum maps to 0
    back = scaler.inverse_transform(out)
    assert back[0, 0] == pytest.approx(1e-20, rel=1e-15)
    np.testing.assert_allclose(back, X, rtol=1e-14, atol=1e-15)


def test_log_offset_auto_nonnegative_data_is_log1p_and_refuses_below():
    X = _positive()
    scaler = LogScaler(offset="auto").fit(X)
    np.testing.assert_array_equal(scaler.offset_, 1.0)
    np.testing.assert_allclose(scaler.transform(X), np.log1p(X), rtol=1e-15)
    with pytest.raises(ValueError, match=r"Negative values in data.*column 1"):
        scaler.transform(np.array([[1.0, -1.0, 1.0]]))


def test_log_signed_symmetric():
    X = np.array([[-99.0, 0.0], [-1e-20, 9.0], [9.0, -0.5]])
    scaler = LogScaler(signed=True, base=10).fit(X)
    np.testing.assert_array_equal(scaler.offset_, [1.0, 1.0])
    out = scaler.transform(X)
    np.testing.assert_allclose(out, np.sign(X) * np.log1p(np.abs(X)) / np.log(10), rtol=1e-15)
    assert out[1, 0] == -np.log1p(1e-20) / np.log(10)
    np.testing.assert_allclose(scaler.inverse_transform(out), X, rtol=1e-14)


def test_log_signed_sparse_stays_sparse():
    X = sparse.random(20, 3, density=0.4, format="csr", random_state=1)
    X.data -= 0.5
    scaler = LogScaler(signed=True).fit(X)
    out = scaler.transform(X)
    assert sparse.issparse(out) and out.nnz == X.nnz
    dense = X.toarray()
    np.testing.assert_allclose(out.toarray(), np.sign(dense) * np.log1p(np.abs(dense)))
    np.testing.assert_allclose(scaler.inverse_transform(out).toarray(), dense, rtol=1e-14)


def test_log_offset_one_sparse_stays_sparse():
    X = sparse.random(20, 3, density=0.4, format="csc", random_state=2) * 50
    out = LogScaler().fit(X).transform(X)
    assert sparse.issparse(out) and out.nnz == X.nnz
    np.testing.assert_allclose(out.toarray(), np.log1p(X.toarray()), rtol=1e-15)


@pytest.mark.parametrize("params", [{"offset": 2.0}, {"offset": "auto"}])
def test_log_sparse_refused_when_zeros_would_move(params):
    X = sparse.csr_matrix(np.eye(3))
    with pytest.raises(TypeError, match=r"LogScaler does not accept sparse.*offset=1"):
        LogScaler(**params).fit(X)


def test_log_negative_error_names_the_column():
    X = np.array([[1.0, 2.0], [3.0, -2.0]])
    with pytest.raises(ValueError, match=r"Negative values in data.*column 1.*\(min -2\)"):
        LogScaler().fit(X)
    df = pd.DataFrame({"age": [1.0, 2.0], "income": [5.0, -1.5]})
    with pytest.raises(ValueError, match=r"Negative values in data.*column 'income'"):
        LogScaler().fit(df)
    scaler = LogScaler().fit(df.abs())
    with pytest.raises(ValueError, match=r"Negative values in data.*column 'income'"):
        scaler.transform(df)
    # exactly -offset is invalid too (log(0))
    with pytest.raises(ValueError, match=r"1 value\(s\) <= -offset \(-1\) in column 0"):
        LogScaler().fit(np.array([[-1.0], [2.0]]))


def test_log_error_does_not_write_in_place():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    scaler = LogScaler(copy=False).fit(X)
    bad = np.array([[1.0, 2.0], [3.0, -4.0]])
    with pytest.raises(ValueError, match="Negative values in data"):
        scaler.transform(bad)
    np.testing.assert_array_equal(bad, [[1.0, 2.0], [3.0, -4.0]])


def test_log_handle_invalid_nan():
    X = np.array([[-1.0, 2.0], [1.0, -3.0], [0.5, 8.0]])
    scaler = LogScaler(handle_invalid="nan").fit(X)
    out = scaler.transform(X)
    expected = np.where(X > -1, np.log1p(np.where(X > -1, X, 0)), np.nan)
    np.testing.assert_allclose(out, expected, rtol=1e-15)
    offset0 = LogScaler(offset=0, handle_invalid="nan").fit_transform(np.array([[0.0], [-2], [1]]))
    np.testing.assert_array_equal(offset0.ravel(), [np.nan, np.nan, 0.0])
    sparse_out = LogScaler(handle_invalid="nan").fit_transform(sparse.csr_matrix(X))
    np.testing.assert_allclose(sparse_out.toarray(), expected, rtol=1e-15)


def test_log_nan_ignored_in_fit_and_kept():
    X = np.array([[np.nan, 1.0], [-2.0, np.nan], [3.0, 5.0]])
    scaler = LogScaler(offset="auto").fit(X)
    np.testing.assert_array_equal(scaler.offset_, [3.0, 1.0])
    out = scaler.transform(X)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(X))
    assert not np.isnan(LogScaler().fit(np.abs(X)).transform(np.abs(X))[2]).any()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_log_dtype_kept(dtype):
    X = _positive()[:, :2].astype(dtype)
    out = LogScaler(base=10).fit_transform(X)
    assert out.dtype == dtype
    np.testing.assert_allclose(
        out,
        np.log10(1 + X.astype(np.float64)),
        rtol=4 * np.finfo(dtype).eps,
        atol=4 * np.finfo(dtype).eps,
    )


def test_log_int_input_becomes_float64():
    out = LogScaler(base=2).fit_transform(np.array([[0, 1], [3, 7]]))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, [[0, 1], [2, 3]], rtol=1e-15)


def test_log_copy_false_in_place_and_override():
    X = _positive()
    scaler = LogScaler(copy=False).fit(X)
    work = X.copy()
    assert scaler.transform(work) is work
    np.testing.assert_allclose(work, np.log1p(X), rtol=1e-15)
    assert scaler.inverse_transform(work) is work
    np.testing.assert_allclose(work, X, rtol=1e-14)
    read_only = X.copy()
    read_only.flags.writeable = False
    assert scaler.transform(read_only) is not read_only
    np.testing.assert_array_equal(read_only, X)
    work = X.copy()
    assert scaler.transform(work, copy=True) is not work
    np.testing.assert_array_equal(work, X)
    assert LogScaler().fit(X).transform(work, copy=False) is work


def test_log_positive_only_tag_follows_parameters():
    assert LogScaler().__sklearn_tags__().input_tags.positive_only
    assert not LogScaler(signed=True).__sklearn_tags__().input_tags.positive_only
    assert not LogScaler(offset="auto").__sklearn_tags__().input_tags.positive_only
    assert LogScaler().__sklearn_tags__().input_tags.sparse
    assert not LogScaler(offset=2).__sklearn_tags__().input_tags.sparse


def test_log_handle_invalid_nan_is_not_positive_only():
    # fit takes negative data then (it becomes NaN), so the tag must not promise a refusal
    assert not LogScaler(handle_invalid="nan").__sklearn_tags__().input_tags.positive_only
    LogScaler(handle_invalid="nan").fit(np.array([[-1.0], [1.0]]))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@parametrize_with_checks(
    [
        LogScaler(signed=True, base=10),
        LogScaler(handle_invalid="nan"),
        LogScaler(offset="auto", base=2),
        LogScaler(offset=0.5),
        LogScaler(offset=2.0),
    ],
    expected_failed_checks=lambda est: (
        {"check_fit_non_negative": "offset > 1 accepts -1 (-1 > -offset), rightly"}
        if est.offset == 2.0
        else {}
    ),
)
def test_log_parameter_variants_pass_check_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("offset", [0.5, 1.0, 2.0, 5.0])
def test_log_positive_only_tag_is_kept_for_any_positive_offset(offset):
    # the tag promises that positive data is accepted and that data at or below -offset
    # is refused with the message check_estimator looks for; x in (-offset, 0] is taken
    est = LogScaler(offset=offset)
    assert est.__sklearn_tags__().input_tags.positive_only
    est.fit(np.array([[0.0], [1e-300], [3.0]]))
    with pytest.raises(ValueError, match="Negative values in data"):
        LogScaler(offset=offset).fit(np.array([[-offset], [1.0]]))
    inside = -0.99 * offset
    out = LogScaler(offset=offset).fit(np.array([[inside], [1.0]])).transform([[inside]])
    np.testing.assert_allclose(out, [[math.log(offset + inside)]], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_log_offset_auto_keeps_the_one_beyond_the_dtype(dtype):
    # 1 - min is not representable: float16 beyond 2**11, float32 2**24, float64 2**53
    low = {np.float16: -6e4, np.float32: -1e8, np.float64: -1e17}[dtype]
    X = np.array([[low], [0.0], [50.0]]).astype(dtype)
    scaler = LogScaler(offset="auto").fit(X)  # no refusal of its own minimum
    Y = scaler.transform(X)
    m = X.astype(np.float64).min()
    expected = [math.log1p(float(v) - m) for v in X.astype(np.float64).ravel()]
    assert Y[0, 0] == 0.0  # log(min + 1 - min) = log(1)
    np.testing.assert_allclose(Y.ravel(), expected, rtol=4 * np.finfo(dtype).eps)
    assert np.isfinite(scaler.inverse_transform(Y)).all()


def test_log_offset_auto_float32_keeps_small_differences():
    X = np.array([[-1e8], [-1e8 + 8], [0.0]], dtype=np.float32)  # float32 step 8 near 1e8
    Y = LogScaler(offset="auto").fit(X).transform(X)
    np.testing.assert_allclose(Y.ravel(), np.log([1.0, 9.0, 1e8 + 1]), rtol=1e-6)


def test_log_fixed_offset_not_held_by_float32_decides_in_float64_terms():
    x = np.float32(-0.7)  # -0.699999988..., so x + 0.7 = 1.19e-8 > 0
    X = np.array([[x], [1.0]], dtype=np.float32)
    Y = LogScaler(offset=0.7).fit(X).transform(X)
    assert Y[0, 0] == pytest.approx(math.log(float(x) + 0.7), rel=1e-6)
    below = np.nextafter(x, np.float32(-1))  # x + 0.7 < 0: refused, or NaN
    with pytest.raises(ValueError, match="1 value"):
        LogScaler(offset=0.7).fit(np.array([[below], [1.0]], dtype=np.float32))
    nan = LogScaler(offset=0.7, handle_invalid="nan").fit(X)
    assert np.isnan(nan.transform(np.array([[below]], dtype=np.float32))).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_offset_auto_maps_the_training_minimum_to_zero_and_nothing_below(dtype):
    # x + (1 - m) with 1 - m rounded would round twice: log1p(x - m) rounds once
    rng = np.random.default_rng(12)
    for _ in range(200):
        X = rng.uniform(-1, 3, size=(6, 4)).astype(dtype)
        Y = LogScaler(offset="auto").fit_transform(X)
        assert (Y >= 0).all()
        negative = X.min(axis=0) < 0  # offset 1 - min: the minimum maps to log(1) = 0
        at_min = Y[X.argmin(axis=0), range(4)]
        np.testing.assert_array_equal(at_min[negative], 0.0)


@pytest.mark.parametrize("n_features", [3, 5000])  # remembered, and too long to remember
def test_log_kernel_terms_follow_each_fit_and_cannot_be_written(n_features):
    from sklearn_norm.functional._logscale import _log_terms

    rng = np.random.default_rng(0)
    X = rng.uniform(-0.5, 3.0, (20, n_features))
    for offset in (1.0, 2.5, "auto", 1.0):  # a refit with other parameters, then back
        est = LogScaler(offset=offset).fit(X)
        expected = np.log1p(X) if offset == 1.0 else None
        if offset == 2.5:
            expected = np.log(X + 2.5)
        if offset == "auto":
            expected = np.log1p(X - np.minimum(X.min(axis=0), 0.0))
        np.testing.assert_allclose(est.transform(X), expected, rtol=1e-15, atol=0)
    shift, ones, floor, *_ = _log_terms(np.full(n_features, 2.5), None)
    np.testing.assert_array_equal(shift, -2.5)
    for array in (shift, ones, floor):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0


@pytest.mark.parametrize("offset", [1.0, 2.5])
def test_log_fit_refuses_beside_an_all_nan_column(offset):
    # the lowest column minimum leaves NaN columns out: the bad column is still found
    X = np.array([[np.nan, 3.0, 1.0], [np.nan, -offset - 1.0, 2.0]])
    with pytest.raises(ValueError, match=r"1 value\(s\) <= -offset .* column 1|x1"):
        LogScaler(offset=offset).fit(X)
    LogScaler(offset=offset).fit(X[:, [0, 2]])  # an all-NaN column and a good one: fine
    with pytest.raises(ValueError, match="Negative values"):
        LogScaler(offset=offset).fit(np.array([[-offset], [1.0]]))  # the boundary itself


def _exact_log(values, shift, base=math.e):
    """``log(x - shift + 1)`` (log1p of the shifted value) in 50-digit decimal arithmetic."""
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec, ctx.Emax = 50, 10**6
        return [
            float((Decimal(float(v)) - Decimal(float(shift)) + 1).ln() / Decimal(base).ln())
            for v in values
        ]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("base", [math.e, 10.0])
def test_log_auto_offset_beyond_float64_is_finite_and_inverts(dtype, base):
    """``x + offset_`` beyond the dtype (data spanning -1.3e308..1.5e308): the log is
    taken of the halved sum, ``log(x/2 - m/2) + log 2``; the inverse doubles back."""
    top = float(np.finfo(dtype).max)
    X = np.array([[-0.72 * top], [0.83 * top], [0.0], [0.5 * top]], dtype=dtype)
    est = LogScaler(offset="auto", base=base).fit(X)
    Y = est.transform(X)
    want = _exact_log(X[:, 0], X.min(), base)
    np.testing.assert_allclose(Y[:, 0], want, rtol=4 * np.finfo(dtype).eps)
    back = est.inverse_transform(Y).astype(np.float64)
    # exp's conditioning: |y| * eps relative to x + offset_, as for any huge offset
    spread = 1e3 * np.finfo(dtype).eps * (np.abs(X) / 2 + est.offset_ / 2) * 2
    assert (np.abs(back - X) <= spread).all(), (back, X)
    func = F.log_scale(X[1:], base=base, offset=est.offset_)  # the same (offset_ = 1 - m
    np.testing.assert_allclose(func[:, 0], want[1:], rtol=4 * np.finfo(dtype).eps)  # rounds)
