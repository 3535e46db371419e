"""Training the learned compressor (imports torch): data -> labels -> tokenizer -> model -> ONNX.

``tersify train --config configs/default.json`` runs :func:`tersify.train.trainer.train`.
"""
