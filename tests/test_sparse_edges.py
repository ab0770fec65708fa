"""Sparse input at its edges: no stored entries, all-zero chunks, explicit stored zeros,
non-canonical matrices (duplicate entries, summed as scipy sums them), weighted constant
columns. References: scikit-learn's scalers and the same data made dense."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn import preprocessing

from sklearn_norm import LogScaler, ZScoreScaler
from sklearn_norm._registry import _REGISTRY


def _sparse_estimators():
    """Every registered scaler, and the parameter variants, that take sparse input."""
    candidates = [cls() for cls in _REGISTRY.values()]
    candidates += [ZScoreScaler(with_mean=False), LogScaler(signed=True)]
    return [est for est in candidates if est.__sklearn_tags__().input_tags.sparse]


SPARSE = _sparse_estimators()
IDS = [repr(est) for est in SPARSE]


def test_sparse_estimators_found():
    names = {type(est).__name__ for est in SPARSE}
    assert {"ZScoreScaler", "LogScaler", "DecimalScaler", "UnitNormScaler"} <= names


def _non_canonical():
    """A 4 x 3 CSR matrix holding duplicate entries (and an explicit zero), unsorted."""
    data = np.array([1.0, 2.0, 3.0, 0.5, 0.0, 4.0, -1.5, 2.5])
    indices = np.array([1, 1, 0, 2, 0, 0, 2, 2])
    X = sparse.csr_matrix((data, indices, np.array([0, 3, 5, 6, 8])), shape=(4, 3))
    X.has_canonical_format = False
    return X


def _snapshot(X):
    return X.data.copy(), X.indices.copy(), X.indptr.copy()


@pytest.mark.parametrize("est", SPARSE, ids=IDS)
@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csr_array, sparse.csc_matrix])
def test_non_canonical_sparse_is_summed_as_scipy_sums_it(est, container):
    X = _non_canonical()
    X = container(X) if container is not sparse.csr_matrix else X
    if container is not sparse.csr_matrix:  # the conversion kept the duplicates
        X.has_canonical_format = False
    dense = X.toarray()  # scipy sums duplicates
    assert dense[0, 1] == 3.0 and dense[0, 0] == 3.0
    before = _snapshot(X)
    expected = est.__class__(**est.get_params()).fit(dense).transform(dense)
    got = est.fit(X).transform(X)
    assert_allclose(got.toarray(), expected, rtol=1e-12)
    for a, b in zip(before, _snapshot(X)):
        assert_array_equal(a, b)  # the caller's matrix is left as it was


@pytest.mark.parametrize("est", SPARSE, ids=IDS)
def test_sparse_without_entries_and_all_zero_chunks(est):
    empty = sparse.csr_matrix((3, 2))
    assert_array_equal(est.fit(empty).transform(empty).toarray(), 0.0)
    X = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 2.0]]))
    streamed = est.__class__(**est.get_params()).partial_fit(X).partial_fit(empty)
    dense = np.vstack([X.toarray(), np.zeros((3, 2))])
    whole = est.__class__(**est.get_params()).fit(dense)
    assert_allclose(streamed.transform(X).toarray(), whole.transform(X.toarray()), rtol=1e-12)


@pytest.mark.parametrize("est", SPARSE, ids=IDS)
def test_explicit_stored_zeros_are_zeros(est):
    X = sparse.csr_matrix(
        (np.array([0.0, 2.0, 0.0, 5.0]), np.array([0, 1, 1, 0]), np.array([0, 2, 4])),
        shape=(2, 2),
    )
    dense = X.toarray()
    expected = est.__class__(**est.get_params()).fit(dense).transform(dense)
    assert_allclose(est.fit(X).transform(X).toarray(), expected, rtol=1e-12)


def test_zscore_sparse_without_entries_matches_scikit_learn():
    empty = sparse.csr_matrix((3, 2))
    ours = ZScoreScaler(with_mean=False).fit(empty)
    theirs = preprocessing.StandardScaler(with_mean=False).fit(empty)
    assert_array_equal(ours.var_, theirs.var_)
    assert_array_equal(ours.scale_, theirs.scale_)
    assert ours.n_samples_seen_ == theirs.n_samples_seen_ == 3


@pytest.mark.parametrize("value", [0.1, 1.0 / 3.0, 7.3, 1e6, -2.5e-8])
@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_matrix])
def test_zscore_sparse_constant_column_with_weights_has_scale_one(value, container):
    rng = np.random.default_rng(0)
    X = np.column_stack([np.full(7, value), rng.normal(size=7)])
    weights = rng.uniform(0.1, 3.0, size=7)
    ours = ZScoreScaler(with_mean=False).fit(container(X), sample_weight=weights)
    theirs = preprocessing.StandardScaler(with_mean=False).fit(container(X), sample_weight=weights)
    assert ours.scale_[0] == theirs.scale_[0] == 1.0
    assert_allclose(ours.scale_, theirs.scale_, rtol=1e-12)
    assert_allclose(ours.transform(container(X)).toarray(), X / ours.scale_, rtol=1e-15)
