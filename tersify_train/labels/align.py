"""Silver labels: align a reference into its text, word by word, in order.

The approach of LLMLingua-2's word-level alignment: walk the reference's words in order
and, for each, find the next unused occurrence in the text (case-insensitive, surrounding
punctuation ignored) within a window after the previous match; a found word is labelled
keep. Two refinements for extractive references, which keep the input's lines:

* a reference line that is an ordered subsequence of a later text line is aligned inside
  that line (so a repeated word such as ``0`` or ``terminating`` lands on the right line);
* otherwise its words are searched one by one, first in the window, then in the rest of
  the text (a long dropped stretch is not an alignment failure).

Two quality figures come with every alignment: *variation rate*, the share of reference
words that do not occur in the text at all (the reference paraphrased), and *alignment
gap*, the share that occur but could not be aligned in order (the reference reordered).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tersify.text.lexicon import normalise
from tersify.text.segment import Words, segment

DEFAULT_WINDOW = 150
# Thresholds above which a pair's labels are too noisy to train on (reported by the filters).
MAX_VARIATION_RATE = 0.25
MAX_ALIGNMENT_GAP = 0.10


@dataclass(frozen=True)
class AlignResult:
    words: Words
    labels: np.ndarray  # int8, 1 = keep, one per word of the text
    variation_rate: float
    alignment_gap: float

    def passes(self, *, max_variation: float = MAX_VARIATION_RATE, max_gap: float = MAX_ALIGNMENT_GAP) -> bool:
        return self.variation_rate <= max_variation and self.alignment_gap <= max_gap


def _key(word: str) -> str:
    k = normalise(word)
    return k if k else word


def _align_in_line(ref_keys: list[str], keys: list[str], lo: int, hi: int) -> list[int] | None:
    """Positions of ``ref_keys`` as an ordered subsequence of ``keys[lo:hi]``, or None."""
    out: list[int] = []
    j = lo
    for k in ref_keys:
        while j < hi and keys[j] != k:
            j += 1
        if j >= hi:
            return None
        out.append(j)
        j += 1
    return out


def align_labels(text: str, reference: str, *, window: int = DEFAULT_WINDOW) -> AlignResult:
    """Keep labels for the words of ``text`` from ``reference`` (see module docstring)."""
    words = segment(text)
    n = len(words)
    labels = np.zeros(n, dtype=np.int8)
    keys = [_key(w) for w in words.strings()]
    vocabulary = set(keys)
    line_first = np.searchsorted(words.lines, np.arange(words.n_lines + 1), side="left").tolist()

    ref_lines = [ln.split() for ln in reference.splitlines()]
    ref_total = sum(len(ln) for ln in ref_lines)
    absent = unaligned = 0
    pointer = 0  # next free word of the text
    for ref_words in ref_lines:
        if not ref_words:
            continue
        ref_keys = [_key(w) for w in ref_words]
        # 1. the whole line inside one text line, at or after the pointer
        placed = None
        line = int(words.lines[pointer]) if pointer < n else words.n_lines
        for k in range(line, words.n_lines):
            lo = max(line_first[k], pointer)
            placed = _align_in_line(ref_keys, keys, lo, line_first[k + 1])
            if placed is not None:
                break
        if placed is not None:
            labels[placed] = 1
            pointer = placed[-1] + 1
            continue
        # 2. word by word: the window first, then the rest of the text
        for key in ref_keys:
            if key not in vocabulary:
                absent += 1
                continue
            found = -1
            for j in range(pointer, min(n, pointer + window)):
                if keys[j] == key:
                    found = j
                    break
            if found < 0:
                for j in range(min(n, pointer + window), n):
                    if keys[j] == key:
                        found = j
                        break
            if found < 0:
                unaligned += 1
                continue
            labels[found] = 1
            pointer = found + 1
    variation = absent / ref_total if ref_total else 0.0
    gap = unaligned / ref_total if ref_total else 0.0
    return AlignResult(words, labels, variation, gap)


__all__ = ["AlignResult", "DEFAULT_WINDOW", "MAX_ALIGNMENT_GAP", "MAX_VARIATION_RATE", "align_labels"]
