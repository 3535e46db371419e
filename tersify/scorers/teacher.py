"""The teacher (second version): the reference labeller, written to the region-aware guide
(``docs/LABELING.md``, "In prose").

The pipeline already decides *where* words may go (``tersify.dropping``: prose lines, the
articles of error lines); the teacher decides *which* words, line by line:

* a line of decoration goes (protected words stay);
* a line that is not a sentence keeps every word: code (diff hunks, traceback source,
  ``grep`` hits in code), rows of tables, commands, frames, test ids, status lines
  (``Ran all test suites.``, ``During handling of the above exception, ...``) and any
  line made mostly of names and values; the first teacher cut words out of these
  (``RUN go build`` lost ``build``, ``gcc -Wextra ...`` lost ``gcc``);
* an error-message line loses at most its articles;
* a sentence (warnings, notes, hints, explanations) loses articles, auxiliaries,
  pronouns and fluency words, ``It is`` / ``There are``, the genitive ``of``, boilerplate
  (``Please``, ``Note that``, ``For more information, see``: the URL or command after it
  stays) and later mentions of a content word already said; prepositions, modals,
  quantifiers and question words stay (``can result in``, ``all tests``, ``when``), and so
  do first mentions, words next to a number, keys and outcome words.

Must-keep words and protected words are kept whatever a rule said. The first teacher
(:class:`tersify.scorers.rules.TeacherScorer`, registered as ``teacher-v1``) stays for
comparison in the ladder.
"""

from __future__ import annotations

import re

import numpy as np

from tersify.mustkeep import MustKeep
from tersify.scorers.rules import (
    _ERROR_LINE,
    _HINT,
    S_DECORATION,
    S_FUNCTION,
    S_HINT,
    S_MUST_KEEP,
    S_REPEATED,
    S_STRUCTURE,
    _is_code_line,
    _is_decoration_line,
    _is_decoration_word,
    _is_key,
    _is_outcome,
    _is_table_row,
    _is_unit,
    _near_number,
    mark_chars,
)
from tersify.text.lexicon import LOGIC_WORDS, is_protected, normalise
from tersify.text.segment import Words
from tersify.text.templates import lines

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
# Words of a line that make it a name-and-value line rather than a sentence.
_NAMEY = re.compile(r"[0-9/\\_@$<>{}\[\]=|]|::|\.\w|\w\(|^[A-Z]{2,}\W*$|^[a-z]+[A-Z]")
_ALPHA_WORD = re.compile(r"^[A-Za-z][a-z'’-]*[,.;:!?]?$")
_COMMAND = re.compile(r"^\s*(?:\$|>|\+|#\d*|%|PS>|>>>)\s")
# A line led by a path, a location or a time stamp is a diagnostic, a log line or a grep hit,
# not a sentence: it loses at most its articles.
_LOCATED = re.compile(r"^\s*(?:\S*[/\\]\S*|\S+:\d+\S*|\d[\d:.TZ+-]{5,}\S*)\s")
# An error with a code (``error TS2307:``, ``error[E0308]:``) is an error line too.
_CODED_ERROR = re.compile(r"(?i)\berror\s*(?:\[\w+\]|[A-Z]+\d+)\s*:")
# Particles of phrasal verbs: a later "out" in "timed out" is not a repeated content word.
PARTICLES = frozenset("out up down off in on over back away through about".split())
# Section lines of chained tracebacks: they say how two exceptions relate, word for word.
_SECTION = re.compile(r"During handling of the above exception|The above exception was the direct cause")
MIN_SENTENCE_WORDS = 4
MIN_REPEAT_SENTENCE_WORDS = 6  # later mentions go only from sentences this long
SENTENCE_WORD_SHARE = 0.6  # share of plain lower-case words for a line to read as a sentence


