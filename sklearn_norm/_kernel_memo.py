"""Kernels kept from one ``transform`` to the next while nothing they depend on changes.

Building a column-wise scaler's kernel (the centre split into two parts, factors chosen
per dtype, parameters tiled for folded rows) takes 10-40 µs of small numpy calls: most of
a transform of a few rows. A kernel depends only on the estimator's parameters and learned
attributes, so it is kept, outside the estimator (pickling, cloning and ``skops`` see
nothing of it), and used again while the *values* of both are the same: the key holds
them, arrays by their bytes, so a refit, a ``set_params`` or an array changed in place
builds a new kernel.
"""

import weakref

import numpy as np

from ._sklearn_compat import PLAIN_TYPES

#: estimator -> {(inverse, fold): (key, kernels)}; an entry goes with its estimator.
_KEPT = weakref.WeakKeyDictionary()


def kept_kernels(estimator, slot, build):
    """``build()`` for ``estimator``, or what it returned last for ``slot``, if the
    estimator's parameters and learned attributes have kept their values since."""
    key = state_key(estimator)
    if key is None:  # wide data: building is cheap next to the work, and no copy is kept
        return build()
    try:
        kept = _KEPT.get(estimator)
    except TypeError:  # a subclass made unhashable: nothing kept
        return build()
    if kept is not None and slot in kept and _same(kept[slot][0], key):
        return kept[slot][1]
    kernels = build()
    _KEPT.setdefault(estimator, {})[slot] = (key, kernels)
    return kernels


def state_key(estimator):
    """The values of ``estimator``'s parameters and learned attributes (``name_``, private
    ones too), as a flat list comparable with ``==``: arrays become their dtype, shape and
    bytes. None where an array holds more than :data:`KEY_BYTES` (nothing is kept then)."""
    key = []
    learned = [(n, v) for n, v in vars(estimator).items() if n[-1] == "_" and n[:2] != "__"]
    for name, value in (*estimator.get_params(deep=False).items(), *learned):
        key.append(name)
        if type(value) in PLAIN_TYPES:  # most parameters: no call
            key.append(value)
        elif isinstance(value, np.ndarray) and value.nbytes > KEY_BYTES:
            return None
        else:
            key.extend(_plain(value))
    return key


#: Learned arrays up to this size (4,096 float64 features) have their kernels kept.
KEY_BYTES = 1 << 15


def _plain(value):
    """``value`` as a few items comparable with ``==`` (one, unless an array)."""
    if type(value) in PLAIN_TYPES:
        return (value,)
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (list, tuple)):
        return (type(value), len(value), *(part for v in value for part in _plain(v)))
    return (value,)


def _same(a, b):
    """``a == b`` for two keys; anything that cannot say so counts as different."""
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # e.g. an object whose == returns an array
        return False
