"""``x @ weight`` in 8-bit integers, through onnxruntime's dynamic quantisation.

The weight is quantised once (per output column, int8), the input per call (uint8); the product
runs on the CPU's integer dot-product units (AVX-512 VNNI / AVX2), several times faster than the
float32 product for the encoder's shapes. onnxruntime takes one scale for the whole input matrix, which
would make a row's result depend on the other rows of the call (a sentence's vector on the
sentences batched with it). So each row is divided by its own largest magnitude first, and two
constant columns (+1 and −1, against zero weights) pin the matrix's range to [−1, 1]: every
row is quantised on its own scale whatever else is in the call, and the result is multiplied
back. Optional: :func:`available` says whether onnxruntime and onnx are installed.
"""
from __future__ import annotations

import logging
import os
import tempfile

import numpy as np


def available() -> bool:
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class Int8MatMul:
    def __init__(self, weight: np.ndarray, threads: int = 1):
        import onnxruntime as ort
        from onnx import TensorProto, helper, numpy_helper
        from onnxruntime.quantization import QuantType, quantize_dynamic

        k, n = weight.shape
        k += 2  # the two range-pinning columns, against zero weights
        weight = np.vstack([weight, np.zeros((2, n), dtype=weight.dtype)])
        graph = helper.make_graph(
            [helper.make_node("MatMul", ["x", "w"], ["y"])], "matmul",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["rows", k])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["rows", n])],
            [numpy_helper.from_array(np.ascontiguousarray(weight, dtype=np.float32), "w")])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 9
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "q.onnx")
            logging.getLogger().disabled, was = True, logging.getLogger().disabled  # its pre-processing hint
            try:
                quantize_dynamic(model, path, per_channel=True, weight_type=QuantType.QInt8)
            finally:
                logging.getLogger().disabled = was
            with open(path, "rb") as f:
                quantised = f.read()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(quantised, options, providers=["CPUExecutionProvider"])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        scale = np.abs(x).max(axis=1, keepdims=True)
        scale[scale == 0] = 1.0
        rows = np.empty((len(x), x.shape[1] + 2), dtype=np.float32)
        np.divide(x, scale, out=rows[:, :-2])
        rows[:, -2] = 1.0
        rows[:, -1] = -1.0
        out = self.session.run(None, {"x": rows})[0]
        out *= scale
        return out
