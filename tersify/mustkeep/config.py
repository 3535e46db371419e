"""Must-keep configuration: which categories (or seed preset) run, and ``resolve`` for
the user-facing ``must_keep=`` argument."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np

from tersify.errors import TersifyError
from tersify.mustkeep.categories import CATEGORIES, DEFAULT_CATEGORIES, Category
from tersify.mustkeep.engine import DistinctWords
from tersify.mustkeep.links import LINKS
from tersify.mustkeep.presets import SEED_PRESETS, seed_span
from tersify.mustkeep.spans import Span, Spans
from tersify.text.segment import Words, overlapping_words, segment

_EMPTY = np.zeros(0, dtype=np.int64)


class _Plan(NamedTuple):
    """What a configuration runs, worked out once: its categories, span names, the code of
    its first category, its link rules as (code, function), and its word-cache key."""

    cats: tuple[Category, ...]
    names: tuple[str, ...]
    offset: int
    links: tuple[tuple[int, Callable[[DistinctWords, np.ndarray], tuple[np.ndarray, np.ndarray]]], ...]
    cache_key: Hashable


@dataclass(frozen=True)
class MustKeep:
    """A must-keep configuration: which categories (or which seed preset) to detect."""

    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    preset: str | None = None
    extra: tuple[Category, ...] = field(default=())

    @cached_property
    def _plan(self) -> _Plan:
        cats = tuple(CATEGORIES[name] for name in self.categories) + tuple(self.extra)
        names = ((self.preset,) if self.preset is not None else ()) + tuple(cat.name for cat in cats)
        offset = len(names) - len(cats)  # codes of the categories follow the preset's
        links = tuple((code + offset, LINKS[cat.name]) for code, cat in enumerate(cats) if cat.name in LINKS)
        return _Plan(cats, names, offset, links, (tuple(self.categories), tuple(self.extra)))

    def spans(self, words: Words) -> Spans:
        """All must-keep spans of the segmented text, as arrays (categories may overlap)."""
        return self.spans_and_mask(words)[0]

    def word_mask(self, words: Words) -> np.ndarray:
        """Which words overlap a must-keep span (each such word is kept whole)."""
        return self.spans_and_mask(words)[1]

    def spans_and_mask(self, words: Words) -> tuple[Spans, np.ndarray]:
        """The spans, and which words overlap one: found together in one pass, since the
        finder knows the words it matched (no second span-to-word mapping)."""
        cats, names, offset, links, cache_key = self._plan
        all_s: list[np.ndarray] = []
        all_e: list[np.ndarray] = []
        all_c: list[np.ndarray] = []
        mask = np.zeros(len(words), dtype=bool)
        if self.preset is not None:
            found = [seed_span(m) for m in SEED_PRESETS[self.preset].finditer(words.text)]
            arr = np.asarray(found, dtype=np.int64).reshape(-1, 2)
            arr = arr[arr[:, 1] > arr[:, 0]]
            all_s.append(arr[:, 0])
            all_e.append(arr[:, 1])
            all_c.append(np.zeros(arr.shape[0], dtype=np.int64))
            mask |= overlapping_words(words, arr[:, 0], arr[:, 1])
        if cats and len(words):
            dw = DistinctWords(words)
            s, e, c, link_flags = dw.find_all(cats, cache_key)
            all_s.append(s)
            all_e.append(e)
            all_c.append(c + offset if offset else c)
            if links and link_flags is None:  # a large text: the flags were not needed for the spans
                link_flags = dw.compute_link_flags()
            for code, link in links:
                ls, le = link(dw, link_flags)
                if ls.shape[0]:
                    mask |= overlapping_words(words, ls, le)
                    all_s.append(ls)
                    all_e.append(le)
                    all_c.append(np.full(ls.shape[0], code, dtype=np.int64))
            mask |= dw.matched[dw.ids]
        if not all_s:
            return Spans(_EMPTY, _EMPTY, _EMPTY, names), mask
        return Spans(np.concatenate(all_s), np.concatenate(all_e), np.concatenate(all_c), names), mask

    def find(self, text: str) -> list[Span]:
        """All must-keep spans of ``text`` as :class:`Span` objects, sorted by position."""
        return list(self.spans(segment(text)))


_DEFAULT_CONFIG = MustKeep()


def resolve(must_keep: MustKeep | str | Sequence[str] | bool | None) -> MustKeep | None:
    """Turn the user-facing ``must_keep=`` argument into a configuration.

    ``True``/``"default"``: all categories; ``False``/``None``: none; ``"seed"`` or
    ``"seed-tight"``: the seed's regex alone; a list of names: those categories (a name
    may also be a seed preset).
    """
    if isinstance(must_keep, MustKeep):
        return must_keep
    if must_keep is None or must_keep is False:
        return None
    if must_keep is True or must_keep == "default":
        return _DEFAULT_CONFIG  # one instance: its plan is worked out once per process
    names = [must_keep] if isinstance(must_keep, str) else list(must_keep)
    preset = None
    categories = []
    for name in names:
        if name in SEED_PRESETS:
            if preset is not None and preset != name:
                raise TersifyError(f"choose one seed preset, not both {preset!r} and {name!r}")
            preset = name
        elif name in CATEGORIES:
            categories.append(name)
        else:
            known = ", ".join([*CATEGORIES, *SEED_PRESETS])
            raise TersifyError(f"unknown must-keep category {name!r} (known: {known})")
    return MustKeep(categories=tuple(dict.fromkeys(categories)), preset=preset)
