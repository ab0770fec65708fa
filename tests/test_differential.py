"""The standing defence: every registered estimator against its independent reference.

Hypothesis draws hard data (``_hard_data``: near-constant columns at every magnitude,
1e±300, subnormals, NaN patterns, float16/32/64, sparse layouts, chunkings) and each
estimator's output is compared with its reference in ``_references`` (scikit-learn's
class, or PyTorch's formula in long double, or ``fractions``) within the tolerance that
the reference's own rounding and the formula's conditioning earn (see ``_references``).
`make test` runs a small fixed set of examples; `make fuzz` many new ones.
"""

import math
import re
from dataclasses import dataclass

import _references as R
import _references_quantile as RQ
import numpy as np
import pytest
from _hard_data import chunking, hard_matrix, sparse_of, to_sparse
from _known_bugs import KNOWN, exempt
from hypothesis import given
from hypothesis import strategies as st

from sklearn_norm import make_scaler
from sklearn_norm._registry import _REGISTRY


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


@dataclass
class Entry:
    """How to draw an estimator's parameters and what to compare it with."""

    params: object  # n_features -> strategy of parameter dicts
    reference: object  # (X, params) -> (want, cond), see _references
    rowwise: bool = False  # the statistics are per row: the hard kinds go in rows
    sparse: object = None  # params -> accepts sparse input (None: never)
    min_rows: int = 1
    refuses: object = None  # (X, params) -> the ValueError's text where it must refuse
    nonnegative_sparse: bool = False  # sparse input must be >= 0 (its zeros are values)
    sparse_reference: bool = False  # the reference takes the sparse matrix itself
    fitted: bool = False  # the reference takes the fitted estimator too (PowerScaler's λ)
    refuses_a_chunk: bool = False  # partial_fit refuses where the rows seen so far call for it


def _one_of(*dicts):
    return lambda n_features: st.sampled_from(dicts)


#: Every registered estimator, its parameter variants and its reference: a scaler
#: registered later must add its row here (test_every_registered_estimator_has_a_reference).
TABLE = {
    "minmax": Entry(
        _one_of({}, {"feature_range": (-1.0, 1.0)}, {"feature_range": (-1e308, 1e308)}),
        lambda X, p: R.minmax(X, **p),
    ),
    "zscore": Entry(
        _one_of({}, {"with_mean": False}, {"with_std": False}),
        lambda X, p: R.zscore(X, **p),
        sparse=lambda p: p.get("with_mean") is False,
    ),
    "decimal": Entry(
        _one_of({}, {"per_feature": False}),
        lambda X, p: R.decimal(X, **p),
        sparse=lambda p: True,
    ),
    "log": Entry(
        lambda n: st.fixed_dictionaries(
            {
                "base": st.sampled_from([math.e, 2.0, 10.0]),
                "signed": st.booleans(),
                "offset": st.sampled_from([1.0, 0.5, "auto"]),
                "handle_invalid": st.just("nan"),
            }
        ),
        lambda X, p: R.log(X, p.get("base", math.e), p.get("signed"), p.get("offset", 1.0)),
        sparse=lambda p: p["signed"] or p["offset"] == 1.0,
    ),
    "batchnorm": Entry(
        lambda n: st.fixed_dictionaries({"eps": st.sampled_from([1e-5, 1e-12, 0.0])}),
        lambda X, p: R.batchnorm(X, **p),
        min_rows=2,
        refuses=lambda X, p: R.batchnorm_refusal(X, p.get("eps", 1e-5)),
    ),
    "unitnorm": Entry(
        lambda n: st.fixed_dictionaries({"norm": st.sampled_from(["l1", "l2", "max"])}),
        lambda X, p: R.unit_norm(X, **p),
        rowwise=True,
        sparse=lambda p: True,
    ),
    "layernorm": Entry(
        lambda n: st.fixed_dictionaries({"eps": st.sampled_from([1e-5, 1e-12, 0.0])}),
        lambda X, p: R.group_norm(X, 1, **p),
        rowwise=True,
    ),
    "instancenorm": Entry(
        lambda n: st.fixed_dictionaries(
            {"n_channels": st.sampled_from(_divisors(n)), "eps": st.sampled_from([1e-5, 0.0])}
        ),
        lambda X, p: R.group_norm(X, p["n_channels"], p["eps"]),
        rowwise=True,
    ),
    "groupnorm": Entry(
        lambda n: st.fixed_dictionaries(
            {"n_groups": st.sampled_from(_divisors(n)), "eps": st.sampled_from([1e-5, 0.0])}
        ),
        lambda X, p: R.group_norm(X, p["n_groups"], p["eps"]),
        rowwise=True,
    ),
    "maxabs": Entry(_one_of({}), lambda X, p: R.maxabs(X), sparse=lambda p: True),
    "rmsnorm": Entry(
        lambda n: st.fixed_dictionaries({"eps": st.sampled_from([None, 1e-6])}),
        lambda X, p: R.rms_rows(X, **p),
        rowwise=True,
    ),
    "robust": Entry(
        _one_of(
            {},
            {"with_centering": False},
            {"quantile_range": (10.0, 90.0)},
            {"unit_variance": True, "with_centering": False},
        ),
        lambda X, p: RQ.robust(X, **p),
        sparse=lambda p: p.get("with_centering") is False,
        refuses=lambda X, p: RQ.robust_refusal(X, p.get("quantile_range", (25.0, 75.0))),
        refuses_a_chunk=True,  # each partial_fit learns a scale_ that must fit float64
    ),
    "quantile": Entry(
        lambda n: st.fixed_dictionaries(
            {
                "n_quantiles": st.sampled_from([1000, 5]),
                "output_distribution": st.sampled_from(["uniform", "normal"]),
            }
        ),
        lambda X, p: RQ.quantile(X, **p),
        sparse=lambda p: True,
        nonnegative_sparse=True,
        sparse_reference=True,  # scikit-learn keeps implicit zeros, even for "normal"
    ),
    "power": Entry(
        lambda n: st.fixed_dictionaries({"standardize": st.booleans()}),
        lambda X, p, est: R.power(X, est.lambdas_, standardize=p["standardize"]),
        fitted=True,
        refuses=lambda X, p: R.power_refuses(X),
    ),
}
NAMES = sorted(TABLE)


