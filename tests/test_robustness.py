"""Fuzz every estimator and function on extreme inputs: a clear error or a sound result.

Arrays mix the largest and smallest magnitudes of their dtype (float64, float32, float16)
with zeros, signed zeros, subnormals, NaN (also whole-NaN rows and columns), constant rows
and columns, a single row or a single column. Each call either raises a ValueError or
TypeError whose message names the column, parameter or value, or returns an array of the
right shape and dtype with no warning (pytest turns warnings into errors), finite wherever
the input is finite (NaN only where a NaN goes in: per entry for column-wise scalers, per
row for sample-wise ones), and, for the normalisations, of bounded magnitude (a unit-norm
row has entries of at most 1, a standardised row at most sqrt(n)).

A kept statistic that exceeds its dtype's range (the l2 norm of a float16 row of 6e4s,
kept by ``UnitNormScaler(keep_norm=True)``, or a float64 row of 1.8e308s) is inf, without a
warning; the normalised row is still exact.
"""

import copy
import math
import re
import warnings

import numpy as np
import pytest
from _variants import params as variant
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.base import clone

from sklearn_norm import (
    BatchNormScaler,
    DecimalScaler,
    LogScaler,
    MaxAbsScaler,
    MinMaxScaler,
    RobustScaler,
    UnitNormScaler,
    ZScoreScaler,
    all_estimators,
)
from sklearn_norm import functional as F
from sklearn_norm._samplewise import SampleScaler

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
DTYPES = (np.float64, np.float32, np.float16)
#: A message must name what is wrong: a column, a parameter, a count or a value.
NAMES = re.compile(r"column|feature|param|sample|value|channel|group|=|\d", re.IGNORECASE)


def _extremes(dtype):
    """Magnitudes at the edges of ``dtype``, the brief's float64 values, and ordinary ones."""
    info = np.finfo(dtype)
    big = float(info.max)
    return [
        big,
        -big,
        big / 3,
        math.sqrt(big) * 4,  # squares overflow
        -math.sqrt(big) * 4,
        float(info.tiny),
        float(info.smallest_subnormal),
        -float(info.smallest_subnormal),
        0.0,
        -0.0,
        math.nan,
        1.0,
        -2.5,
        3.0,
    ]


@st.composite
def arrays(draw):
    dtype = draw(st.sampled_from(DTYPES))
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(1, 4))
    values = st.sampled_from(_extremes(dtype))
    X = np.array([[draw(values) for _ in range(n_cols)] for _ in range(n_rows)], dtype=np.float64)
    shape = draw(st.sampled_from(["none", "nan-row", "nan-col", "const-row", "const-col"]))
    row, col = draw(st.integers(0, n_rows - 1)), draw(st.integers(0, n_cols - 1))
    if shape == "nan-row":
        X[row] = np.nan
    elif shape == "nan-col":
        X[:, col] = np.nan
    elif shape == "const-row":
        X[row] = draw(values)
    elif shape == "const-col":
        X[:, col] = draw(values)
    return X.astype(dtype)


def _check_error(exc):
    assert isinstance(exc, (ValueError, TypeError)), repr(exc)
    assert NAMES.search(str(exc)), f"the message names nothing: {exc}"


def _wide_columns(X):
    """Whether a column's finite values span more than the dtype (``x - centre`` overflows)."""
    F64 = np.where(np.isfinite(X), X, np.nan).astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        span = np.nanmax(F64, axis=0) - np.nanmin(F64, axis=0)
    return bool((span > np.finfo(X.dtype).max).any())


def _beyond_dtype(est, X):
    """Whether the float64 result of an unbounded map (``RobustScaler``) exceeds the dtype."""
    if X.dtype == np.float64 or type(est).__name__ != "RobustScaler":
        return False
    Y = est.fit_transform(np.where(np.isfinite(X), X, np.nan).astype(np.float64))
    return bool((np.abs(Y) > np.finfo(X.dtype).max).any())


def _check_result(Y, X, rowwise, bound=None, allow_inf=False):
    """Shape, dtype, finite where the input is, NaN only where a NaN goes in.

    ``allow_inf``: a column spans more than its (narrow) dtype holds, so ``x - centre``
    may be ±inf (see test_narrow_column_beyond_its_dtype_is_quiet_inf).
    """
    Y = np.asarray(Y)
    assert Y.shape == X.shape and Y.dtype == X.dtype, (Y.shape, Y.dtype)
    nan_in = np.isnan(X)
    if rowwise:
        nan_in = np.broadcast_to(nan_in.any(axis=1, keepdims=True), X.shape)
    assert allow_inf or not np.isinf(Y).any(), Y
    assert not (np.isnan(Y) & ~nan_in).any(), Y
    assert np.array_equal(np.isnan(Y) | ~np.isnan(X), np.ones(X.shape, bool)), Y
    if bound is not None:
        finite = Y[np.isfinite(Y)].astype(np.float64)
        assert (np.abs(finite) <= bound * (1 + 1e-2)).all(), Y


