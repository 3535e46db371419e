"""The matching engine: every category's pattern runs once per distinct word of a text.

A character-bit prefilter picks the words that can hold a category's match; the spans and
link flags of the distinct words of small texts are remembered across calls.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from tersify.mustkeep.categories import CATEGORIES, Category
from tersify.mustkeep.links import LINK_FLAG_BITS, LINK_FLAG_PATTERN, LINK_FLAGS
from tersify.text.segment import Words

_EMPTY = np.zeros(0, dtype=np.int64)


def _key_bit(key: str) -> int:
    return 1 << _CHAR_KEYS.index(key)


def _group_bits(group: str) -> int:
    bits = 0
    for key in group:
        bits |= _key_bit(key)
    return bits


def _char_bits() -> np.ndarray:
    """For each ASCII code point (128: anything else), the bits of the keys it satisfies."""
    table = np.zeros(129, dtype=np.uint64)
    for cp in range(128):
        ch = chr(cp)
        bits = 0
        for key in _CHAR_KEYS:
            if (key == ch or (key == "0" and ch.isdigit()) or (key == "A" and "A" <= ch <= "Z")
                    or (key == "a" and "a" <= ch <= "z")):
                bits |= _key_bit(key)
        table[cp] = bits
    return table


# Every character a category's ``needs`` names ("0", "A", "a" stand for classes).
_CHAR_KEYS = sorted({ch for cat in CATEGORIES.values() for ch in cat.needs if ch not in "*&"})
_CHAR_BITS = _char_bits()


class Found(NamedTuple):
    """What :meth:`DistinctWords.find_all` found: spans at every occurrence, and the link
    flags of the distinct words when known (None: a large text, see compute_link_flags)."""

    starts: np.ndarray
    ends: np.ndarray
    codes: np.ndarray
    link_flags: np.ndarray | None


class DistinctWords:
    """The distinct words of a text and where each occurs; patterns run once per distinct word."""

    def __init__(self, words: Words):
        strings = words.strings()
        distinct = list(dict.fromkeys(strings))
        index = {w: i for i, w in enumerate(distinct)}
        self.ids = np.fromiter(map(index.__getitem__, strings), dtype=np.int64, count=len(strings))
        self.strings = distinct
        self._index = index
        self.words = words
        # Occurrences grouped by distinct word: occ_order[occ_offsets[u]:occ_offsets[u + 1]].
        self.occ_order = np.argsort(self.ids, kind="stable")
        self.occ_counts = np.bincount(self.ids, minlength=len(self.strings))
        self.occ_offsets = np.concatenate(([0], np.cumsum(self.occ_counts)))
        first_occurrence = self.occ_order[self.occ_offsets[:-1]]
        self.lengths = (words.ends - words.starts)[first_occurrence]
        joined = "\n".join(self.strings)
        self._cps = np.frombuffer(joined.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
        self._starts = np.concatenate(([0], np.cumsum(self.lengths + 1)[:-1])) if len(distinct) else _EMPTY
        self._has: dict[str, np.ndarray] = {}
        self._bits: np.ndarray | None = None
        self._pure_digits: np.ndarray | None = None
        self.matched = np.zeros(len(distinct), dtype=bool)  # distinct words holding a span

    def having_any(self, needs: str) -> np.ndarray:
        """Indices of distinct words that satisfy ``needs`` (see :class:`Category`):
        at least one character of each ``&``-separated group."""
        if needs == "*":
            return np.arange(len(self.strings))
        if not needs or not self.strings:  # cross-word only (see LINKS)
            return _EMPTY
        if needs not in self._has:
            if self._bits is None:  # one pass: which character keys each distinct word holds
                self._bits = np.bitwise_or.reduceat(_CHAR_BITS[np.minimum(self._cps, 128)], self._starts)
            ok = np.ones(len(self.strings), dtype=bool)
            for group in needs.split("&"):
                if len(group) > 1 and len(set(group)) == 1:  # "::": at least two ':'
                    counts = np.add.reduceat((self._cps == ord(group[0])).astype(np.int32), self._starts)
                    ok &= counts >= len(group)
                else:
                    ok &= (self._bits & _group_bits(group)) != 0
            self._has[needs] = np.flatnonzero(ok)
        return self._has[needs]

    @property
    def small(self) -> bool:
        """A small text: scanning every distinct word costs less than choosing candidates."""
        return self._cps.shape[0] <= _SMALL_TEXT

    def pure_digits(self) -> np.ndarray:
        """Per distinct word: made of ASCII digits only (the commonest word of a log)."""
        if self._pure_digits is None:
            digit = (self._cps >= 48) & (self._cps <= 57) | (self._cps == 10)  # separators count as digits
            self._pure_digits = np.logical_and.reduceat(digit, self._starts)
        return self._pure_digits

    def joined(self, needs: str, only: np.ndarray | None = None) -> tuple[str, np.ndarray, np.ndarray]:
        """The candidate words for ``needs`` joined by newlines, their ids and offsets.
        Words of digits alone are left out: only ``number`` matches them (see match()).
        ``only``: a mask of the distinct words that may be candidates (None: all); ``"*"``:
        every word."""
        if needs == "*":
            wanted = ~self.pure_digits()
            return self._join(np.flatnonzero(wanted if only is None else wanted & only))
        candidates = self.having_any(needs)
        keep = ~self.pure_digits()[candidates]
        if only is not None:
            keep &= only[candidates]
        return self._join(candidates[keep])

    def _join(self, candidates: np.ndarray) -> tuple[str, np.ndarray, np.ndarray]:
        strings = self.strings
        joined = "\n".join([strings[i] for i in candidates.tolist()])
        bases = np.concatenate(([0], np.cumsum(self.lengths[candidates] + 1)[:-1]))
        return joined, candidates, bases

    def find_all(self, cats: Sequence[Category], cache_key: Hashable) -> Found:
        """Spans of every category at every occurrence (codes: index into ``cats``), and the
        link flags of the distinct words when they came with the spans.

        A word's spans and link flags do not depend on its neighbours, so those of the
        distinct words of a small text are remembered across calls (tool outputs repeat
        their words); the patterns run only over words not seen before. ``cache_key``
        names the category list. A large text's link flags are left to
        :meth:`compute_link_flags` (``link_flags`` is None): only link rules need them."""
        link_flags: np.ndarray | None = None
        if not self.small:
            distinct, local_s, local_e, codes = self.match(cats)
        else:
            cache = _word_span_cache(cache_key)
            hits = [cache.get(w) for w in self.strings]
            unseen = np.fromiter((h is None for h in hits), dtype=bool, count=len(hits))
            new = np.flatnonzero(unseen)
            if new.shape[0]:
                distinct, local_s, local_e, codes = self.match(cats, only=unseen)
                new_flags = self.compute_link_flags(new)
                found: dict[int, list[tuple[int, int, int]]] = {i: [] for i in new.tolist()}
                for d, a, b, k in zip(distinct.tolist(), local_s.tolist(), local_e.tolist(), codes.tolist(),
                                      strict=True):
                    found[d].append((a, b, k))
                if len(cache) + len(found) > _WORD_CACHE_ENTRIES:
                    cache.clear()
                strings = self.strings
                for i, flags in zip(new.tolist(), new_flags.tolist(), strict=True):
                    hits[i] = cache[strings[i]] = (tuple(found[i]), flags)
            else:
                distinct = local_s = local_e = codes = _EMPTY
            link_flags = np.fromiter((h[1] for h in hits), dtype=np.int64, count=len(hits))
            old = [(i, a, b, k) for i, (h, is_new) in enumerate(zip(hits, unseen.tolist(), strict=True))
                   if h[0] and not is_new for a, b, k in h[0]]
            if old:
                d_old, s_old, e_old, c_old = np.asarray(old, dtype=np.int64).T
                if distinct.shape[0]:
                    distinct, local_s = np.concatenate((distinct, d_old)), np.concatenate((local_s, s_old))
                    local_e, codes = np.concatenate((local_e, e_old)), np.concatenate((codes, c_old))
                else:  # every word seen before
                    distinct, local_s, local_e, codes = d_old, s_old, e_old, c_old
        if distinct.shape[0] == 0:
            return Found(_EMPTY, _EMPTY, _EMPTY, link_flags)
        self.matched[distinct] = True
        return Found(*self.at_occurrences(distinct, local_s, local_e, codes), link_flags)

    def compute_link_flags(self, candidates: np.ndarray | None = None) -> np.ndarray:
        """The link-flag bits (:data:`LINK_FLAGS`) of the distinct words ``candidates``
        (all: ``None``), in one regex pass: a word has at most one of them."""
        if candidates is None:
            candidates = np.arange(len(self.strings))
        bits = np.zeros(candidates.shape[0], dtype=np.int64)
        scan = np.arange(candidates.shape[0])  # which candidates the pattern runs over
        if not self.small:  # a large text: only words that could carry a flag
            wanted = np.zeros(len(self.strings), dtype=bool)
            for _, _, needs, length in LINK_FLAGS:
                having = self.having_any(needs)
                wanted[having if length is None else having[self.lengths[having] == length]] = True
            scan = np.flatnonzero(wanted[candidates])
        if not scan.shape[0]:
            return bits
        words = candidates[scan]
        strings = self.strings
        bases = np.concatenate(([0], np.cumsum(self.lengths[words] + 1)[:-1]))
        found = [(m.start(), m.lastindex) for m in LINK_FLAG_PATTERN.finditer("\n".join(
            [strings[i] for i in words.tolist()]))]
        if found:
            at, group = np.asarray(found, dtype=np.int64).T
            bits[scan[np.searchsorted(bases, at, side="right") - 1]] = LINK_FLAG_BITS[group]
        return bits

    def match(self, cats: Sequence[Category],
              only: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Spans inside the distinct words (those of the mask ``only`` when given): (word,
        start, end, code).

        Each pattern runs over its candidate words; the matches of all categories are then
        mapped to words in one numpy pass (per-category numpy calls would cost more than
        the matching on the small texts of a tool call)."""
        groups: dict[int, tuple[tuple[str, np.ndarray, np.ndarray], list, list]] = {}
        digit_codes: list[int] = []
        shared = self.joined("*", only) if self.small else None  # a small text: one string for all
        per_needs: dict[str, tuple[str, np.ndarray, np.ndarray]] = {}
        for code, cat in enumerate(cats):
            if cat.digits_match_whole:  # the words joined() left out
                digit_codes.append(code)
            if not cat.needs:  # found by a link rule only
                continue
            if shared is not None:
                joined_words = shared
            elif cat.needs in per_needs:
                joined_words = per_needs[cat.needs]
            else:
                joined_words = per_needs[cat.needs] = self.joined(cat.needs, only)
            joined = joined_words[0]
            if not joined or not _may_hold(joined, cat.needs):
                continue
            if cat.group:
                group = cat.group
                found = [m.span(group) for m in cat.pattern.finditer(joined)]
            else:
                found = [m.span() for m in cat.pattern.finditer(joined)]
            if found:
                _, spans, codes = groups.setdefault(id(joined_words), (joined_words, [], []))
                spans += found
                codes += [code] * len(found)
        d_parts, s_parts, e_parts, c_parts = [_EMPTY], [_EMPTY], [_EMPTY], [_EMPTY]
        for (_, candidates, bases), spans, codes in groups.values():
            arr = np.asarray(spans, dtype=np.int64)
            code_arr = np.asarray(codes, dtype=np.int64)
            nonempty = arr[:, 1] > arr[:, 0]
            arr, code_arr = arr[nonempty], code_arr[nonempty]
            which = np.searchsorted(bases, arr[:, 0], side="right") - 1
            d_parts.append(candidates[which])
            s_parts.append(arr[:, 0] - bases[which])
            e_parts.append(arr[:, 1] - bases[which])
            c_parts.append(code_arr)
        if digit_codes:
            digits = self.pure_digits() if only is None else self.pure_digits() & only
            digits = np.flatnonzero(digits)
            for code in digit_codes:
                d_parts.append(digits)
                s_parts.append(np.zeros(digits.shape[0], dtype=np.int64))
                e_parts.append(self.lengths[digits])
                c_parts.append(np.full(digits.shape[0], code, dtype=np.int64))
        return (np.concatenate(d_parts), np.concatenate(s_parts), np.concatenate(e_parts),
                np.concatenate(c_parts))

    def at_occurrences(self, distinct: np.ndarray, local_s: np.ndarray, local_e: np.ndarray,
                       codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Expand per-distinct-word spans to every occurrence of those words."""
        reps = self.occ_counts[distinct]
        total = int(reps.sum())
        if total == 0:
            return _EMPTY, _EMPTY, _EMPTY
        # Occurrence k of match j is occ_order[occ_offsets[distinct[j]] + k].
        first = np.repeat(self.occ_offsets[distinct], reps)
        within = np.arange(total) - np.repeat(np.cumsum(reps) - reps, reps)
        occ = self.occ_order[first + within]
        word_starts = self.words.starts[occ]
        return (word_starts + np.repeat(local_s, reps), word_starts + np.repeat(local_e, reps),
                np.repeat(codes, reps))

    def is_word(self, word: str) -> np.ndarray:
        """Per occurrence: is the word exactly ``word``?"""
        i = self._index.get(word)
        return self.ids == i if i is not None else np.zeros(self.ids.shape[0], dtype=bool)

    def has_link_flag(self, link_flags: np.ndarray, bit: int) -> np.ndarray:
        """Per occurrence: does the word carry the link flag ``bit``? ``link_flags``: per
        distinct word, from :meth:`find_all` or :meth:`compute_link_flags`."""
        return (link_flags[self.ids] & bit) != 0


def _may_hold(joined: str, needs: str) -> bool:
    """False when ``joined`` lacks a character that ``needs`` demands of every match (a few
    ``in`` tests: on a small text every category scans the same string, so a pattern whose
    characters are absent, such as ``@`` or ``\\``, is skipped without a scan)."""
    for group, count in _literal_groups(needs):
        if count > 1:
            if joined.count(group) < count:
                return False
        elif not any(ch in joined for ch in group):
            return False
    return True


@lru_cache(maxsize=256)
def _literal_groups(needs: str) -> tuple[tuple[str, int], ...]:
    """The ``&``-groups of ``needs`` made of literal characters only (``0``/``A``/``a`` name
    classes, which ordinary text nearly always holds); ``"::"`` becomes ``(":", 2)``."""
    groups = []
    for group in needs.split("&"):
        if not group or "*" in group or any(ch in "0Aa" for ch in group):
            continue
        if len(group) > 1 and len(set(group)) == 1:
            groups.append((group[0], len(group)))
        else:
            groups.append((group, 1))
    return tuple(groups)


_SMALL_TEXT = 4096  # code points of distinct words: below, scan every word (no filtering) and remember spans
_WORD_CACHE_ENTRIES = 1 << 16  # words remembered per category list; the cache empties when full
# A remembered word: its spans (start, end, code) and its LINK_FLAGS bits.
_WordEntry = tuple[tuple[tuple[int, int, int], ...], int]
_WORD_SPAN_CACHES: dict[Hashable, dict[str, _WordEntry]] = {}


def _word_span_cache(key: Hashable) -> dict[str, _WordEntry]:
    """word -> its spans and link flags, for the category list named by ``key``."""
    cache = _WORD_SPAN_CACHES.get(key)
    if cache is None:
        cache = _WORD_SPAN_CACHES.setdefault(key, {})
    return cache


def clear_caches() -> None:
    """Forget the must-keep spans of every word remembered across calls (benchmarks
    measure cold passes with it; see also :func:`tersify.text.lexicon.clear_caches`)."""
    _WORD_SPAN_CACHES.clear()