def test_every_registered_estimator_has_a_reference():
    assert sorted(_REGISTRY) == NAMES


def assert_matches(got, want, cond, gain, X, what, skip=False):
    """``got`` within the reference's tolerance of ``want`` (see ``_references``)."""
    got = np.asarray(got)
    assert got.dtype == X.dtype, f"{what}: dtype {got.dtype}, not the input's {X.dtype}"
    assert got.shape == want.shape, f"{what}: shape {got.shape}, want {want.shape}"
    got = got.astype(np.float64)
    n = X.shape[0] if X.ndim == 2 else 1
    rtol, eps = R.output_rtol(X.dtype), R.compute_eps(X.dtype)
    tiny = float(np.finfo(X.dtype).smallest_subnormal)  # an output that underflows
    tiny_c = float(np.finfo(np.float32 if X.dtype == np.float16 else X.dtype).smallest_subnormal)
    cond = np.nan_to_num(np.asarray(cond, dtype=np.float64), nan=0.0, posinf=np.inf)
    with np.errstate(all="ignore"):
        want_out = want.astype(X.dtype).astype(np.float64)  # beyond the dtype: inf
        err = np.abs(got - want)
        ok = (np.isnan(got) & np.isnan(want)) | (got == want) | (got == want_out)
        ok |= err <= rtol * np.abs(want) + (4 + n) * eps * cond + tiny_c * gain + tiny
    ok |= skip  # the outputs a known bug spoils (see _known_bugs)
    if not ok.all():
        bad = np.argwhere(~ok)[:5].tolist()
        pytest.fail(
            f"{what}: {(~ok).sum()} of {ok.size} values differ from the reference, first at "
            f"{bad}:\n got {[got[tuple(i)] for i in bad]}\nwant {[want[tuple(i)] for i in bad]}"
            f"\nX (dtype {X.dtype}) =\n{X!r}"
        )


@st.composite
def case(draw, sparse=False):
    """An estimator name, its parameters and hard data for it."""
    name = draw(st.sampled_from([n for n in NAMES if not sparse or TABLE[n].sparse is not None]))
    entry = TABLE[name]
    dtypes = (np.float32, np.float64) if sparse else (np.float16, np.float32, np.float64)
    X = draw(hard_matrix(dtypes=dtypes, min_rows=entry.min_rows, nan=not sparse))
    if entry.rowwise:
        X = np.ascontiguousarray(X.T) if X.shape[1] >= entry.min_rows else X
    params = draw(entry.params(X.shape[1]))
    if sparse and not entry.sparse(params):
        params = draw(entry.params(X.shape[1]).filter(entry.sparse))
    return name, params, X


