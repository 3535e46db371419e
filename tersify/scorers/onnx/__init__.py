"""Inference for the learned compressor with onnxruntime, tokenizers and numpy only (no torch)."""

from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR, ModelScorer
from tersify.scorers.onnx.windows import window_owner, window_plan, window_starts

__all__ = ["DEFAULT_MODEL_DIR", "ModelScorer", "window_owner", "window_plan", "window_starts"]
