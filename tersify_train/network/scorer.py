"""The torch twin of :class:`tersify.scorers.onnx.ModelScorer`, for evaluation during training
and for checking the ONNX export: same tokenizer, windows and word rule, torch forward."""

from __future__ import annotations

import numpy as np
import torch

from tersify.scorers.onnx.features import token_features
from tersify.scorers.onnx.tokenizer import WordTokenizer, word_scores
from tersify.scorers.onnx.windows import batched_windows, stitch
from tersify.text.segment import Words
from tersify_train.network.architecture import DualHeadTokenClassifier


class TorchScorer:
    name = "model-torch"

    def __init__(self, model: DualHeadTokenClassifier, tokenizer: WordTokenizer, length: int, context: int,
                 batch_windows: int = 64):
        self.model = model
        self.tokenizer = tokenizer
        self.length = length
        self.context = context
        self.batch_windows = batch_windows

    @torch.no_grad()
    def token_scores(self, ids: np.ndarray, features: np.ndarray | None = None) -> np.ndarray:
        n_tokens = ids.shape[0]
        if n_tokens == 0:
            return np.zeros(0, dtype=np.float32)
        was_training = self.model.training
        self.model.eval()
        starts, batches = batched_windows(ids, features, self.length, self.context, self.batch_windows,
                                          self.model.uses_features)
        outs = []
        for batch, feature_batch in batches:
            batch = torch.from_numpy(batch)
            f = torch.from_numpy(feature_batch) if feature_batch is not None else None
            outs.append(self.model(batch, torch.ones_like(batch), f)[2].float().numpy())
        self.model.train(was_training)
        return stitch(np.concatenate(outs), starts, n_tokens)

    def score(self, words: Words) -> np.ndarray:
        if len(words) == 0:
            return np.zeros(0, dtype=np.float32)
        enc = self.tokenizer.encode(words)
        features = None
        if self.model.uses_features:
            features = token_features(words, enc.word_of_token)
        return word_scores(self.token_scores(enc.ids, features), enc.word_of_token, len(words))
