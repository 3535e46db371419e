"""Per-first-character dispatch: for each first character, the alternation of only those
line patterns that can start with it. The first-character sets are computed from the
parsed patterns (sound: a pattern is kept whenever it might start with the character),
so the result equals matching the full alternation, at a fraction of the cost.
"""

from __future__ import annotations

import re
from functools import cache
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]

OTHER = "\x00"  # stands for every character outside printable ASCII and tab
_ALPHABET = frozenset(chr(c) for c in range(32, 127)) | {"\t", OTHER}
_CATEGORY = {
    C.CATEGORY_DIGIT: re.compile(r"\d"),
    C.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    C.CATEGORY_SPACE: re.compile(r"\s"),
    C.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    C.CATEGORY_WORD: re.compile(r"\w"),
    C.CATEGORY_NOT_WORD: re.compile(r"\W"),
}


def _bucket(ch: str) -> str:
    return ch if ch in _ALPHABET else OTHER


def _category(cat: object) -> set[str]:
    rx = _CATEGORY.get(cat)
    if rx is None:
        return set(_ALPHABET)
    return {ch for ch in _ALPHABET if ch == OTHER or rx.match(ch)}


def _charset(items: list) -> set[str]:
    out: set[str] = set()
    negate = False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            out.add(_bucket(chr(av)))
        elif op is C.RANGE:
            lo, hi = av
            out |= {_bucket(chr(c)) for c in range(lo, min(hi, 127) + 1)}
            if hi > 126:
                out.add(OTHER)
        elif op is C.CATEGORY:
            out |= _category(av)
        else:
            return set(_ALPHABET)
    if negate:
        return (_ALPHABET - out) | {OTHER}
    return out


def _first(items) -> tuple[set[str], bool]:
    """(characters the sequence may start with, whether it may match empty)."""
    acc: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            fs, nullable = {_bucket(chr(av))}, False
        elif op is C.NOT_LITERAL or op is C.ANY:
            fs, nullable = set(_ALPHABET), False
        elif op is C.IN:
            fs, nullable = _charset(av), False
        elif op is C.CATEGORY:
            fs, nullable = _category(av), False
        elif op is C.SUBPATTERN:
            fs, nullable = _first(av[-1])
        elif op is C.BRANCH:
            fs, nullable = set(), False
            for branch in av[1]:
                bfs, bnull = _first(branch)
                fs |= bfs
                nullable = nullable or bnull
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            lo, _hi, sub = av
            fs, nullable = _first(sub)
            nullable = nullable or lo == 0
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            fs, nullable = set(), True  # zero-width: ignoring a restriction keeps the set sound
        else:
            fs, nullable = set(_ALPHABET), True
        acc |= fs
        if not nullable:
            return acc, False
    return acc, True


def first_chars(pattern: str) -> frozenset[str]:
    fs, nullable = _first(P.parse(pattern))
    return frozenset(_ALPHABET if nullable else fs)


class Dispatch:
    """``match(s)`` == the full alternation's match, via the first character's subset."""

    def __init__(self, alternatives: list[tuple[str, str]]) -> None:
        self._named = [f"(?P<{tag}__{i}>{pat})" for i, (tag, pat) in enumerate(alternatives)]
        sets = [first_chars(pat) for _tag, pat in alternatives]
        self._subset = {ch: tuple(i for i, fs in enumerate(sets) if ch in fs) for ch in _ALPHABET}

    def match(self, s: str) -> re.Match[str] | None:
        ch = s[:1]
        subset = self._subset.get(ch)
        if subset is None:
            subset = self._subset[OTHER]
        return self._compiled(subset).match(s)

    @cache  # noqa: B019 - one Dispatch per process; the cache holds a few dozen patterns
    def _compiled(self, subset: tuple[int, ...]) -> re.Pattern[str]:
        if not subset:
            return re.compile("(?!)")
        return re.compile("|".join(self._named[i] for i in subset))
