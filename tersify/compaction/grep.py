"""Runs of search hits of one file (``grep -n``, ``git grep -n``, ``rg -n``): the path once.

    [3 matches in pkg/invoicing/pricing.py, as line number:text]
    5:def apply_discount(amount, percent):
    10:def total(lines):
    14:def load_rates(path):

A hit is ``PATH:LINE:TEXT``; with context (``-C``) a context line is ``PATH-LINE-TEXT``, and
the marker then says so; groups of one file that grep separates with ``--`` stay in one run,
the ``--`` rows kept as they are (the marker then says ``-- between groups``). Each row is its line with ``PATH`` and the separator after it taken
off, so the text stays byte for byte. The region detector calls these lines CODE (their
text is code), and no other form touches CODE: this one does, but only lines of exactly
this shape, and only runs of one path, which it never changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from tersify.compaction.forms import Block
from tersify.regions import Kind, Region

MIN_RUN = 2
MAX_ROWS = 500
# Path characters saved a run needs (rows after the first times the path) to be proposed.
MIN_SAVED_CHARS = 40
# The line grep prints between groups of context lines (-A, -B, -C).
GROUP_SEPARATOR = "--"
_KINDS = frozenset({Kind.CODE, Kind.PROSE, Kind.LOG, Kind.STATUS, Kind.ERROR, Kind.TEST, Kind.TABLE})
# A hit: the path up to the first ``:<digits>:``; no whitespace may open the path.
_HIT = re.compile(r"(?P<path>[^\s:\[][^:]*?):[0-9]+:")
_ROW = re.compile(r"[0-9]+(?P<sep>[:-])")


class GrepForm:
    name = "grep"
    marker = re.compile(
        r"\[(?P<g_n>[1-9][0-9]*) (?:matches in|lines of) (?P<g_p>[^\s:\[][^:]*?), as line number:text"
        r"(?P<g_c> \(line number-text for context(?P<g_s>, -- between groups)?\))?\]"
    )

    def find(self, lines: Sequence[str], regions: Sequence[Region]) -> Iterator[Block]:
        ok = bytearray(len(lines))
        for region in regions:
            if region.kind in _KINDS:
                ok[region.start : region.stop] = b"\x01" * len(region)
        i = done = 0
        n = len(lines)
        while i < n:
            hit = _HIT.match(lines[i]) if ok[i] else None
            if hit is None:
                i += 1
                continue
            path = hit["path"]
            # Context lines before the first hit belong to the run too.
            first = i
            while first > done and ok[first - 1] and _fits(lines[first - 1], path):
                first -= 1
            context = first < i
            j = i + 1
            groups = False
            while j < n and j - i < MAX_ROWS and ok[j]:
                if _fits(lines[j], path):
                    context = context or lines[j][len(path)] == "-"
                elif lines[j] == GROUP_SEPARATOR and j + 1 < n and ok[j + 1] and _fits(lines[j + 1], path):
                    groups = True  # grep -A/-B/-C: the next group is of the same file
                else:
                    break
                j += 1
            if j - first >= MIN_RUN and len(path) * (j - first - 1) >= MIN_SAVED_CHARS:
                yield self._block(lines, first, j, path, context, groups)
            i = done = j

    def _block(self, lines: Sequence[str], start: int, stop: int, path: str, context: bool, groups: bool) -> Block:
        n = stop - start
        if context or groups:
            between = ", -- between groups" if groups else ""
            marker = f"[{n} lines of {path}, as line number:text (line number-text for context{between})]"
        else:
            marker = f"[{n} matches in {path}, as line number:text]"
        cut = len(path) + 1
        rows = (line if line == GROUP_SEPARATOR else line[cut:] for line in lines[start:stop])
        return Block(self.name, start, stop, (marker, *rows))

    def expand(self, match: re.Match[str], lines: Sequence[str], at: int, done: list[str]) -> int:
        n = int(match["g_n"])
        path = match["g_p"]
        context = match["g_c"] is not None
        groups = match["g_s"] is not None
        if at + n > len(lines):
            raise ValueError(f"{n} rows announced, {len(lines) - at} there")
        for row in lines[at : at + n]:
            if groups and row == GROUP_SEPARATOR:
                done.append(row)
                continue
            head = _ROW.match(row)
            if head is None or (head["sep"] == "-" and not context):
                raise ValueError(f"not a line number and text: {row[:80]!r}")
            done.append(f"{path}{head['sep']}{row}")
        return n


def _fits(line: str, path: str) -> bool:
    """True for a hit or context line of ``path`` whose two separators agree."""
    if not line.startswith(path) or len(line) <= len(path):
        return False
    sep = line[len(path)]
    if sep not in ":-":
        return False
    head = _ROW.match(line, len(path) + 1)
    return head is not None and head["sep"] == sep
