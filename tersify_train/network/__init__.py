"""The learned compressor's network, for training and export (imports torch).

Inference does not use this package: :mod:`tersify.scorers.onnx` runs the exported ONNX
model with onnxruntime, tokenizers and numpy only.
"""

from tersify_train.network.architecture import DualHeadTokenClassifier, ModelConfig, build_model

__all__ = ["DualHeadTokenClassifier", "ModelConfig", "build_model"]
