"""The first teacher (``teacher-v1``): a rule-based reference generator written to the first
version of ``docs/LABELING.md``; the labeller is now :mod:`tersify.scorers.teacher`.

It decides line by line, then word by word (every rule cites the guide):

* a line of decoration (rules, progress bars) goes; decoration words go everywhere;
* a line of source code (diff hunks, traceback source, ``grep`` hits in code) stays whole;
* a line that repeats an earlier line's template (same word count, most positions equal
  once values are masked) keeps its values, keys, must-keep spans and outcome words and
  drops the constant words it shares with that earlier line;
* an error-message line (``Error:``, ``Exception:``, pytest's ``E   ``) loses only articles;
* a prose-like line (many function words) drops function words and hint phrases;
* a row of a table or listing (columns aligned by spaces) stays whole;
* any other line (log lines, JSON, headers) drops articles and auxiliaries and the later
  mentions of content words, but keeps keys and the values after them, outcome words,
  direction words (``from``, ``to``) and words next to a number.

Must-keep words and protected words are kept whatever the rule said, so the references
are extractive, keep every must-keep span and protected word, and never merge lines.
As a :class:`~tersify.scorers.Scorer` it gives graded scores (above 0.5: keep), so it can
also be run at a ``rate`` and compared with the model.
"""

from __future__ import annotations

import re

import numpy as np

from tersify.mustkeep import MustKeep
from tersify.text.lexicon import VALUE, is_decoration, is_function_word, is_protected, normalise
from tersify.text.segment import Words
from tersify.text.sentences import ERROR_LINE as _ERROR_LINE
from tersify.text.sentences import PROSE_FUNCTION_SHARE
from tersify.text.sentences import is_code_line as _is_code_line
from tersify.text.sentences import is_table_row as _is_table_row
from tersify.text.templates import Line as TextLine
from tersify.text.templates import lines

# Scores: above 0.5 the teacher keeps the word. The order below 0.5 says what goes first
# when a rate budget forces more drops.
S_MUST_KEEP = 1.0
S_STRUCTURE = 0.95  # code, error lines, table/log lines, first mentions
S_REPEATED = 0.4  # content word in prose, already mentioned earlier
S_TEMPLATE_CONSTANT = 0.3
S_FUNCTION = 0.2
S_HINT = 0.15
S_DECORATION = 0.0

TEMPLATE_MATCH_SHARE = 0.8  # share of equal (masked) positions for two lines to share a template
TEMPLATE_HISTORY = 32  # earlier lines per word count to compare with

ARTICLES = frozenset({"a", "an", "the"})
# Words that report what happened to the thing a log line is about; kept in repeated lines.
OUTCOME_WORDS = frozenset(
    """
    start started starting stop stopped stopping terminate terminating terminated
    complete completed completing done finished finish closed closing close opened opening open
    received receiving sent sending accepted created deleted removed added updated
    connected disconnected connecting established reset restarted restarting shutdown
    succeeded success ok pass passed fail failed error xfail xpass
    up down ready running pending waiting exited exit exiting returned granted revoked
    allocated freed released acquired locked unlocked served serving registered unregistered
    normal healthy unhealthy degraded critical online offline active inactive enabled disabled
    """.split()
)

_HINT = re.compile(
    r"(?i)\b(?:for more (?:information|details|info)(?: about [^,.]*)?,?(?: see| visit| run| refer to)?"
    r"|please(?: see| refer to| run| try| check)?|note that|hint:|tip:|note:)"
)


# Articles and auxiliaries never decide anything; dropped in any line that is not code.
WEAK_WORDS = frozenset("a an the is are was were be been being has have had".split())
# Prepositions that tell direction (source vs destination) stay even when repeated.
DIRECTION_WORDS = frozenset("from to into onto via".split())
def _is_decoration_line(strings: list[str]) -> bool:
    return bool(strings) and all(_is_decoration_word(w) for w in strings)


def _is_decoration_word(word: str) -> bool:
    """A rule or bar (``=====``, ``^~~~~``, ``[####]``); short runs such as ``*/*`` are values."""
    return len(word) >= 4 and is_decoration(word)


def _is_prose_line(strings: list[str]) -> bool:
    if len(strings) < 3:
        return False
    fw = sum(1 for w in strings if is_function_word(w))
    return fw >= 1 and fw / len(strings) >= PROSE_FUNCTION_SHARE


# A unit after a number is part of the value (``<1 sec``, ``512 MB``).
UNIT_WORDS = frozenset(
    """
    ns us µs ms s sec secs second seconds min mins minute minutes h hr hrs hour hours day days
    b byte bytes kb kib mb mib gb gib tb tib k m g % pct percent
    """.split()
)
_HAS_DIGIT = re.compile(r"[0-9]")


def _is_unit(strings: list[str], k: int) -> bool:
    return k > 0 and bool(_HAS_DIGIT.search(strings[k - 1])) and normalise(strings[k]) in UNIT_WORDS


# Status marks of test runners and checklists: an outcome each.
STATUS_MARKS = frozenset("✓ ✔ ✕ ✗ ✘ × ☑ ☒ ⚠ ❌ ✅ ● ○ ◯ ! ? x".split())


def _near_number(strings: list[str], k: int) -> bool:
    """Next to a word with a digit: the word may say what the number counts (keep it)."""
    return any(0 <= j < len(strings) and _HAS_DIGIT.search(strings[j]) for j in (k - 1, k + 1))


def _is_outcome(word: str) -> bool:
    return normalise(word) in OUTCOME_WORDS or word in STATUS_MARKS


