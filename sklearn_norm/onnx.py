"""ONNX export: skl2onnx converters for every sklearn_norm estimator.

Importing this module registers, with skl2onnx's own API
(:func:`skl2onnx.update_registered_converter`), a parser, a shape calculator and a
converter for every estimator of :func:`sklearn_norm.all_estimators` and every scaler
registered with :func:`sklearn_norm.register` (later ones too, as they are registered).
Then ``skl2onnx.to_onnx(pipeline, X[:1])`` converts a ``Pipeline`` or a
``ColumnTransformer`` mixing sklearn_norm scalers with scikit-learn estimators.

The graphs use standard ONNX operators only (opset 18 or later): the column-wise maps
are plain arithmetic on their learned (centre, factor, offset), the sample-wise ones
compute each row's statistics over its non-NaN values in float64, as ``transform``
does, so NaN stays NaN and the rest of the row is normalised as ``transform`` does it.
Where ``transform`` raises (an infinity, a value outside ``LogScaler``'s domain) the
graph cannot: it gives NaN or an infinity.

Requires the optional extra ``onnx`` (``pip install sklearn-norm[onnx]``: skl2onnx,
onnx, onnxruntime).

Examples
--------
>>> import numpy as np
>>> from skl2onnx import to_onnx
>>> import sklearn_norm.onnx  # registers the converters
>>> from sklearn_norm import ZScoreScaler
>>> X = np.array([[1.0, 2.0], [3.0, 6.0]], dtype=np.float32)
>>> model = to_onnx(ZScoreScaler().fit(X), X[:1])
>>> [node.op_type for node in model.graph.node]
['Sub', 'Div']
"""

from onnx import TensorProto
from skl2onnx import get_model_alias, update_registered_converter

from ._export import describe, n_kept
from ._onnx_graphs import Graph, build, compute_dtype
from ._registry import _REGISTRY, all_estimators, on_register

__all__ = ["register_onnx_converters"]

#: The lowest opset the graphs are written for (ReduceMax takes its axes as an input).
MIN_OPSET = 18


def _alias(cls):
    return f"SklearnNorm{cls.__name__}"


def _parse(scope, model, inputs, custom_parsers=None):
    """One operator with one output, a tensor of the input's floating type."""
    operator = scope.declare_local_operator(get_model_alias(type(model)), model)
    operator.inputs = inputs
    output = scope.declare_local_variable("variable", _output_type(inputs[0].type)())
    operator.outputs.append(output)
    return operator.outputs


def _output_type(input_type):
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    return FloatTensorType if isinstance(input_type, FloatTensorType) else DoubleTensorType


def _shape(operator):
    """``(n_samples, n_features + kept columns)``, float32 in, float32 out; else float64."""
    model = operator.raw_operator
    n_rows = operator.inputs[0].get_first_dimension()
    width = model.n_features_in_ + n_kept(describe(model))
    operator.outputs[0].type = _output_type(operator.inputs[0].type)([n_rows, width])


def _convert(scope, operator, container):
    model = operator.raw_operator
    if container.target_opset < MIN_OPSET:
        raise RuntimeError(
            f"sklearn_norm's ONNX graphs need opset {MIN_OPSET} or later, got target_opset="
            f"{container.target_opset}; call to_onnx(..., target_opset={MIN_OPSET}) or later."
        )
    g = Graph(scope, container)
    x = operator.inputs[0].full_name
    proto = operator.inputs[0].type.to_onnx_type().tensor_type.elem_type
    dtype = compute_dtype(proto)
    if proto not in (TensorProto.FLOAT, TensorProto.DOUBLE):  # integers: as transform
        x = g.cast(x, dtype)
    y = build(g, describe(model), x, dtype, model.n_features_in_)
    g.op("Identity", y, output=operator.outputs[0].full_name)


def _register(cls):
    update_registered_converter(cls, _alias(cls), _shape, _convert, parser=_parse, overwrite=True)


def register_onnx_converters():
    """Register the converters of every sklearn_norm estimator with skl2onnx.

    Called on import of :mod:`sklearn_norm.onnx`; scalers registered later with
    :func:`sklearn_norm.register` are added as they come. Calling it again is harmless.

    Returns
    -------
    classes : list of type
        The estimator classes registered.
    """
    classes = {cls.__name__: cls for cls in [*all_estimators(), *_REGISTRY.values()]}
    for cls in classes.values():
        _register(cls)
    return sorted(classes.values(), key=lambda cls: cls.__name__)


register_onnx_converters()
on_register(_register)
