"""The teacher (second version): the reference labeller, written to the region-aware guide
(``docs/LABELING.md``, "In prose").

The pipeline decides *where* words may go (``tersify.dropping``: the sentences of prose
regions, the articles of error and located lines, by :func:`tersify.text.sentences.prose_line_drop`;
the first teacher cut words out of build steps and test names, ``RUN go build`` lost
``build``); the teacher decides *which* words, with the same line test:

* a line of decoration goes (protected words stay);
* an error-message or located line loses at most its articles;
* a sentence (warnings, notes, hints, explanations) loses articles, auxiliaries,
  pronouns and fluency words, ``It is`` / ``There are``, the genitive ``of``, boilerplate
  (``Please``, ``Note that``, ``For more information, see``: the URL or command after it
  stays) and later mentions of a content word already said; prepositions, modals,
  quantifiers and question words stay (``can result in``, ``all tests``, ``when``), and so
  do first mentions, words next to a number, keys and outcome words;
* any other line keeps every word.

Must-keep words and protected words are kept whatever a rule said. The first teacher
(:class:`tersify.scorers.rules.TeacherScorer`, registered as ``teacher-v1``) stays for
comparison in the ladder.
"""

from __future__ import annotations

import re

import numpy as np

from tersify.regions.kinds import Drop
from tersify.scorers.rules import (
    _HINT,
    S_DECORATION,
    S_FUNCTION,
    S_HINT,
    S_MUST_KEEP,
    S_REPEATED,
    S_STRUCTURE,
    LineTeacher,
    _is_decoration_word,
    _is_key,
    _is_outcome,
    _is_unit,
    _near_number,
    mark_chars,
)
from tersify.text.lexicon import is_function_word, is_protected, normalise
from tersify.text.sentences import is_decoration_line, is_identifier, prose_line_drop
from tersify.text.templates import Line as TextLine

ARTICLES = frozenset({"a", "an", "the"})
# Words a sentence loses first (the guide's "In prose, drop first", rule 1): articles,
# auxiliaries, pronouns, determiners and fluency words. Prepositions, modals, quantifiers
# and question words are not here: "can result in", "all tests", "when" carry meaning.
PROSE_DROPPABLE = frozenset(
    """
    a an the
    is are was were be been being am has have had having do does did
    it its it's they them their this these those there that which who whom whose
    you your we our us i me my he she his her him
    very just really simply quite rather actually basically currently also
    of
    """.split()
)
# A sentence opener that carries no fact ("It is recommended", "There are 3 ...").
_EMPTY_OPENER = re.compile(r"(?i)\b(?:it|there|this)\s+(?:is|are|was|were|has been|have been)\b")
# Particles of phrasal verbs: a later "out" in "timed out" is not a repeated content word.
PARTICLES = frozenset("out up down off in on over back away through about".split())
MIN_REPEAT_SENTENCE_WORDS = 6  # later mentions go only from sentences this long (per sentence)


class TeacherScorer(LineTeacher):
    """The second teacher as a scorer (see module docstring); graded scores, above 0.5 keep."""

    name = "teacher"

    def begin(self) -> set[str]:
        return set()  # content words already said in a sentence

    def score_line(self, line: str, text_line: TextLine, state: object) -> np.ndarray:
        return self._score_line(line, text_line.words, state)  # type: ignore[arg-type]

    def _score_line(self, line: str, ws: list[str], said: set[str]) -> np.ndarray:
        out = np.full(len(ws), S_STRUCTURE, dtype=np.float32)
        protected = np.array([is_protected(w) for w in ws], dtype=bool)
        drop = prose_line_drop(line, ws)
        if drop is Drop.WORDS and is_decoration_line(ws):
            out[:] = S_DECORATION
        elif drop is Drop.ARTICLES:
            for i, w in enumerate(ws):
                if normalise(w) in ARTICLES:
                    out[i] = S_FUNCTION
        elif drop is Drop.WORDS:
            out = self._score_sentence(line, ws, said)
            said.update(normalise(w) for w in ws)
        out[protected] = S_MUST_KEEP
        return out

    @staticmethod
    def _score_sentence(line: str, ws: list[str], said: set[str]) -> np.ndarray:
        out = np.full(len(ws), S_STRUCTURE, dtype=np.float32)
        long_sentence = _in_long_sentence(ws)
        for i, w in enumerate(ws):
            key = normalise(w)
            if _is_decoration_word(w):
                out[i] = S_DECORATION
            elif key in PROSE_DROPPABLE:
                out[i] = S_FUNCTION
            elif (long_sentence[i] and key in said and key not in PARTICLES and not is_function_word(w)
                  and not _is_outcome(w) and not is_identifier(w) and not _after_negation(ws, i)
                  and not _after_preposition(ws, i)
                  and not _is_key(ws, i) and not (i > 0 and _is_key(ws, i - 1))
                  and not _near_number(ws, i) and not _is_unit(ws, i)):
                out[i] = S_REPEATED  # a later mention: its first one carried the information
        offset = len(line) - len(line.lstrip())
        for phrase in (*_HINT.finditer(line), *_EMPTY_OPENER.finditer(line)):
            mark_chars(out, line, ws, phrase.start(), phrase.end(), S_HINT, offset)
        return out


def _in_long_sentence(ws: list[str]) -> list[bool]:
    """Per word, whether its sentence (words up to one ending in ``.``, ``;``, ``?``, ``!``)
    has at least :data:`MIN_REPEAT_SENTENCE_WORDS` words: a short one is read on its own."""
    out: list[bool] = []
    start = 0
    for i, w in enumerate(ws):
        if w[-1] in ".;?!" or i == len(ws) - 1:
            out.extend([i + 1 - start >= MIN_REPEAT_SENTENCE_WORDS] * (i + 1 - start))
            start = i + 1
    return out


def _after_preposition(ws: list[str], i: int) -> bool:
    """The word a kept preposition or quantifier governs (``with a backoff``, ``for every
    request``): dropping it would leave ``with for every``, a sentence that no longer reads."""
    j = i - 1
    while j >= 0 and normalise(ws[j]) in PROSE_DROPPABLE:
        j -= 1
    return j >= 0 and is_function_word(ws[j]) and not ws[j].endswith((".", ";", "?", "!", ","))


def _after_negation(ws: list[str], i: int) -> bool:
    """A word within two words after a negation or outcome (``no longer supported``)."""
    return any(is_protected(ws[j]) for j in range(max(0, i - 2), i))


__all__ = ["PROSE_DROPPABLE", "TeacherScorer"]