def _call(func, *args, **kwargs):
    """``func(...)``, or the ValueError/TypeError it raises (checked), as ``None``."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return func(*args, **kwargs)
        except (ValueError, TypeError) as exc:
            _check_error(exc)
            return None


# -- estimators ------------------------------------------------------------------------
VARIANTS = (
    [(cls, {}) for cls in all_estimators()]
    + [(cls, variant(cls, "round_trip")) for cls in all_estimators() if variant(cls, "round_trip")]
    + [(cls, {"eps": 0.0}) for cls in all_estimators() if "eps" in cls().get_params()]
)


def _state(est):
    return copy.deepcopy({k: v for k, v in vars(est).items()})


def _same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray):
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize(
    "cls, params",
    VARIANTS,
    ids=[
        f"{cls.__name__}{'-' + '-'.join(map(str, p.items())) if p else ''}" for cls, p in VARIANTS
    ],
)
@SETTINGS
@given(X=arrays())
def test_estimator_on_extreme_input(cls, params, X):
    est = cls(**params)
    rowwise = issubclass(cls, SampleScaler)
    Y = _call(est.fit_transform, X)
    if Y is not None:
        Y = np.asarray(Y)
        n = X.shape[1]
        bound = variant(cls, "bound").get("bound", lambda n: None)(n)
        wide = not rowwise and (_wide_columns(X) or _beyond_dtype(cls(**params), X))
        _check_result(Y[:, :n], X, rowwise, bound, allow_inf=wide)
        assert not np.isnan(Y[:, n:][~np.isnan(X).any(axis=1)]).any()
    # a failing call leaves a fitted estimator as it was
    fitted = clone(est).fit(np.arange(1.0, 1.0 + 3 * X.shape[1]).reshape(3, -1))
    before = _state(fitted)
    for method in ("transform", "partial_fit"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                getattr(fitted, method)(X)
            except (ValueError, TypeError) as exc:
                _check_error(exc)
                _same(before, _state(fitted))


# -- functions ---------------------------------------------------------------------------
def _quiet(func, *args):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args)


def _finite_stat(func, X):
    """A per-column statistic for the parameters, 0 where a column has no finite value."""
    s = _quiet(func, np.where(np.isfinite(X), X, np.nan).astype(np.float64), 0)
    return np.where(np.isfinite(s), s, 0.0)


FUNCTIONS = {
    "batch_norm": (lambda X: F.batch_norm(X, np.zeros(X.shape[1]), np.ones(X.shape[1])), False),
    "instance_norm": (lambda X: F.instance_norm(X[:, None, :]).reshape(X.shape), True),
    "layer_norm": (lambda X: F.layer_norm(X, (X.shape[1],)), True),
    "group_norm": (lambda X: F.group_norm(X[:, None, :], 1).reshape(X.shape), True),
    "min_max_scale": (
        lambda X: F.min_max_scale(X, _finite_stat(np.nanmin, X), _finite_stat(np.nanmax, X)),
        False,
    ),
    "z_score": (lambda X: F.z_score(X, np.zeros(X.shape[1]), np.ones(X.shape[1])), False),
    "robust_scale": (
        lambda X: F.robust_scale(X, np.zeros(X.shape[1]), np.ones(X.shape[1])),
        False,
    ),
    "power_transform": (lambda X: F.power_transform(X, np.ones(X.shape[1])), False),
    "decimal_scale": (lambda X: F.decimal_scale(X, np.zeros(X.shape[1], dtype=int)), False),
    "log_scale": (lambda X: F.log_scale(X, signed=True), False),
    "unit_norm": (lambda X: F.unit_norm(X), True),
    "weight_norm": (lambda X: F.weight_norm(X), True),
    "weight_standardize": (lambda X: F.weight_standardize(X), True),
    "max_abs_scale": (
        lambda X: F.max_abs_scale(X, _finite_stat(lambda a, axis: np.nanmax(abs(a), axis), X)),
        False,
    ),
    "rms_norm": (lambda X: F.rms_norm(X, X.shape[1]), True),
}
BOUNDS = {
    "instance_norm": lambda n: math.sqrt(n),
    "layer_norm": lambda n: math.sqrt(n),
    "group_norm": lambda n: math.sqrt(n),
    "unit_norm": lambda n: 1.0,
    "weight_norm": lambda n: 1.0,
    "weight_standardize": lambda n: max(n - 1, 1) / math.sqrt(n),
    "max_abs_scale": lambda n: 1.0,
    "rms_norm": lambda n: math.sqrt(n),
}


def test_every_function_is_fuzzed():
    assert sorted(FUNCTIONS) == sorted(F.__all__)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@SETTINGS
@given(X=arrays())
def test_function_on_extreme_input(name, X):
    func, rowwise = FUNCTIONS[name]
    Y = _call(func, X)
    if Y is None:
        return
    bound = BOUNDS.get(name, lambda n: None)(X.shape[1])
    if name in (
        "batch_norm",
        "z_score",
        "robust_scale",
    ):  # x itself: overflow only with the input's range
        bound = float(np.finfo(X.dtype).max)
    _check_result(Y, X, rowwise, bound, allow_inf=not rowwise and _wide_columns(X))
    if name in ("unit_norm", "weight_norm"):  # a nonzero row keeps a unit direction
        rows = np.isfinite(X).all(axis=1) & (X != 0).any(axis=1)
        top = np.abs(np.asarray(Y, dtype=np.float64)[rows]).max(axis=1, initial=0.0)
        assert (top >= 0.49 / math.sqrt(X.shape[1])).all(), Y  # a subnormal norm rounds


# -- the colleagues' reports ----------------------------------------------------------------
@pytest.mark.parametrize("cls", [c for c in all_estimators() if issubclass(c, SampleScaler)])
def test_samplewise_huge_rows_stay_finite(cls):
    X = np.array([[1e-300, 1e154, 1e307, 1e300], [1e307, -1e307, 1e307, -1e307]])
    Y = cls().fit_transform(X)
    assert np.isfinite(Y).all()
    if cls is UnitNormScaler:
        np.testing.assert_allclose(np.linalg.norm(Y / 4, axis=1) * 4, 1.0)
    else:
        np.testing.assert_allclose(Y[1], [1.0, -1.0, 1.0, -1.0], rtol=1e-12)


def test_samplewise_huge_rows_invert():
    X = np.array([[1e-300, 1e154, 1e307, 1e300], [1e307, -1e307, 1e307, -1e307]])
    for cls, params in VARIANTS:
        if params and params == variant(cls, "round_trip"):
            est = cls(**params).fit(X)
            Z = est.inverse_transform(est.transform(X))
            np.testing.assert_allclose(Z, X, rtol=1e-12, atol=1e295)  # float64 eps * 1e307


def test_weight_norm_huge_values():
    v = np.array([[3e200, 4e200], [1e-300, 0.0]])
    np.testing.assert_allclose(F.weight_norm(v), [[0.6, 0.8], [1.0, 0.0]])
    np.testing.assert_allclose(F.weight_norm(v, dim=None), [[0.6, 0.8], [0.0, 0.0]])


def test_float16_unit_norm_beyond_float16_range():
    X = np.array([[6e4, -6e4], [1.0, 2.0]], dtype=np.float16)
    Y = UnitNormScaler(keep_norm=True).fit_transform(X)
    np.testing.assert_allclose(Y[:, :2].astype(float), [[0.7071, -0.7071], [0.4472, 0.8944]], 1e-3)
    assert Y[0, 2] == np.inf  # the kept norm exceeds float16: inf, no warning


def test_min_max_subnormal_range_is_constant():
    X = np.array([[5e-324], [-5e-324]])
    np.testing.assert_array_equal(MinMaxScaler().fit_transform(X), [[1e-323], [0.0]])


def test_robust_scale_beyond_float32_gets_the_true_values():
    """A float32 ``scale_`` beyond float32 (5e38) divides in float64; a huge centre maps
    halved (make fuzz found a RuntimeWarning). Reference: scikit-learn on float64."""
    from sklearn.preprocessing import RobustScaler as Reference

    for X in ([[7.9649263e36], [3.0350399e38], [-2.3975068e38]], [[3e38], [-3e38], [3.2e38]]):
        X = np.array(X, dtype=np.float32)
        want = Reference(quantile_range=(10.0, 90.0)).fit_transform(X.astype(np.float64))
        got = RobustScaler(quantile_range=(10.0, 90.0)).fit_transform(X)
        np.testing.assert_allclose(got, want, rtol=4e-7, atol=1e-7)


def test_functional_batch_norm_beyond_float32_gets_the_true_values():
    """``x - running_mean`` beyond float32 is computed halved (make fuzz found -inf)."""
    X = np.array([[3.4e38], [3.4e38], [-3.4e38]], dtype=np.float32)
    rows = X.astype(np.float64)
    Y = F.batch_norm(X, [rows.mean()], [rows.var()], eps=0.0)
    np.testing.assert_allclose(Y, (rows - rows.mean()) / rows.std(), rtol=4e-7)


@pytest.mark.parametrize("cls", [ZScoreScaler, BatchNormScaler, MinMaxScaler])
def test_narrow_column_beyond_its_dtype_gets_the_true_values(cls):
    """``x - centre`` beyond float32 is computed halved (exact): the float64 values,
    rounded once (see ``functional._column.HALVE_ABOVE`` and ``overflows``)."""
    X = np.array([[3.4e38], [3.4e38], [-3.4e38]], dtype=np.float32)
    Y = cls().fit_transform(X)
    rows = X.astype(np.float64)
    want = (rows - rows.mean()) / np.sqrt(rows.var(ddof=cls is BatchNormScaler))
    if cls is MinMaxScaler:
        want = (rows - rows.min()) / (rows.max() - rows.min())
    assert Y.dtype == np.float32
    np.testing.assert_allclose(Y, want, rtol=4 * np.finfo(np.float32).eps)


@pytest.mark.parametrize("cls", [ZScoreScaler, BatchNormScaler])
def test_partial_fit_zero_weights_as_scikit_learn(cls):
    """scikit-learn's StandardScaler.partial_fit refuses an all-zero ``sample_weight``
    (ValueError "Sample weights must contain at least one non-zero number"): so does this
    package, and the estimator is left as it was."""
    from sklearn.preprocessing import StandardScaler

    X = np.array([[1.0, 2.0], [3.0, 5.0], [4.0, 4.0]])
    with pytest.raises(ValueError, match="non-zero") as ref:
        StandardScaler().fit(X).partial_fit(X, sample_weight=np.zeros(3))
    est = cls().fit(X)
    before = _state(est)
    with pytest.raises(ValueError, match="non-zero") as got:
        est.partial_fit(X, sample_weight=np.zeros(3))
    assert str(got.value) == str(ref.value)
    _same(before, _state(est))


@pytest.mark.parametrize("momentum", [None, 0.1])
def test_instance_norm_running_variance_beyond_float64_is_an_error(momentum):
    """As BatchNormScaler: running statistics that overflow float64 are refused, naming
    the channel, and a fitted estimator is left as it was."""
    from sklearn_norm import InstanceNormScaler

    est = InstanceNormScaler(n_channels=2, track_running_stats=True, momentum=momentum)
    est.partial_fit(np.array([[1.0, 2.0, 3.0, 5.0], [2.0, 1.0, 0.0, 4.0]]))
    before = _state(est)
    with pytest.raises(ValueError, match=r"channel\(s\) \[1\]"):
        est.partial_fit(np.array([[1.0, 2.0, 1e307, -1e307], [2.0, 1.0, 0.0, 4.0]]))
    _same(before, _state(est))


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_unit_norm_of_a_row_whose_norm_exceeds_float64(norm):
    big = np.finfo(np.float64).max
    X = np.array([[big, big, -big], [1.0, 2.0, 2.0]])
    want = {"l1": 1 / 3, "l2": 1 / math.sqrt(3), "max": 1.0}[norm]
    for Y in (F.unit_norm(X, norm), UnitNormScaler(norm=norm).fit_transform(X)):
        np.testing.assert_allclose(np.abs(Y[0]), want, rtol=1e-15)
    kept = UnitNormScaler(norm=norm, keep_norm=True).fit_transform(X)[0, -1]
    assert kept == (big if norm == "max" else np.inf)
    w = F.weight_norm(np.vstack([X, [[5e-324, 0.0, 1e-320]]]))
    np.testing.assert_allclose(np.abs(w[0]), 1 / math.sqrt(3), rtol=1e-15)
    np.testing.assert_allclose(w[2], [5e-324 / 1e-320, 0.0, 1.0], rtol=1e-6)


def test_float16_subnormal_spread_with_eps_0():
    X = np.array([[0.0, 6e-8, 0.0, 6e-8], [1.0, 2.0, 3.0, 4.0]], dtype=np.float16)
    Y = F.layer_norm(X, (4,), eps=0.0)
    np.testing.assert_array_equal(Y[0], [-1.0, 1.0, -1.0, 1.0])


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_sparse_unit_norm_of_a_row_whose_norm_exceeds_float64(norm):
    from scipy import sparse

    big = np.finfo(np.float64).max
    X = sparse.csr_matrix(np.array([[big, big, 0.0], [1e-300, 0.0, 5e-324], [0.0, 0.0, 0.0]]))
    want = F.unit_norm(X.toarray(), norm)
    for Y in (F.unit_norm(X, norm), UnitNormScaler(norm=norm).fit_transform(X)):
        np.testing.assert_allclose(Y.toarray(), want, rtol=1e-15)
    assert np.abs(want[0]).max() >= 0.5


def test_float16_kept_norm_beyond_float16_is_refused_by_inverse():
    X = np.array([[6e4, -6e4], [1.0, 2.0]], dtype=np.float16)
    scaler = UnitNormScaler(keep_norm=True).fit(X)
    with pytest.raises(ValueError, match="infinite values in column 2"):
        scaler.inverse_transform(scaler.transform(X))  # never a silent inf


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_float16_unit_norm_of_subnormal_rows_divides_by_the_float64_norm(norm):
    X = np.array([[6e-8, 6e-8], [2e-6, 3e-6], [1.0, 2.0]], dtype=np.float16)
    x = X.astype(np.float64)
    ords = {"l1": 1, "l2": 2, "max": np.inf}
    expected = (x / np.linalg.norm(x, ord=ords[norm], axis=1, keepdims=True)).astype(np.float16)
    np.testing.assert_array_equal(UnitNormScaler(norm=norm).fit_transform(X), expected)
    np.testing.assert_array_equal(F.unit_norm(X, norm), expected)


@pytest.mark.parametrize(
    "est",
    [
        ZScoreScaler(with_mean=False),
        DecimalScaler(),
        LogScaler(),
        LogScaler(signed=True),
        MaxAbsScaler(),
    ],
    ids=repr,
)
@pytest.mark.parametrize("fmt", ["csc", "coo"])
def test_sparse_csc_stays_csc_and_matches_dense(est, fmt):
    dense = np.array([[0.0, 2.0, 0.0], [3.0, 0.0, 0.5], [0.0, 7.0, 9.0], [1.0, 0.0, 0.0]])
    X = sparse.csr_matrix(dense).asformat(fmt)
    est.fit(X)
    Y = est.transform(X)
    assert Y.format == ("csc" if fmt == "csc" else "csr")  # scikit-learn keeps csc too
    np.testing.assert_allclose(Y.toarray(), est.transform(dense))
    np.testing.assert_allclose(est.inverse_transform(Y).toarray(), dense, atol=1e-12)


def test_log_sparse_csc_refusal_names_the_right_column():
    dense = np.array([[0.0, 2.0, 0.0], [3.0, 0.0, -1.5], [0.0, 7.0, 9.0]])
    scaler = LogScaler().fit(np.abs(dense))
    with pytest.raises(ValueError, match="in column 2"):
        scaler.transform(sparse.csc_matrix(dense))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nan_blocks_fit_exactly_and_leave_the_data_alone(dtype):
    # several blocks, NaN scattered in all of them: the two-pass NaN path of each block
    rng = np.random.default_rng(5)
    X = (1e3 + rng.normal(size=(120_000, 8))).astype(dtype)
    X[rng.random(X.shape) < 0.001] = np.nan
    before = X.copy()
    est = ZScoreScaler().fit(X)
    np.testing.assert_array_equal(X, before)  # zeros for NaN went into a copy
    ref = X.astype(np.longdouble)
    present = ~np.isnan(X)
    count = present.sum(axis=0)
    mean = np.where(present, ref, 0).sum(axis=0) / count
    var = (np.where(present, ref - mean, 0) ** 2).sum(axis=0) / count
    np.testing.assert_array_equal(est.n_samples_seen_, count)
    np.testing.assert_allclose(est.mean_, mean.astype(float), rtol=1e-15)
    np.testing.assert_allclose(est.var_, var.astype(float), rtol=1e-12)


def test_block_with_nan_and_inf_names_only_the_inf_column():
    X = np.random.default_rng(6).uniform(1, 2, size=(300_000, 6))
    scaler = MinMaxScaler().fit(X)
    X[1000, 1] = np.nan
    X[2000, 4] = np.inf
    with pytest.raises(ValueError, match=r"infinite values in column 4;"):
        scaler.transform(X)
    with pytest.raises(ValueError, match=r"infinite values in column 4;"):
        MinMaxScaler().fit(X)
