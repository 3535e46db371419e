"""Training the learned compressor (imports torch): data -> labels -> tokenizer -> model -> ONNX.

``tersify train --config configs/default.json`` runs :func:`tersify_train.train.trainer.train`.
"""