def is_sentence(line: str, ws: list[str]) -> bool:
    """Whether a prose line reads as a sentence (words may go) rather than a status line,
    a command or a line of names and values (kept whole)."""
    if len(ws) < MIN_SENTENCE_WORDS or _COMMAND.match(line):
        return False
    plain = sum(1 for w in ws if _ALPHA_WORD.match(w) and not _NAMEY.search(w))
    if plain / len(ws) < SENTENCE_WORD_SHARE:
        return False
    function = sum(1 for w in ws if normalise(w) in PROSE_DROPPABLE or normalise(w) in LOGIC_WORDS)
    return function >= 1


def _is_identifier(word: str) -> bool:
    return bool(_NAMEY.search(word))


class TeacherScorer:
    """The second teacher as a scorer (see module docstring); graded scores, above 0.5 keep."""

    name = "teacher"

    def __init__(self, must_keep: MustKeep | None = None) -> None:
        self.must_keep = must_keep if must_keep is not None else MustKeep()

    def score(self, words: Words) -> np.ndarray:
        n = len(words)
        scores = np.zeros(n, dtype=np.float32)
        if n == 0:
            return scores
        mk = self.must_keep.word_mask(words)
        text = words.text
        line_starts = words.line_starts.tolist()
        said: set[str] = set()  # content words already said in a sentence
        for line in lines(words):
            a, b, ws = line.first, line.last, line.words
            line_text = text[line_starts[line.index] : int(words.ends[b - 1])]
            scores[a:b] = self._score_line(line_text, ws, said)
        scores[mk] = S_MUST_KEEP
        return scores

    def _score_line(self, line: str, ws: list[str], said: set[str]) -> np.ndarray:
        out = np.full(len(ws), S_STRUCTURE, dtype=np.float32)
        protected = np.array([is_protected(w) for w in ws], dtype=bool)
        if _is_decoration_line(ws):
            out[:] = S_DECORATION
        elif _is_code_line(line, ws) or _is_table_row(line) or _SECTION.search(line):
            pass  # code and table rows stay whole
        elif (_ERROR_LINE.search(line) or _CODED_ERROR.search(line)) and not _is_warning_sentence(line) \
                or _LOCATED.match(line):
            for i, w in enumerate(ws):
                if normalise(w) in ARTICLES:
                    out[i] = S_FUNCTION
        elif is_sentence(line, ws):
            out = self._score_sentence(line, ws, said if len(ws) >= MIN_REPEAT_SENTENCE_WORDS else set())
            said.update(normalise(w) for w in ws)
        out[protected] = S_MUST_KEEP
        return out

    @staticmethod
    def _score_sentence(line: str, ws: list[str], said: set[str]) -> np.ndarray:
        out = np.full(len(ws), S_STRUCTURE, dtype=np.float32)
        for i, w in enumerate(ws):
            key = normalise(w)
            if _is_decoration_word(w):
                out[i] = S_DECORATION
            elif key in PROSE_DROPPABLE:
                out[i] = S_FUNCTION
            elif (key in said and key not in LOGIC_WORDS and key not in PARTICLES and not _is_outcome(w)
                  and not _is_identifier(w)
                  and not _is_key(ws, i) and not (i > 0 and _is_key(ws, i - 1))
                  and not _near_number(ws, i) and not _is_unit(ws, i)):
                out[i] = S_REPEATED  # a later mention: its first one carried the information
        offset = len(line) - len(line.lstrip())
        for phrase in (*_HINT.finditer(line), *_EMPTY_OPENER.finditer(line)):
            mark_chars(out, line, ws, phrase.start(), phrase.end(), S_HINT, offset)
        return out


# "warning:" lines are prose in the guide (warnings, notes, hints); only errors keep their words.
_WARNING_LEAD = re.compile(r"(?i)^\s*(?:\S+\s+)?(?:warning|warn|note|hint|notice|info)\b\S*:?\s")


def _is_warning_sentence(line: str) -> bool:
    return bool(_WARNING_LEAD.match(line)) and not re.search(r"(?i)\b(?:error|fatal|panic|exception)\b", line)


__all__ = ["PROSE_DROPPABLE", "TeacherScorer", "is_sentence"]
