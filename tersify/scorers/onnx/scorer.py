"""The ``model`` scorer: the shipped ONNX model behind the :class:`~tersify.scorers.Scorer` protocol.

A model directory holds ``model.onnx`` (ids, mask -> per-token final scores),
``tokenizer.json`` and ``config.json`` (window length and context). The whole text is
tokenized once, cut into overlapping windows (:mod:`tersify.scorers.onnx.windows`), scored in
batches and stitched back; word scores are the mean of their token scores
(:func:`tersify.scorers.onnx.tokenizer.word_scores`).

:meth:`ModelScorer.start` runs the model on one of onnxruntime's own threads and returns
at once, so ``compress()`` finds must-keep spans (pure Python, holding the GIL) while the
model computes (native code, not holding it): on two cores the two overlap.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tersify.errors import TersifyError
from tersify.scorers.onnx.features import token_features
from tersify.scorers.onnx.tokenizer import WordTokenizer, word_scores
from tersify.scorers.onnx.windows import batched_windows, stitch
from tersify.text.segment import Words

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "assets" / "default"
BATCH_WINDOWS = 64  # windows per onnxruntime call: large enough to amortise the call, small in memory
# start() runs the model in the background when at least 1 in this many words is new to the
# tokenizer; with fewer, a run in place on all threads costs less than the hand-over.
NEW_WORDS_FOR_BACKGROUND = 10


class ModelScorer:
    """Scores words with an exported model; loads once, thread-compatible for reads."""

    name = "model"

    def __init__(self, model_dir: str | Path | None = None, threads: int | None = None, background: bool = True):
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
        # start() may run the model in the background (see start()); cleared when
        # onnxruntime cannot (no intra-op worker thread).
        self._background = background
        # Held while a background run is in flight. One at a time: concurrent calls (the
        # proxy's) would queue on the pool's one worker; they score in place instead.
        self._background_slot = threading.Lock()
        # Lean graphs take ids only; Hugging Face exports also take a mask (always ones here).
        inputs = {i.name for i in self.session.get_inputs()}
        self._needs_mask = "attention_mask" in inputs
        self.uses_features = "features" in inputs  # whole-text repeat features (tersify.scorers.onnx.features)
        # Names the exact model in the proxy's pair log and cache key: a retrained model
        # gives new outputs, not the cached ones of its predecessor.
        self.version = hashlib.sha256(model_path.read_bytes()).hexdigest()[:12]

    def score(self, words: Words) -> np.ndarray:
        return self._start(words, background=False)()

    def start(self, words: Words) -> Callable[[], np.ndarray]:
        """Begin scoring ``words`` and return a function that waits for the scores.

        The text is tokenized here; the model then runs in the background when the text
        fits one batch of windows and no other background run is in flight (otherwise
        it is scored before this returns)."""
        return self._start(words, background=self._background)

    def _start(self, words: Words, background: bool) -> Callable[[], np.ndarray]:
        n = len(words)
        if n == 0:
            return lambda: np.zeros(0, dtype=np.float32)
        enc = self.tokenizer.encode(words)
        features = token_features(words, enc.word_of_token) if self.uses_features else None
        # A text whose pre-tokens were nearly all seen before leaves the caller little
        # uncached work to overlap (its words' must-keep spans are remembered too): the
        # model then runs in place on all of onnxruntime's threads.
        background = background and enc.new_pieces * NEW_WORDS_FOR_BACKGROUND >= n
        token_scores = self._start_token_scores(enc.ids, features, background)
        return lambda: word_scores(token_scores(), enc.word_of_token, n)

    def token_scores(self, ids: np.ndarray, features: np.ndarray | None = None) -> np.ndarray:
        """Final scores for a token sequence of any length (``features``: per token, for
        models that take them; none given counts as zeros)."""
        return self._start_token_scores(ids, features, background=False)()

    def _start_token_scores(self, ids: np.ndarray, features: np.ndarray | None,
                            background: bool) -> Callable[[], np.ndarray]:
        n_tokens = ids.shape[0]
        if n_tokens == 0:
            return lambda: np.zeros(0, dtype=np.float32)
        starts, windows = batched_windows(ids, features, self.length, self.context, BATCH_WINDOWS, self.uses_features)
        batches = []
        for batch, feature_batch in windows:
            feeds = {"input_ids": batch}
            if self._needs_mask:
                feeds["attention_mask"] = np.ones(batch.shape, dtype=np.int64)
            if feature_batch is not None:
                feeds["features"] = feature_batch
            batches.append(feeds)
        if background and len(batches) == 1 and self._background_slot.acquire(blocking=False):
            try:
                window_scores = _run_in_background(self.session, batches[0], self._background_slot.release)
                return lambda: stitch(window_scores(), starts, n_tokens)
            except Exception:  # onnxruntime refuses (a pool of one thread): run it here from now on
                self._background = False
                self._background_slot.release()
        out = np.concatenate([self.session.run(None, feeds)[0] for feeds in batches])
        scores = stitch(out, starts, n_tokens)
        return lambda: scores


def _run_in_background(session, feeds: dict[str, np.ndarray], on_end: Callable[[], None]) -> Callable[[], np.ndarray]:
    """Start ``session`` on ``feeds`` on an onnxruntime thread (``on_end`` is called when
    the run ends); the returned function waits for the first output (and raises
    :class:`TersifyError` if the run failed)."""
    done = threading.Event()
    outcome: list = []

    def finished(outputs: list, _feeds: dict, error: str) -> None:
        outcome.append((outputs, error))
        on_end()
        done.set()

    # The feeds ride along as user data: onnxruntime holds them until the run ends.
    session.run_async(None, feeds, finished, feeds)

    def wait() -> np.ndarray:
        done.wait()
        outputs, error = outcome[0]
        if error:
            raise TersifyError(f"model inference failed: {error}")
        return outputs[0]

    return wait


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
