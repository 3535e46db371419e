"""Runs of lines of one shape: the shared template once, then each line's values.

``[the next 3 lines follow "PacketResponder {} for block blk_{} terminating"; each row
below holds one line's {} values]`` then one row per line, its values separated by single
spaces (a value is part of one word, so it holds no whitespace). The template is a JSON
string, so any whitespace it keeps (indentation, gaps, a ``\\r``) is written exactly.

Lines are grouped by shape key (their whitespace and their digit-free words, as in
drain's first pass); a run of at least ``MIN_RUN`` consecutive lines of one key is a
candidate, its template keeps every word all its lines share.

A run is also proposed cut where its lines' stems change (their text before the first digit,
cut at punctuation), so two parametrized tests in a row get a template each; the engine keeps
whichever saves more.

Lines whose words differ but share a prefix or suffix within a word (``find`` and ``du``
listings: ``site-packages/requests/{}.py``, ``{}\tsite-packages/{}``) have no digit to key
them on. They are taken as runs of one *layout* (the same whitespace between the same number
of words), cut where the lines stop sharing their leading text, so each run's template keeps
its own directory; the slot affixes (cut at punctuation) keep the shared part.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from tersify.compaction.forms import Block
from tersify.compaction.lines import (
    LAYOUT_SLOTS,
    build_template,
    eligible_spans,
    fill,
    layout,
    shape_key,
    slot_affixes,
    split,
    stem,
    unquote,
)
from tersify.regions import Region

MIN_RUN = 3
# Longer runs are cut, so a marker stays near its rows and a block stays countable.
MAX_ROWS = 500
# Rough characters a marker costs beyond its template; a run must save more than this.
MARKER_CHARS = 80
# Leading characters lines must share to be cut into a run of their own (``./src/``).
MIN_PREFIX = 4


class TemplateForm:
    name = "template"
    marker = re.compile(
        r"\[the next (?P<t_n>[1-9][0-9]*) lines follow (?P<t_t>\".*\"); "
        r"each row below holds one line's \{\} values\]"
    )

    def find(self, lines: Sequence[str], regions: Sequence[Region]) -> Iterator[Block]:
        for start, stop in eligible_spans(lines, regions):
            keys = [shape_key(line) for line in lines[start:stop]]
            i = 0
            while i < len(keys):
                j = i + 1
                while j < len(keys) and keys[j] == keys[i]:
                    j += 1
                if j - i >= MIN_RUN:
                    for at in range(i, j, MAX_ROWS):
                        block = self._block(lines, start + at, start + min(at + MAX_ROWS, j))
                        if block is not None:
                            yield block
                    yield from self._stem_runs(lines, start + i, start + j)
                i = j
            yield from self._layout_runs(lines, start, stop, keys)

    def _layout_runs(self, lines: Sequence[str], start: int, stop: int, keys: Sequence[str]) -> Iterator[Block]:
        """Runs of one layout whose lines share no shape key (those are found above), each cut
        into stretches that share a leading text (a directory), and each whole."""
        layouts = [layout(line) for line in lines[start:stop]]
        i, n = start, stop
        while i < n:
            j = i + 1
            while j < n and layouts[j - start] == layouts[i - start]:
                j += 1
            if j - i >= MIN_RUN and len(set(keys[i - start : j - start])) > 1:
                yield from self._prefix_runs(lines, i, j)
                for at in range(i, j, MAX_ROWS):
                    block = self._block(lines, at, min(at + MAX_ROWS, j), LAYOUT_SLOTS)
                    if block is not None:
                        yield block
            i = j

    def _stem_runs(self, lines: Sequence[str], start: int, stop: int) -> Iterator[Block]:
        """A run of one shape cut where its lines' stems (their text up to the first digit,
        cut at punctuation) change: ``...::test_parse_price[0.00-0]`` then ``...::test_cart_total[7]``,
        so each part's template keeps its whole name (the engine keeps whichever saves more)."""
        stems = [stem(line) for line in lines[start:stop]]
        if len(set(stems)) == 1:
            return
        i = 0
        while i < len(stems):
            j = i + 1
            while j < len(stems) and stems[j] == stems[i] and j - i < MAX_ROWS:
                j += 1
            if j - i >= MIN_RUN:
                block = self._block(lines, start + i, start + j)
                if block is not None:
                    yield block
            i = j

    def _prefix_runs(self, lines: Sequence[str], start: int, stop: int) -> Iterator[Block]:
        i = start
        while i + MIN_RUN <= stop:
            prefix, _ = slot_affixes(lines[i : i + 2])
            j = i + 2
            if len(prefix) >= MIN_PREFIX:
                while j < stop and j - i < MAX_ROWS and lines[j].startswith(prefix) and len(lines[j]) > len(prefix):
                    j += 1
                if j - i >= MIN_RUN:
                    block = self._block(lines, i, j, LAYOUT_SLOTS)
                    if block is not None:
                        yield block
                    i = j
                    continue
            i += 1

    def _block(self, lines: Sequence[str], start: int, stop: int, max_slots: int = 0) -> Block | None:
        splits = [split(line) for line in lines[start:stop]]
        template = build_template(splits)
        if template is None or not template.slots or (max_slots and len(template.slots) > max_slots):
            return None  # identical lines are the repeat form's
        if (stop - start - 1) * template.const_chars <= MARKER_CHARS:
            return None
        n = stop - start
        marker = (
            f"[the next {n} lines follow {template.quoted()}; each row below holds one line's {{}} values]"
        )
        return Block(self.name, start, stop, (marker, *(template.row(parts) for parts in splits)))

    def expand(self, match: re.Match[str], lines: Sequence[str], at: int, done: list[str]) -> int:
        n = int(match["t_n"])
        template = unquote(match["t_t"])
        if at + n > len(lines):
            raise ValueError(f"{n} rows announced, {len(lines) - at} there")
        done.extend(fill(template, row) for row in lines[at : at + n])
        return n
