"""Where word dropping may happen: the policy by line kind, applied to words.

Word dropping only ever removes whole words, and only where the region table of
``docs/LABELING.md`` allows it: sentences of prose regions lose words the scorer calls
filler, error lines lose at most articles, every other kind is never touched. Within a
prose region, :func:`tersify.text.sentences.prose_line_drop` says which lines are
sentences; build steps, frames, test ids, status lines and commands there keep every word. Within a line that may
lose words, quoted strings and bracketed groups stay whole, and so does any word that
holds a quote or bracket character (dropping one would leave its pair unbalanced), every
connective that carries logic (``and``, ``or``, ``from``, ``to``, ...), and every word that
ends a sentence before another one on the same line (its full stop keeps them apart).
Named noise (``tersify.regions.NOISE_CATEGORIES``) goes whole and first (:func:`drop_noise`),
before compaction and before the scorer sees anything.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tersify.regions import DROP_POLICY, Drop, Kind, Region, text_noise_spans
from tersify.text.lexicon import LOGIC_WORDS, normalise
from tersify.text.rebuild import rebuild
from tersify.text.segment import Words, overlapping_words, segment
from tersify.text.sentences import prose_line_drop

ARTICLES = frozenset({"a", "an", "the", "A", "An", "The"})

# Innermost quoted strings and bracketed groups on one line; applied twice for one level of nesting.
_GROUP = re.compile(
    r"""(?<![\w'"`])'[^'\n]*'(?![\w'])|(?<![\w"'`])"[^"\n]*"(?![\w"])|`[^`\n]*`"""
    r"""|\([^()\n]*\)|\[[^\[\]\n]*\]|\{[^{}\n]*\}"""
)
_PAIRED = frozenset("()[]{}\"'`")
# A word ending in one of these ends a sentence ("Do not set it. Use the new flag" must not
# become "Do not set Use the new flag").
_SENTENCE_END = frozenset(".;?!")


_CODE = {Drop.NEVER: 0, Drop.ARTICLES: 1, Drop.WORDS: 2}


def line_policy(kinds: Sequence[Kind]) -> np.ndarray:
    """Per line, by kind: 0 never, 1 articles only, 2 words (see :class:`Drop`)."""
    return np.fromiter((_CODE[DROP_POLICY[kind]] for kind in kinds), dtype=np.int8, count=len(kinds))


def refine_prose_policy(words: Words, policy: np.ndarray) -> np.ndarray:
    """``policy`` with each prose line (2) narrowed by what the line is: a sentence keeps 2,
    an error or located line 1, any other line (a build step, a frame, a status line) 0."""
    prose = np.flatnonzero(policy == 2)
    if not prose.shape[0]:
        return policy
    out = policy.copy()
    strings = words.strings()
    text, line_starts = words.text, words.line_starts
    n_lines = line_starts.shape[0]
    bounds = np.searchsorted(words.lines, np.stack([prose, prose + 1]))
    for line, first, last in zip(prose.tolist(), bounds[0].tolist(), bounds[1].tolist(), strict=True):
        end = int(line_starts[line + 1]) - 1 if line + 1 < n_lines else len(text)
        out[line] = _CODE[prose_line_drop(text[int(line_starts[line]) : end], strings[first:last])]
    return out


def _group_spans(segment: str) -> list[tuple[int, int]]:
    """Spans of the quoted strings and bracketed groups of one line, nested ones included."""
    spans: list[tuple[int, int]] = []
    for _ in range(3):  # innermost groups first, then (masked) the groups around them
        found = [match.span() for match in _GROUP.finditer(segment)]
        if not found:
            break
        spans.extend(found)
        segment = _GROUP.sub(lambda match: "x" * len(match.group(0)), segment)
    return spans


@dataclass(frozen=True)
class DropPlan:
    """Which words each rule may drop (boolean masks over the words)."""

    scored: np.ndarray  # prose words the scorer decides on
    articles: np.ndarray  # articles of error lines: dropped by rule
    prose_lines: np.ndarray  # the lines whose words the scorer sees (for context)


def plan_drops(words: Words, kinds: Sequence[Kind]) -> DropPlan:
    """What word dropping may remove from ``words``, given the kind of each line."""
    n = len(words)
    policy = refine_prose_policy(words, line_policy(kinds))
    word_policy = policy[words.lines] if n else np.zeros(0, dtype=np.int8)
    candidate = word_policy > 0
    protected = np.zeros(n, dtype=bool)
    if candidate.any():
        text, line_starts = words.text, words.line_starts
        n_lines = line_starts.shape[0]
        starts: list[int] = []
        ends: list[int] = []
        for line in np.flatnonzero(policy > 0).tolist():
            begin = int(line_starts[line])
            end = int(line_starts[line + 1]) - 1 if line + 1 < n_lines else len(text)
            segment = text[begin:end]
            if any(c in segment for c in _PAIRED):
                for s, e in _group_spans(segment):
                    starts.append(begin + s)
                    ends.append(begin + e)
        if starts:
            protected = overlapping_words(words, np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64))
        strings = words.strings()
        for i in np.flatnonzero(candidate & ~protected).tolist():
            word = strings[i]
            if word_policy[i] == 1:  # articles only, and not the value of a key (``key: the``)
                protected[i] = word not in ARTICLES or (i > 0 and strings[i - 1].endswith((":", "=")))
            elif not _PAIRED.isdisjoint(word) or normalise(word) in LOGIC_WORDS:
                protected[i] = True
            elif word[-1] in _SENTENCE_END and i + 1 < n and words.lines[i + 1] == words.lines[i]:
                protected[i] = True  # it ends a sentence: without it two sentences read as one
    droppable = candidate & ~protected
    return DropPlan(
        scored=droppable & (word_policy == 2),
        articles=droppable & (word_policy == 1),
        prose_lines=np.flatnonzero(policy == 2),
    )


def scorer_view(words: Words, plan: DropPlan) -> tuple[np.ndarray, Words]:
    """What the scorer sees: the prose lines, whole, as a text of their own.

    Returns the mask of ``words`` on those lines and the words of that text, which are
    the same words in the same order; a scorer reads only lines that may lose words, so a
    model's context is never code, JSON or a log around them.
    """
    text, line_starts = words.text, words.line_starts
    n_lines = line_starts.shape[0]
    parts = []
    for line in plan.prose_lines.tolist():
        end = int(line_starts[line + 1]) - 1 if line + 1 < n_lines else len(text)
        parts.append(text[int(line_starts[line]) : end])
    view = segment("\n".join(parts))
    mask = np.isin(words.lines, plan.prose_lines)
    if len(view) != int(mask.sum()):  # the same lines, so the same words: a broken invariant
        raise AssertionError("the scorer's view lost or gained words")
    return mask, view


# Kinds whose lines never hold named noise worth a look (cheaper on large logs and documents).
_NO_NOISE = frozenset({Kind.JSON, Kind.DIFF, Kind.CODE, Kind.LOG, Kind.BLANK})


def drop_noise(text: str, regions: Sequence[Region]) -> tuple[str, int, Sequence[Region]]:
    """``text`` with its named noise removed (progress percentages and the padding before
    them, bars, rules), how many words went, and the regions of what is left: the kinds
    found on the original lines, so removing a rule never changes what a line is. Noise
    goes first so that the rows it padded can fold into templates."""
    out, removed, left, _ = drop_noise_mapped(text, regions)
    return out, removed, left


def drop_noise_mapped(
    text: str, regions: Sequence[Region]
) -> tuple[str, int, Sequence[Region], np.ndarray | None]:
    """:func:`drop_noise`, and per line of ``text`` whether it is still there (None when
    every line is): a budget names left-out lines by their number in the input."""
    kinds = [region.kind for region in regions for _ in range(len(region))]
    starts, ends = text_noise_spans(text, lambda i: kinds[i] in _NO_NOISE)
    if not starts.shape[0]:
        return text, 0, regions, None
    words = segment(text)
    noise = inside_spans(words, starts, ends)
    removed = int(noise.sum())
    if not removed:
        return text, 0, regions, None
    # A line goes when every word on it was noise (rebuild drops lines that lose every word).
    has_words = np.bincount(words.lines, minlength=words.n_lines) > 0
    has_kept = np.bincount(words.lines[~noise], minlength=words.n_lines) > 0
    stays = ~has_words | has_kept
    before = np.concatenate(([0], np.cumsum(stays)))  # kept lines before each line
    left = [Region(r.kind, int(before[r.start]), int(before[r.stop])) for r in regions]
    left = [r for r in left if r.stop > r.start]
    out = rebuild(words, ~noise)
    n_lines = out.count("\n") + 1
    covered = left[-1].stop if left else 0
    if covered < n_lines:  # a last line without "\n" went whole: the "\n" before it ends the text now
        left.append(Region(Kind.BLANK, covered, n_lines))
    return out, removed, left, stays


def inside_spans(words: Words, span_starts: np.ndarray, span_ends: np.ndarray) -> np.ndarray:
    """Mask of the words that lie wholly inside one of the (disjoint) spans ``[start, end)``."""
    order = np.argsort(span_starts, kind="stable")
    s, e = span_starts[order], span_ends[order]
    at = np.searchsorted(s, words.starts, side="right") - 1
    ok = at >= 0
    inside = np.zeros(len(words), dtype=bool)
    inside[ok] = words.ends[ok] <= e[at[ok]]
    return inside


def select_words(
    scores: np.ndarray, must_keep: np.ndarray, *, threshold: float = 0.5, rate: float | None = None
) -> np.ndarray:
    """The keep mask among scored words. Must-keep words are always kept.

    Without ``rate``: a word is kept when its score is above ``threshold``. With
    ``rate``: one global budget of ``round(rate * n)`` words; must-keep words count
    toward it and the rest is filled with the best-scored words (earlier wins ties).
    When must-keep words alone exceed the budget they are all kept, nothing else.
    """
    n = scores.shape[0]
    if rate is None:
        return must_keep | (scores > threshold)
    budget = math.floor(rate * n + 0.5)
    keep = must_keep.copy()
    room = budget - int(must_keep.sum())
    if room > 0:
        candidates = np.flatnonzero(~must_keep)
        order = np.argsort(-scores[candidates], kind="stable")
        keep[candidates[order[:room]]] = True
    return keep
