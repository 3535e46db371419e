"""Training data for the model: sources -> word labels -> token windows.

Sources (the data package): teacher-labelled generator outputs, teacher-labelled loghub
windows, Q&A pairs whose references are aligned into their texts, and real command
outputs. Every label is corrected (must-keep words forced to keep, weighted more) before
training. A source that is not available is skipped and reported, never faked.
Texts of the evaluation sets are never trained on.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tersify.mustkeep import MustKeep
from tersify.scorers.onnx.features import token_features
from tersify.scorers.onnx.tokenizer import PAD_ID, WordTokenizer
from tersify.scorers.onnx.windows import window_starts
from tersify.text.segment import segment
from tersify_train.eval.metrics import first_mentions
from tersify_train.labels.correct import correct_labels
from tersify_train.sources.records import PairRecord
from tersify_train.train.config import DataConfig


@dataclass(frozen=True)
class Labelled:
    """One text with a keep label and a loss weight per word."""

    text: str
    labels: np.ndarray  # int8 per word
    weights: np.ndarray  # float32 per word
    source: str


def _optional(module: str, attr: str) -> Callable | None:
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return None


def gather_records(cfg: DataConfig, report: Callable[[str], None] = print) -> list[PairRecord]:
    """The training records of every available source (deterministic for ``cfg.seed``)."""
    records: list[PairRecord] = []
    sources: list[tuple[str, Callable[[], list[PairRecord]]]] = []
    generate_all = _optional("tersify_train.sources.generators", "generate_all")
    if generate_all and cfg.generated_per_domain:
        sources.append(("generators", lambda: generate_all(cfg.generated_per_domain, seed=cfg.seed)))
    windows = _optional("tersify_train.sources.loghub", "windows")
    if windows and cfg.loghub_windows:
        sources.append(("loghub", lambda: windows(cfg.loghub_windows, seed=cfg.seed)))
    qa_pairs = _optional("tersify_train.sources.qa", "qa_pairs")
    if qa_pairs and cfg.qa_pairs:
        sources.append(("qa", lambda: qa_pairs(cfg.qa_pairs, seed=cfg.seed)))
    load_real = _optional("tersify_train.sources.real", "load_real_outputs")
    if load_real and cfg.real_outputs:
        sources.append(("real", lambda: list(load_real())))
    if cfg.proxy_logs:
        from tersify_train.sources.proxy_logs import proxy_pairs

        sources.append(("proxy", lambda: proxy_pairs(cfg.proxy_logs, seed=cfg.seed)))
    for name, load in sources:
        got = list(load())
        report(f"source {name}: {len(got)} records")
        records.extend(got)
    return records


def eval_records(names: Sequence[str], report: Callable[[str], None] = print) -> dict[str, list[PairRecord]]:
    load_evalset = _optional("tersify_train.sources.evalsets", "load_evalset")
    sets: dict[str, list[PairRecord]] = {}
    if load_evalset is None:
        report("eval sets not available: evaluating on held-out training texts only")
        return sets
    for name in names:
        sets[name] = list(load_evalset(name))
        report(f"eval set {name}: {len(sets[name])} records")
    return sets


def without_eval_texts(records: list[PairRecord], sets: dict[str, list[PairRecord]]) -> list[PairRecord]:
    """``records`` minus every text of every eval set (all of them, not only those evaluated here)."""
    drop = _optional("tersify_train.sources.evalsets", "drop_eval_texts")
    if drop is not None:
        records = drop(records)
    held_out = {r.text for rs in sets.values() for r in rs}
    return [r for r in records if r.text not in held_out]


def split_holdout(records: list[PairRecord], share: float, seed: int) -> tuple[list[PairRecord], list[PairRecord]]:
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    k = int(round(share * len(records)))
    held = sorted(order[:k])
    train = sorted(order[k:])
    return [records[i] for i in train], [records[i] for i in held]


def label_record(record: PairRecord, teacher, must_keep: MustKeep, weight: float,
                 force: bool = True, first_mention_weight: float = 1.0) -> Labelled:
    """Word labels: aligned from the record's reference if it has one, else the teacher's.
    ``force=False`` keeps the reference's labels for must-keep words (weights still apply).
    Kept first mentions of content words weigh ``first_mention_weight``: a model window
    rarely shows whether a word was seen before, and dropping a first mention loses it."""
    words = segment(record.text)
    mk = must_keep.word_mask(words)
    if record.reference is not None:
        from tersify_train.labels.align import align_labels

        labels = align_labels(record.text, record.reference).labels
    else:
        labels = (np.asarray(teacher.score(words)) > 0.5).astype(np.int8)
    corrected, weights = correct_labels(words, labels, must_keep=mk, weight=weight)
    labels = corrected if force else labels.astype(np.int8)
    if first_mention_weight != 1.0:
        boost = first_mentions(words, mk) & (labels == 1)
        weights[boost] = np.maximum(weights[boost], np.float32(first_mention_weight))
    return Labelled(record.text, labels, weights, record.source)


@dataclass(frozen=True)
class Windows:
    """Fixed-length training windows: ids, mask, token labels, token weights and repeat
    features ([N, L] each)."""

    ids: np.ndarray
    mask: np.ndarray
    labels: np.ndarray
    weights: np.ndarray
    features: np.ndarray

    def __len__(self) -> int:
        return int(self.ids.shape[0])


def to_windows(items: Sequence[Labelled], tokenizer: WordTokenizer, length: int, context: int) -> Windows:
    """Tokenize each text whole and cut it into the windows inference uses.

    Every token of a word carries the word's label and weight (the runtime averages token
    scores per word); whitespace-only tokens and padding weigh 0.
    """
    ids_l, mask_l, lab_l, w_l, f_l = [], [], [], [], []
    for item in items:
        words = segment(item.text)
        enc = tokenizer.encode(words)
        n = enc.ids.shape[0]
        if n == 0:
            continue
        has_word = enc.word_of_token >= 0
        wot = np.where(has_word, enc.word_of_token, 0)
        tok_labels = np.where(has_word, item.labels[wot], 0).astype(np.int64)
        tok_weights = np.where(has_word, item.weights[wot], 0.0).astype(np.float32)
        tok_features = token_features(words, enc.word_of_token)
        for s in window_starts(n, length, context).tolist():
            e = min(s + length, n)
            pad = length - (e - s)
            ids_l.append(np.pad(enc.ids[s:e], (0, pad), constant_values=PAD_ID))
            mask_l.append(np.pad(np.ones(e - s, dtype=np.int64), (0, pad)))
            lab_l.append(np.pad(tok_labels[s:e], (0, pad)))
            w_l.append(np.pad(tok_weights[s:e], (0, pad)))
            f_l.append(np.pad(tok_features[s:e], (0, pad)))
    return Windows(np.stack(ids_l), np.stack(mask_l), np.stack(lab_l), np.stack(w_l), np.stack(f_l))
