"""ONNX export of the scorer graph, and int8 quantisation gated on agreement with fp32."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch

from tersify.model.architecture import DualHeadTokenClassifier, ScoresOnly

OPSET = 17
INPUT_NAMES = ["input_ids", "attention_mask"]
OUTPUT_NAMES = ["scores"]


def export_onnx(model: DualHeadTokenClassifier, path: str | Path, seq_len: int = 256) -> Path:
    """Write ``(input_ids, attention_mask) -> scores`` to ``path`` with dynamic batch and length."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    graph = ScoresOnly(model).eval()
    ids = torch.ones(2, seq_len, dtype=torch.long)
    mask = torch.ones(2, seq_len, dtype=torch.long)
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "scores": {0: "batch", 1: "seq"}}
    with torch.no_grad():
        torch.onnx.export(graph, (ids, mask), str(path), input_names=INPUT_NAMES, output_names=OUTPUT_NAMES,
                          dynamic_axes=axes, opset_version=OPSET, dynamo=False)
    return path


def quantize_if_faithful(
    fp32_path: str | Path, out_path: str | Path, decide, min_agreement: float = 0.99
) -> tuple[bool, float]:
    """Quantise weights to int8 (dynamic) and keep the result only if it agrees.

    ``decide(model_path) -> bool array`` gives the keep decisions of every word of a
    held-out set for a model file; the int8 model is written to ``out_path`` only when
    its decisions equal the fp32 ones on at least ``min_agreement`` of the words.
    Otherwise ``out_path`` gets the fp32 model. Returns (quantised?, agreement).
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32_path, out_path = Path(fp32_path), Path(out_path)
    with tempfile.TemporaryDirectory() as tmp:
        q_path = Path(tmp) / "model.int8.onnx"
        quantize_dynamic(str(fp32_path), str(q_path), weight_type=QuantType.QInt8)
        agreement = float(np.mean(decide(fp32_path) == decide(q_path)))
        use_int8 = agreement >= min_agreement
        shutil.copyfile(q_path if use_int8 else fp32_path, out_path)
    return use_int8, agreement
