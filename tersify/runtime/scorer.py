"""The ``model`` scorer: the shipped ONNX model behind the :class:`~tersify.scoring.Scorer` protocol.

A model directory holds ``model.onnx`` (ids, mask -> per-token final scores),
``tokenizer.json`` and ``config.json`` (window length and context). The whole text is
tokenized once, cut into overlapping windows (:mod:`tersify.runtime.chunking`), scored in
batches and stitched back; word scores are the mean of their token scores
(:func:`tersify.tokenizer.word_scores`).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from tersify.errors import TersifyError
from tersify.features import token_features
from tersify.runtime.chunking import stitch, window_plan
from tersify.segment import Words
from tersify.tokenizer import WordTokenizer, word_scores

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "default"
BATCH_WINDOWS = 64  # windows per onnxruntime call: large enough to amortise the call, small in memory


class ModelScorer:
    """Scores words with an exported model; loads once, thread-compatible for reads."""

    name = "model"

    def __init__(self, model_dir: str | Path | None = None, threads: int | None = None):
        model_dir = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        self.model_dir = model_dir
        config_path = model_dir / "config.json"
        model_path = model_dir / "model.onnx"
        for path in (model_path, model_dir / "tokenizer.json", config_path):
            if not path.is_file():
                raise TersifyError(f"model file not found: {path}")
        try:
            config = json.loads(config_path.read_text())
            self.length = int(config["max_length"])
            self.context = int(config["context"])
        except (ValueError, KeyError, TypeError) as exc:
            raise TersifyError(f"cannot read model config {config_path}: {exc}") from exc
        self.tokenizer = WordTokenizer.load(model_dir / "tokenizer.json")
        self.session = _load_session(model_path, threads)
        # Lean graphs take ids only; Hugging Face exports also take a mask (always ones here).
        inputs = {i.name for i in self.session.get_inputs()}
        self._needs_mask = "attention_mask" in inputs
        self.uses_features = "features" in inputs  # whole-text repeat features (tersify.features)
        # Names the exact model in the proxy's pair log and cache key: a retrained model
        # gives new outputs, not the cached ones of its predecessor.
        self.version = hashlib.sha256(model_path.read_bytes()).hexdigest()[:12]

    def score(self, words: Words) -> np.ndarray:
        n = len(words)
        if n == 0:
            return np.zeros(0, dtype=np.float32)
        enc = self.tokenizer.encode(words)
        features = token_features(words, enc.word_of_token) if self.uses_features else None
        return word_scores(self.token_scores(enc.ids, features), enc.word_of_token, n)

    def token_scores(self, ids: np.ndarray, features: np.ndarray | None = None) -> np.ndarray:
        """Final scores for a token sequence of any length (``features``: per token, for
        models that take them; none given counts as zeros)."""
        n_tokens = ids.shape[0]
        if n_tokens == 0:
            return np.zeros(0, dtype=np.float32)
        starts, width = window_plan(n_tokens, self.length, self.context)
        index = starts[:, None] + np.arange(width, dtype=np.int64)[None, :]
        windows = ids[index]
        if self.uses_features:
            feature_windows = features[index] if features is not None else np.zeros_like(windows)
        out = np.empty(windows.shape, dtype=np.float32)
        mask = np.ones((min(BATCH_WINDOWS, windows.shape[0]), width), dtype=np.int64) if self._needs_mask else None
        for b in range(0, windows.shape[0], BATCH_WINDOWS):
            batch = windows[b : b + BATCH_WINDOWS]
            feeds = {"input_ids": batch}
            if mask is not None:
                feeds["attention_mask"] = mask[: batch.shape[0]]
            if self.uses_features:
                feeds["features"] = feature_windows[b : b + BATCH_WINDOWS]
            out[b : b + batch.shape[0]] = self.session.run(None, feeds)[0]
        return stitch(out, starts, n_tokens)


def _load_session(model_path: Path, threads: int | None):
    import onnxruntime as ort

    options = ort.SessionOptions()
    threads = threads if threads is not None else int(os.environ.get("TERSIFY_THREADS", "0") or 0)
    options.intra_op_num_threads = max(threads, 0)  # 0: onnxruntime's default (physical cores)
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for bad files
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise TersifyError(f"cannot load model {model_path}: {first}") from exc


__all__ = ["BATCH_WINDOWS", "DEFAULT_MODEL_DIR", "ModelScorer"]
