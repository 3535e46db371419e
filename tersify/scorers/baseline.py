"""A non-ML scorer: function words and decoration low, content words and operators
high, and the constant words of a repeated line template low after its first occurrence."""

from __future__ import annotations

import numpy as np

from tersify.text.lexicon import FUNCTION_WORDS, VALUE, is_decoration, normalise
from tersify.text.segment import Words
from tersify.text.templates import lines

SCORE_CONTENT_FIRST = 0.9
SCORE_CONTENT_REPEAT = 0.7
SCORE_TEMPLATE_CONSTANT = 0.3
SCORE_OPERATOR = 0.6
SCORE_FUNCTION_WORD = 0.2
SCORE_DECORATION = 0.0


class BaselineScorer:
    """Rules only; useful before (and as a fallback to) the learned model."""

    name = "baseline"

    def score(self, words: Words) -> np.ndarray:
        n = len(words)
        scores = np.empty(n, dtype=np.float32)
        if n == 0:
            return scores
        seen_templates: set[tuple[str, ...]] = set()
        seen_words: set[str] = set()
        for line in lines(words):
            i, line_words, template = line.first, line.words, line.template
            repeated = len(line_words) > 1 and template in seen_templates
            seen_templates.add(template)
            for k, word in enumerate(line_words):
                key = normalise(word)
                if is_decoration(word):
                    s = SCORE_DECORATION
                elif repeated and template[k] != VALUE:
                    s = SCORE_TEMPLATE_CONSTANT
                elif not key:  # punctuation only: operators in code (=, ==, ->, >) carry meaning
                    s = SCORE_OPERATOR
                elif key in FUNCTION_WORDS:
                    s = SCORE_FUNCTION_WORD
                elif key in seen_words:
                    s = SCORE_CONTENT_REPEAT
                else:
                    s = SCORE_CONTENT_FIRST
                seen_words.add(key)
                scores[i + k] = s
        return scores