def _fit_transform(name, params, X, chunks=None, data=None):
    est = make_scaler(name, **params)
    data = X if data is None else data
    if chunks is None:
        return est.fit(data).transform(data), est
    for start, stop in chunks:
        est.partial_fit(data[start:stop])
    return est.transform(data), est


def _refusal(entry, seen, params, chunks):
    """The error the estimator must raise on the rows ``seen`` (by the chunks given)."""
    if not entry.refuses:
        return None
    if chunks is None or not entry.refuses_a_chunk:
        return entry.refuses(seen, params)
    return next(filter(None, (entry.refuses(seen[:stop], params) for _, stop in chunks)), None)


def _check(name, params, X, chunks=None, data=None, known=True):
    layout = None if data is None else "duplicates" if not data.has_canonical_format else "csr"
    skip, errors = exempt(name, params, X, layout, chunks) if known else (False, [])
    seen = X if chunks is None else X.astype(np.float64)  # partial_fit sketches in float64
    refusal = _refusal(TABLE[name], seen, params, chunks)
    try:
        got, est = _fit_transform(name, params, X, chunks, data)
    except (ValueError, TypeError, RuntimeWarning) as exc:
        if refusal and isinstance(exc, ValueError) and re.search(refusal, str(exc)):
            return
        if any(re.search(text, str(exc)) for text in errors):
            return  # a known bug (see _known_bugs)
        raise
    assert not refusal, f"{name}({params}) should refuse with {refusal!r}: {X!r}"
    extra = (est,) if TABLE[name].fitted else ()
    given = data if data is not None and TABLE[name].sparse_reference else X
    want, cond, gain = TABLE[name].reference(given, params, *extra)
    if hasattr(got, "toarray"):
        got = got.toarray()
    how = "fit" if chunks is None else f"partial_fit on rows {chunks}"
    assert_matches(got, want, cond, gain, X, f"{name}({params}) {how}", skip)


@pytest.mark.parametrize("layout", ["csr", "explicit-zeros", "duplicates"])
def test_quantile_sparse_zeros_as_scikit_learn_sparse(layout):
    # a fuzz finding: scikit-learn transforms stored values only, so an implicit zero
    # stays 0 with output_distribution="normal" (a dense or stored zero gives -5.199)
    X = np.array([[0.0, 3.0], [0.0, 0.0], [2.0, 1.0]])
    params = {"n_quantiles": 1000, "output_distribution": "normal"}
    _check("quantile", params, X[:1, :1], data=to_sparse(X[:1, :1], layout))
    _check("quantile", params, X, data=to_sparse(X, layout))


_CONSTANT32 = np.array([[10.0], [10.0]], dtype=np.float32)
_WIDE = np.array([[2.697e307], [9.608e307], [8.227e307], [-1.7097e308]])
_NEAR_MAX = np.array([[float.fromhex(h)] for h in (
    "0x1.7f7f4e477b80cp+1018", "0x1.c8a97ddd453d0p+1023", "0x1.68bc9bb6d26d8p+1023",
    "0x1.c6d2a72f2dc96p+1023", "0x1.7d83f77139e25p+1022", "0x1.36ea10a308de2p+1021",
    "0x1.4c36375029685p+1023", "0x1.70337d85877cdp+1021",
)])  # fmt: skip
_SUBNORMAL = np.array([[2.0], [1.0], [0.0], [-2.0], [-1.0], [-3.0]]) * 5e-324


@pytest.mark.parametrize(
    "X, distribution, how",
    [
        # float32 maps as float64 (docs/differences.rst): a constant column is -5.199, as
        # scikit-learn's float64 gives (its float32 BOUNDS_THRESHOLD test rounds away: 0)
        *[(_CONSTANT32, "normal", how) for how in ("fit", "partial_fit", "csr")],
        # float64 values whose range overflows: scikit-learn's interpolation gives
        # [0.667, 1, 1, NaN] where the ranks are [1/3, 1, 2/3, 0]
        *[(_WIDE, "uniform", how) for how in ("fit", "partial_fit")],
        # quantiles 5e-324 apart: np.interp's slope overflowed (we gave inf, it NaN)
        *[(_SUBNORMAL, "uniform", how) for how in ("fit", "partial_fit")],
        # "normal": ndtri's slope (56 at 2.49) magnifies the rounding of the rank
        (_NEAR_MAX, "normal/5", "csr"),
    ],
)
def test_quantile_fuzz_findings_match_reference(X, distribution, how):
    distribution, _, n_quantiles = distribution.partition("/")  # "normal/5": 5 quantiles
    params = {"n_quantiles": int(n_quantiles or 1000), "output_distribution": distribution}
    chunks = [(0, 1), (1, X.shape[0])] if how == "partial_fit" else None
    _check("quantile", params, X, chunks, data=to_sparse(X, how) if how == "csr" else None)


