"""The chunk engine's block helpers, checked against plain numpy."""

import numpy as np
import pytest

from sklearn_norm._chunks import FOLD_VALUES, finite_sum


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("n_values", [7, FOLD_VALUES * 3 + 5])
def test_finite_sum_finds_every_nan_and_infinity(dtype, layout, n_values):
    rng = np.random.default_rng(n_values)
    base = rng.uniform(-1, 1, (n_values, 4)).astype(dtype)
    block = {"C": base, "F": np.asfortranarray(base), "strided": base[:, ::2]}[layout]
    assert finite_sum(block)
    for bad in (np.nan, np.inf, -np.inf):
        for position in [(0, 0), (n_values // 2, 1), (n_values - 1, -1)]:
            spoiled = block.copy(order="K")
            spoiled[position] = bad
            assert not finite_sum(spoiled), (bad, position)
    both = block.copy(order="K")
    both[0, 0], both[-1, -1] = np.inf, -np.inf  # inf - inf: NaN, still found
    assert not finite_sum(both)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_finite_sum_overflow_only_asks_for_a_look(dtype):
    # finite values whose sum overflows read as "not finite": never a wrong True
    block = np.full((FOLD_VALUES, 2), np.finfo(dtype).max / 4, dtype=dtype)
    assert np.isfinite(block).all() and not finite_sum(block)