def _is_key(strings: list[str], k: int) -> bool:
    """A word that names the value after it by syntax (``rss_mb: 4218``, ``took=3ms``, ``x = 1``).
    A bare word before a number (``line 17``) is a template constant: the first line shows it."""
    w = strings[k]
    if w.endswith((":", "=")) or "=" in w:
        return True
    return k + 1 < len(strings) and strings[k + 1] in ("=", ":")


def mark_chars(out: np.ndarray, line: str, ws: list[str], start: int, end: int, value: float, offset: int) -> None:
    """Give ``value`` to the words of ``ws`` wholly inside characters [start, end) of ``line``
    (``offset``: where the line's first word starts)."""
    pos = offset
    for i, w in enumerate(ws):
        pos = line.find(w, pos)
        if pos < 0:
            return
        if pos >= start and pos + len(w) <= end:
            out[i] = min(out[i], value)
        pos += len(w)


class LineTeacher:
    """A rule teacher that scores line by line, with state carried from line to line
    (:meth:`begin`), must-keep words kept whatever a line's rule said."""

    name = "line-teacher"

    def __init__(self, must_keep: MustKeep | None = None) -> None:
        self.must_keep = must_keep if must_keep is not None else MustKeep()

    def begin(self) -> object:
        """The state one text's lines share (what was said before, earlier templates)."""
        return None

    def score_line(self, line: str, text_line: TextLine, state: object) -> np.ndarray:
        raise NotImplementedError

    def score(self, words: Words) -> np.ndarray:
        n = len(words)
        scores = np.zeros(n, dtype=np.float32)
        if n == 0:
            return scores
        mk = self.must_keep.word_mask(words)
        text = words.text
        line_starts = words.line_starts.tolist()
        state = self.begin()
        for line in lines(words):
            line_text = text[line_starts[line.index] : int(words.ends[line.last - 1])]
            scores[line.first : line.last] = self.score_line(line_text, line, state)
        scores[mk] = S_MUST_KEEP
        return scores


class TeacherScorer(LineTeacher):
    """The rule-based teacher as a scorer (see module docstring)."""

    name = "teacher-v1"

    def begin(self) -> tuple[dict[int, list[tuple[list[str], tuple[str, ...]]]], set[str]]:
        return {}, set()  # earlier lines by word count, words mentioned so far

    def score_line(self, line: str, text_line: TextLine, state: object) -> np.ndarray:
        history, mentioned = state  # type: ignore[misc]
        out = self._score_line(line, text_line.words, text_line.template, history, mentioned)
        mentioned.update(normalise(w) for w in text_line.words)
        return out

    def _score_line(
        self,
        line: str,
        ws: list[str],
        masked: tuple[str, ...],
        history: dict[int, list[tuple[list[str], tuple[str, ...]]]],
        mentioned: set[str],
    ) -> np.ndarray:
        m = len(ws)
        out = np.full(m, S_STRUCTURE, dtype=np.float32)
        decoration = np.array([_is_decoration_word(w) for w in ws], dtype=bool)
        protected = np.array([is_protected(w) for w in ws], dtype=bool)
        if _is_decoration_line(ws):
            out[:] = S_DECORATION
            out[protected] = S_MUST_KEEP
            return out

        if _is_code_line(line, ws):  # code stays whole, operators included
            return out

        earlier = self._template_match(ws, masked, history)
        history.setdefault(m, []).append((ws, masked))
        if len(history[m]) > TEMPLATE_HISTORY:
            del history[m][0]

        if earlier is not None:  # a repeated template: values, keys and outcomes stay
            for i, w in enumerate(ws):
                if w == earlier[i] and masked[i] != VALUE and not _is_outcome(w) and not _is_key(ws, i) \
                        and not _is_unit(ws, i):
                    out[i] = S_TEMPLATE_CONSTANT
        elif _ERROR_LINE.search(line):  # the error message: drop at most its articles
            for i, w in enumerate(ws):
                if normalise(w) in ARTICLES:
                    out[i] = S_FUNCTION
        elif _is_prose_line(ws):
            for i, w in enumerate(ws):
                if is_function_word(w):
                    out[i] = S_FUNCTION
                elif normalise(w) in mentioned and not _is_outcome(w) and not _near_number(ws, i):
                    out[i] = S_REPEATED  # a later mention: its first one carried the information
            for hint in _HINT.finditer(line):
                offset = len(line) - len(line.lstrip())
                mark_chars(out, line, ws, hint.start(), hint.end(), S_HINT, offset)

        elif not _is_table_row(line):  # log lines, messages: weak words and later mentions go
            for i, w in enumerate(ws):
                key = normalise(w)
                if key in WEAK_WORDS:
                    out[i] = S_FUNCTION
                elif (key in mentioned and key not in DIRECTION_WORDS and not _is_outcome(w)
                      and not _is_key(ws, i) and not (i > 0 and _is_key(ws, i - 1))
                      and not _near_number(ws, i) and not _is_unit(ws, i)):
                    out[i] = S_REPEATED

        out[decoration] = S_DECORATION
        out[protected] = S_MUST_KEEP
        return out

    @staticmethod
    def _template_match(
        ws: list[str], masked: tuple[str, ...], history: dict[int, list[tuple[list[str], tuple[str, ...]]]]
    ) -> list[str] | None:
        """The most similar earlier line with the same template, or None."""
        m = len(ws)
        if m < 2:
            return None
        best, best_equal = None, 0
        for prev_ws, prev_masked in reversed(history.get(m, [])):
            equal = sum(1 for x, y in zip(masked, prev_masked, strict=True) if x == y)
            if equal > best_equal:
                best, best_equal = prev_ws, equal
        if best is None or best_equal / m < TEMPLATE_MATCH_SHARE:
            return None
        return best


__all__ = ["OUTCOME_WORDS", "LineTeacher", "TeacherScorer", "mark_chars"]
