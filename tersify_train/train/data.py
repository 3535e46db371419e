"""Training data for the model: sources -> word labels -> token windows.

The records come from the one recipe (:mod:`tersify_train.train.recipe`): texts of the
evaluation sets are never trained on. Labels are aligned from a record's reference (Q&A
pairs) or the teacher's, and corrected (must-keep words forced to keep, weighted more)
before training. The model learns on what it scores at inference: the prose lines of a
text (JSON, diffs, code, logs and tables are never word-dropped, so never scored).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tersify.dropping import drop_noise, plan_drops, scorer_view
from tersify.mustkeep import MustKeep
from tersify.regions import detect_regions
from tersify.scorers.onnx.features import token_features
from tersify.scorers.onnx.tokenizer import PAD_ID, WordTokenizer
from tersify.scorers.onnx.windows import window_starts
from tersify.text.segment import segment
from tersify_train.eval.metrics import first_mentions
from tersify_train.labels.correct import correct_labels
from tersify_train.sources.evalsets import load_evalset
from tersify_train.sources.records import PairRecord


@dataclass(frozen=True)
class Labelled:
    """One text with a keep label and a loss weight per word."""

    text: str
    labels: np.ndarray  # int8 per word
    weights: np.ndarray  # float32 per word
    source: str


def eval_records(names: Sequence[str], report: Callable[[str], None] = print) -> dict[str, list[PairRecord]]:
    """The eval sets ``names``, each reported."""
    sets: dict[str, list[PairRecord]] = {}
    for name in names:
        sets[name] = list(load_evalset(name))
        report(f"eval set {name}: {len(sets[name])} records")
    return sets


def split_holdout(records: list[PairRecord], share: float, seed: int) -> tuple[list[PairRecord], list[PairRecord]]:
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    k = int(round(share * len(records)))
    held = sorted(order[:k])
    train = sorted(order[k:])
    return [records[i] for i in train], [records[i] for i in held]


def label_record(record: PairRecord, teacher, must_keep: MustKeep, weight: float,
                 force: bool = True, first_mention_weight: float = 1.0) -> Labelled:
    """Word labels of the text the scorer sees at inference: the record's prose lines as
    one text (:func:`tersify.dropping.scorer_view`). Labels are aligned from the record's
    reference if it has one, else the teacher's on that view; words the pipeline keeps
    whatever the scorer says (quoted, bracketed, connectives) are labelled keep.
    ``force=False`` keeps the reference's labels for must-keep words (weights still apply).
    Kept first mentions of content words weigh ``first_mention_weight``: a model window
    rarely shows whether a word was seen before, and dropping a first mention loses it."""
    text = record.text
    if record.reference is None:  # as compress() does: named noise goes first (a reference aligns to the text)
        text, _, regions = drop_noise(text, detect_regions(text.split("\n")))
    else:
        regions = detect_regions(text.split("\n"))
    words = segment(text)
    plan = plan_drops(words, [region.kind for region in regions for _ in range(len(region))])
    in_view, view = scorer_view(words, plan)
    if record.reference is not None:
        from tersify_train.labels.align import align_labels

        labels = align_labels(record.text, record.reference).labels[in_view].astype(np.int8)
    else:
        labels = (np.asarray(teacher.score(view)) > 0.5).astype(np.int8)
    labels[~plan.scored[in_view]] = 1
    mk = must_keep.word_mask(view)
    corrected, weights = correct_labels(view, labels, must_keep=mk, weight=weight)
    labels = corrected if force else labels
    if first_mention_weight != 1.0:
        boost = first_mentions(view, mk) & (labels == 1)
        weights[boost] = np.maximum(weights[boost], np.float32(first_mention_weight))
    return Labelled(view.text, labels, weights, record.source)


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
