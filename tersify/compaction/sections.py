"""Repeated multi-line sections (parametrized test failures, retried request dumps): the
section's lines once, as templates, then one row of values per section.

    [the next 3 sections of 4 lines follow the 4 templates below; each row after them holds one section's {} values]
    "___ test_parse_price[{0}] ___"
    "raw = '{1}', cents = {2}"
    "E       AssertionError: assert {3} == {2}"
    "tests/test_cart.py:8: AssertionError"
    0.99-99 0.99 99 98
    1.99-199 1.99 199 198
    2.99-299 2.99 299 298

A run of sections is found from line shapes (whitespace and digit-free words, as for the
other line-shape forms): lines ``K`` apart that share a shape, line after line, for at least
``MIN_REPS`` periods. The section's lines are templated as one text (joined with newlines),
so a value repeated anywhere in a section is written once (``{2}`` above). Failure sections
hold code and error lines; unlike the single-line forms this one takes them, because the
section repeats them whole in its templates, and their values stay in the rows exactly.
Diffs and JSON bodies are never touched.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence

from tersify.compaction.forms import Block
from tersify.compaction.lines import build_template, fill, has_slots, shape_key, split, unquote
from tersify.regions import Kind, Region

MIN_REPS = 3
MIN_LINES = 2  # a one-line period is the template form's
MAX_LINES = 40
MAX_SECTIONS = 200
# Candidate periods tried per stretch (the most frequent distances between lines of a shape).
MAX_PERIODS = 4
# Rough characters the marker and declarations cost beyond the templates' constants.
MARKER_CHARS = 120
# Not logs: there the patterns form writes interleaved shapes, and a section block would
# split one of its chunks.
_KINDS = frozenset({Kind.BLANK, Kind.PROSE, Kind.TABLE, Kind.TEST, Kind.STATUS, Kind.ERROR, Kind.CODE})


class SectionForm:
    name = "sections"
    marker = re.compile(
        r"\[the next (?P<s_n>[1-9][0-9]*) sections of (?P<s_k>[1-9][0-9]*) lines follow the "
        r"(?P=s_k) templates below; each row after them holds one section's \{\} values\]"
    )

    def find(self, lines: Sequence[str], regions: Sequence[Region]) -> Iterator[Block]:
        for start, stop in _spans(lines, regions):
            keys = [shape_key(line) for line in lines[start:stop]]
            last: dict[str, int] = {}
            distances: Counter[int] = Counter()
            for i, key in enumerate(keys):
                if key in last and MIN_LINES <= i - last[key] <= MAX_LINES:
                    distances[i - last[key]] += 1
                last[key] = i
            for period, seen in distances.most_common(MAX_PERIODS):
                if seen < period * (MIN_REPS - 1):
                    continue
                yield from self._runs(lines, start, keys, period)

    def _runs(self, lines: Sequence[str], start: int, keys: list[str], k: int) -> Iterator[Block]:
        i, n = 0, len(keys)
        while i + k < n:
            j = i
            while j + k < n and keys[j] == keys[j + k]:
                j += 1
            if j - i < k * (MIN_REPS - 1):
                i = j + 1  # no run here; lines up to j cannot start one of this period
                continue
            # Start each section at the line that most looks like a section's first line.
            i += max(range(k), key=lambda o: (_opening(lines, start + i + o), -o))
            reps = (j - i + k) // k
            for at in range(0, reps, MAX_SECTIONS):
                count = min(MAX_SECTIONS, reps - at)
                if count >= MIN_REPS:
                    block = self._block(lines, start + i + at * k, k, count)
                    if block is not None:
                        yield block
            i = max(i + reps * k, j + 1)

    def _block(self, lines: Sequence[str], start: int, k: int, count: int) -> Block | None:
        splits = [split("\n".join(lines[start + r * k : start + (r + 1) * k])) for r in range(count)]
        template = build_template(splits)
        if template is None or not template.slots:
            return None  # identical sections: rare, and a plain repeat reads better
        if (count - 1) * template.const_chars <= MARKER_CHARS:
            return None
        declared = template.text.split("\n")
        marker = (
            f"[the next {count} sections of {k} lines follow the {k} templates below; "
            "each row after them holds one section's {} values]"
        )
        rows = [template.row(parts) for parts in splits]
        quoted = [json.dumps(line, ensure_ascii=False) for line in declared]
        return Block(self.name, start, start + count * k, (marker, *quoted, *rows))

    def expand(self, match: re.Match[str], lines: Sequence[str], at: int, done: list[str]) -> int:
        n, k = int(match["s_n"]), int(match["s_k"])
        if at + k + n > len(lines):
            raise ValueError(f"{k} templates and {n} rows announced, {len(lines) - at} lines there")
        template = "\n".join(unquote(line) for line in lines[at : at + k])
        if not has_slots(template):
            raise ValueError("a section template without slots")
        for row in lines[at + k : at + k + n]:
            section = fill(template, row).split("\n")
            if len(section) != k:
                raise ValueError(f"a section of {len(section)} lines, {k} announced")
            done.extend(section)
        return k + n


_RULE = re.compile(r"\s*([_=*#~-])\1\1")


def _opening(lines: Sequence[str], i: int) -> int:
    """How much line ``i`` looks like the first line of a section: a rule (``____ name ____``),
    then a line after a blank one, then an unindented line."""
    line = lines[i]
    if _RULE.match(line):
        return 3
    if i and not lines[i - 1].strip() and line.strip():
        return 2
    return 1 if line[:1].strip() else 0


def _spans(lines: Sequence[str], regions: Sequence[Region]) -> list[tuple[int, int]]:
    """Maximal runs of lines of the kinds this form takes (the final "" of a text left out)."""
    n = len(lines)
    ok = bytearray(n)
    for region in regions:
        if region.kind in _KINDS:
            ok[region.start : region.stop] = b"\x01" * len(region)
    if n and lines[-1] == "":
        ok[n - 1] = 0
    spans: list[tuple[int, int]] = []
    i = 0
    while i < n:
        if ok[i]:
            j = i
            while j < n and ok[j]:
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    return spans
