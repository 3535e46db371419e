"""Inference for the learned compressor with onnxruntime, tokenizers and numpy only (no torch)."""

from tersify.runtime.chunking import window_owner, window_plan, window_starts
from tersify.runtime.scorer import DEFAULT_MODEL_DIR, ModelScorer

__all__ = ["DEFAULT_MODEL_DIR", "ModelScorer", "window_owner", "window_plan", "window_starts"]