@pytest.mark.parametrize("params", [{}, {"with_centering": False}])
@pytest.mark.parametrize(
    "X, refused",
    [
        # a quartile range of 1.9e308 (scikit-learn's scale_ is inf: it maps every value
        # to 0) is refused naming the column, as a variance beyond float64 is
        (np.array([[4.2078e306], [1.6034e308], [-1.2666e308], [1.5969e308]]), True),
        # quartiles 9.5e307 apart, but numpy's a + (b - a) t overflows between the two
        # values (its quartiles are inf, -inf): the exact quartiles are the reference
        (np.array([[1.61567907e307], [-1.74237128e308]]), False),
        (np.array([[4.87505868e307], [-8.19428632e307]]), False),  # centre * scale overflows
    ],
)
def test_robust_quantile_range_beyond_float64_as_the_reference_says(params, X, refused):
    # make fuzz findings
    _check("robust", params, X)
    _check("robust", params, X, chunks=[(0, 1), (1, X.shape[0])])
    if refused:
        with pytest.raises(ValueError, match="quantile range of column 0 overflows float64"):
            make_scaler("robust", **params).fit(X)


@pytest.mark.parametrize("params", [{}, {"with_centering": False}])
def test_robust_partial_fit_refuses_a_chunk_whose_range_is_beyond_float64(params):
    # make fuzz: the first 4 rows' quartile range is beyond float64 (refused there), the
    # 6 rows' (1.78e308) is not: each partial_fit learns a scale_ that must fit float64
    X = np.array([[4.2078e306], [1.6034e308], [-1.2666e308], [1.5969e308]])
    X = np.vstack([X, [[-6.6977e307], [-2.7291e307]]])
    _check("robust", params, X)
    _check("robust", params, X, chunks=[(0, 4), (4, 6)])
    if params:  # sparse input needs with_centering=False
        _check("robust", params, X, chunks=[(0, 4), (4, 6)], data=to_sparse(X, "csr"))


@pytest.mark.parametrize(
    "params, layout", [({"with_mean": False}, None), ({"with_mean": False}, "csr"), ({}, None)]
)
def test_zscore_float32_subnormal_scale_as_the_formula(params, layout):
    # make fuzz: float32 values 1e-40 one subnormal apart have a standard deviation of
    # 0.82 subnormals: scikit-learn's float32 scale_ rounds it to 1 (outputs 18% off);
    # ours is float64, and the reference is the formula there
    X = np.array([[1.00002e-40], [1.00001e-40], [9.99995e-41]], dtype=np.float32)
    _check("zscore", params, X, data=None if layout is None else to_sparse(X, layout))


@pytest.mark.parametrize("bug", list(KNOWN) or [None])
def test_known_bug_is_still_there(bug):
    """Each known bug's example still fails: once fixed, remove its entry in _known_bugs.
    With none known, nothing is exempted."""
    if bug is None:
        X = np.array([[1e200], [2e200], [3e200]])
        mask, errors = exempt("power", {"standardize": True}, X, None, None)
        assert not mask.any() and not errors
        return
    name, params, X, layout, chunks = KNOWN[bug].example
    data = None if layout is None else to_sparse(X, layout)
    with pytest.raises((Exception, pytest.fail.Exception)):
        _check(name, params, X, chunks, data, known=False)


@given(case())
def test_estimator_matches_reference(drawn):
    _check(*drawn)


@given(case(), st.data())
def test_estimator_partial_fit_in_chunks_matches_reference(drawn, data):
    name, params, X = drawn
    chunks = data.draw(chunking(X.shape[0], min_size=1))
    _check(name, params, X, chunks)


@given(case(sparse=True), st.data())
def test_estimator_sparse_matches_reference(drawn, data):
    name, params, X = drawn
    X = np.abs(X) if TABLE[name].nonnegative_sparse else X
    M, X = data.draw(sparse_of(X))
    chunks = data.draw(st.none() | chunking(X.shape[0]))
    _check(name, params, X, chunks, data=M)
