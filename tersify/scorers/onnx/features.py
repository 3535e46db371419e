"""Whole-text facts about each word that a model window cannot see.

The model scores a text in windows of a few hundred tokens, but whether a word is worth
keeping often depends on the whole text before it: its first mention carries the
information and later mentions repeat it (``docs/LABELING.md``), and a line that repeats
an earlier line's template says again what its constant words said the first time.
These two facts are cheap to compute exactly over the whole text and are given to the
model as a small per-token input (an embedding added to the token embedding):

* ``SEEN``: the word (lower-cased, surrounding punctuation stripped) occurs on an
  earlier line;
* ``REPEATED_LINE``: the word's line has the same template (values masked, see
  :func:`tersify.text.lexicon.line_template`) as an earlier line.
"""

from __future__ import annotations

import numpy as np

from tersify.text.lexicon import normalise
from tersify.text.segment import Words
from tersify.text.templates import lines

SEEN = 1
REPEATED_LINE = 2
N_FEATURE_VALUES = 4  # feature codes are bit sets of the flags above: 0..3


def repeat_features(words: Words) -> np.ndarray:
    """Per word, the bit set of :data:`SEEN` and :data:`REPEATED_LINE` (int64)."""
    n = len(words)
    out = np.zeros(n, dtype=np.int64)
    if n == 0:
        return out
    mentioned: set[str] = set()
    templates: set[tuple[str, ...]] = set()
    for line in lines(words):
        keys = [normalise(w) for w in line.words]
        repeated = REPEATED_LINE if line.template in templates else 0
        out[line.first : line.last] = [(SEEN if key in mentioned else 0) | repeated for key in keys]
        mentioned.update(keys)
        templates.add(line.template)
    return out


def token_features(words: Words, word_of_token: np.ndarray) -> np.ndarray:
    """The model input: each token takes its word's :func:`repeat_features`;
    whitespace-only tokens (word -1) take none."""
    per_word = repeat_features(words)
    out = np.zeros(word_of_token.shape[0], dtype=np.int64)
    inside = word_of_token >= 0
    out[inside] = per_word[word_of_token[inside]]
    return out
