"""The line walk: a text's non-empty lines in order, each with its words and its template.

Several rules look at a line against the lines before it (the baseline scorer, the
model's repeat features, the teacher): they all walk the lines here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from tersify.text.lexicon import line_template
from tersify.text.segment import Words


class Line(NamedTuple):
    index: int  # the line's number
    first: int  # its words are [first, last)
    last: int
    words: list[str]
    template: tuple[str, ...]  # see tersify.text.lexicon.line_template


def lines(words: Words) -> Iterator[Line]:
    """The lines that hold at least one word, in order."""
    if len(words) == 0:
        return
    strings = words.strings()
    bounds = words.line_bounds()
    for k in range(words.n_lines):
        a, b = bounds[k], bounds[k + 1]
        if a == b:
            continue
        line_words = strings[a:b]
        yield Line(k, a, b, line_words, line_template(line_words))


__all__ = ["Line", "lines"]
