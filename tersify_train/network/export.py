"""ONNX export of the scorer graph, and int8 quantisation gated on agreement with fp32."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch

from tersify_train.network.architecture import DualHeadTokenClassifier, ScoresOnly
from tersify_train.network.lean import LeanScorer, lean_supported

OPSET = 17
OUTPUT_NAMES = ["scores"]


def export_onnx(model: DualHeadTokenClassifier, path: str | Path, seq_len: int = 256) -> Path:
    """Write the scorer graph to ``path`` with dynamic batch and length (at most ``seq_len``).

    A ModernBERT encoder with full attention exports as :class:`~tersify_train.network.lean.LeanScorer`
    (``input_ids -> scores``, about half the nodes); any other encoder exports its Hugging
    Face forward (``input_ids, attention_mask -> scores``). A model with repeat features
    takes them as one more input, ``features``. The runtime feeds what the graph asks for.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lean = lean_supported(model)
    graph = (LeanScorer(model, seq_len) if lean else ScoresOnly(model)).eval()
    names = ["input_ids"] if lean else ["input_ids", "attention_mask"]
    ids = torch.ones(2, seq_len, dtype=torch.long)
    inputs: tuple[torch.Tensor, ...] = (ids,) if lean else (ids, torch.ones_like(ids))
    if model.uses_features:
        names.append("features")
        inputs = (*inputs, torch.zeros_like(ids))
    axes = {name: {0: "batch", 1: "seq"} for name in [*names, *OUTPUT_NAMES]}
    with torch.no_grad():
        torch.onnx.export(graph, inputs, str(path), input_names=names, output_names=OUTPUT_NAMES,
                          dynamic_axes=axes, opset_version=OPSET, dynamo=False)
    return path


def quantize_if_faithful(
    fp32_path: str | Path, out_path: str | Path, decide, min_agreement: float = 0.99, use: bool = True
) -> tuple[bool, float]:
    """Quantise weights to int8 (dynamic), measure its agreement, keep it only if it agrees.

    ``decide(model_path) -> bool array`` gives the keep decisions of every word of a
    held-out set for a model file; the int8 model is written to ``out_path`` only when
    ``use`` is true and its decisions equal the fp32 ones on at least ``min_agreement`` of
    the words. Otherwise ``out_path`` gets the fp32 model (the agreement is still
    measured and returned). Returns (quantised?, agreement).
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32_path, out_path = Path(fp32_path), Path(out_path)
    with tempfile.TemporaryDirectory() as tmp:
        q_path = Path(tmp) / "model.int8.onnx"
        quantize_dynamic(str(fp32_path), str(q_path), weight_type=QuantType.QInt8)
        agreement = float(np.mean(decide(fp32_path) == decide(q_path)))
        use_int8 = use and agreement >= min_agreement
        shutil.copyfile(q_path if use_int8 else fp32_path, out_path)
    return use_int8, agreement
