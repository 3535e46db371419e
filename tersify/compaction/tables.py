"""Aligned tables and listings (``ls -l``, ``ps``, ``df``): the column padding written away.

    [next 3 lines: table rows, padding removed; column edges L0 R12 L14 L19 R30 L31]
    -rw-r--r-- 1 root root 173 2024-03-12 10:00 Makefile
    -rwxr-xr-x 1 root root 15984 2026-11-25 20:01 ok
    ...

Each column is named by its alignment and edge: ``L14`` starts at character 14, ``R30``
ends at character 30. Rows hold the fields separated by single spaces; the last column is
the rest of the line (it may hold spaces). In o200k a run of spaces is a token of its own,
so each padded gap costs about one token: the form pays on tables of a few rows and more.

A run grows from a line while every column stays left- or right-aligned across its lines
(fields are split on spaces only, so tabs and ``\\r`` stay inside fields).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from tersify.compaction.forms import Block
from tersify.compaction.lines import eligible_spans
from tersify.regions import Region

MIN_ROWS = 3
MAX_ROWS = 500  # longer tables are cut, so a marker stays near its rows
MAX_COLUMNS = 40
# Padded gaps a run needs beyond one per column (the marker's edges) before it is proposed.
MIN_PADDED = 8
_FIELD = re.compile(r"[^ ]+")
_EDGE = r"[LR](?:0|[1-9][0-9]{0,6})"


class TableForm:
    name = "table"
    marker = re.compile(
        r"\[next (?P<c_n>[1-9][0-9]*) lines: table rows, padding removed; "
        rf"column edges (?P<c_c>{_EDGE}(?: {_EDGE})*)\]"
    )

    def find(self, lines: Sequence[str], regions: Sequence[Region]) -> Iterator[Block]:
        for start, stop in eligible_spans(lines, regions):
            spans: dict[int, list[tuple[int, int]]] = {}

            def fields(i: int, spans: dict[int, list[tuple[int, int]]] = spans) -> list[tuple[int, int]]:
                got = spans.get(i)
                if got is None:
                    got = spans[i] = [m.span() for m in _FIELD.finditer(lines[i])]
                return got

            i = start
            while i + MIN_ROWS <= stop:
                # Only padding pays: skip ahead while the next lines have no run of spaces.
                if not any("  " in lines[t] for t in range(i, i + MIN_ROWS)):
                    i += 1
                    continue
                j, block = self._run(lines, i, stop, fields)
                if block is not None:
                    yield block
                i = j if j - i >= MIN_ROWS else i + 1

    def _run(self, lines: Sequence[str], i: int, stop: int, fields) -> tuple[int, Block | None]:
        c = min(len(fields(t)) for t in range(i, i + MIN_ROWS))
        if not 2 <= c <= MAX_COLUMNS:
            return i, None
        first = fields(i)
        starts = [first[k][0] for k in range(c)]
        ends = [first[k][1] for k in range(c - 1)] + [len(lines[i])]
        left = [True] * c
        right = [True] * c
        padded = 0
        j = i
        while j < min(stop, i + MAX_ROWS):
            f = fields(j)
            if len(f) < c:
                break
            size = len(lines[j])
            new_left = [left[k] and f[k][0] == starts[k] for k in range(c)]
            new_right = [right[k] and f[k][1] == ends[k] for k in range(c - 1)]
            new_right.append(right[c - 1] and size == ends[c - 1])
            if not all(a or b for a, b in zip(new_left, new_right, strict=True)):
                break
            left, right = new_left, new_right
            padded += (f[0][0] > 0) + sum(f[k][0] - f[k - 1][1] > 1 for k in range(1, c))
            j += 1
        if j - i < MIN_ROWS or padded <= c + MIN_PADDED:
            return j, None
        edges = " ".join(f"L{starts[k]}" if left[k] else f"R{ends[k]}" for k in range(c))
        rows = []
        for t in range(i, j):
            f = fields(t)
            line = lines[t]
            rows.append(" ".join([line[a:b] for a, b in f[: c - 1]] + [line[f[c - 1][0] :]]))
        marker = f"[next {j - i} lines: table rows, padding removed; column edges {edges}]"
        return j, Block(self.name, i, j, (marker, *rows))

    def expand(self, match: re.Match[str], lines: Sequence[str], at: int, done: list[str]) -> int:
        n = int(match["c_n"])
        edges = [(edge[0] == "L", int(edge[1:])) for edge in match["c_c"].split(" ")]
        if at + n > len(lines):
            raise ValueError(f"{n} rows announced, {len(lines) - at} there")
        for row in lines[at : at + n]:
            values = row.split(" ", len(edges) - 1)
            if len(values) != len(edges):
                raise ValueError(f"{len(values)} fields for {len(edges)} columns")
            out = ""
            for (is_left, edge), value in zip(edges, values, strict=True):
                pad = edge - len(out) if is_left else edge - len(out) - len(value)
                if pad < (1 if out else 0):
                    raise ValueError(f"a field does not fit its column: {value[:40]!r}")
                out += " " * pad + value
            done.append(out)
        return n
