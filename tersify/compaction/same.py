"""A stretch of lines seen before, after the same line: that line, then where to read the rest.

    D415 First line should end with period, question mark, or exclamation point
     --> site-packages/requests/auth.py:1:1
    [the same 11 lines as followed the line above where it last appeared]

The first line of the repeated stretch stays (a location, a frame, a ``self = ...``: it says
what is repeated), and the marker stands for the lines after it: the same lines, in order,
as followed that line at its nearest earlier appearance. Ruff shows one code excerpt per
diagnostic, so several diagnostics at one place repeat it; test runners print the same
frames for every failure that passes through them.

Expansion reads the lines already expanded, so this form's blocks are verified in context
(each block says how far back it reads: ``Block.reach``). The earlier copy is read from the output as it stands, so in the
default mode, where prose lines may lose words, the reference must still find it: the
earlier appearance of the line must be a line that never loses words, the lines after it no
prose (a prose line may go whole, and the count with it), and no line between that may lose
words may hold every word of it (it could shrink into a nearer appearance).
Diffs and JSON bodies are never touched, as copies or as sources.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from tersify.compaction.forms import Block
from tersify.regions import DROP_POLICY, Drop, Kind, Region

MIN_LINES = 3  # lines the marker stands for: fewer saves little and sends the reader back for it
MAX_LINES = 400
# How far back the earlier appearance may be (lines), so a block is checked in bounded time.
MAX_DISTANCE = 5000
# The line that names the stretch must say something: a blank or a lone "|" does not.
MIN_ANCHOR_CHARS = 6
_KINDS = frozenset(Kind) - {Kind.DIFF, Kind.JSON, Kind.COMPACTED}


class SameForm:
    name = "same"
    marker = re.compile(
        r"\[the same (?P<m_n>[1-9][0-9]*) lines as followed the line above where it last appeared\]"
    )

    def find(self, lines: Sequence[str], regions: Sequence[Region]) -> Iterator[Block]:
        from tersify.compaction.engine import escape

        n = len(lines)
        ok = bytearray(n)
        words = bytearray(n)  # 1 for a line that may lose words in the default mode
        prose = bytearray(n)  # 1 for a line that may lose all its words, and go
        for region in regions:
            if region.kind in _KINDS:
                ok[region.start : region.stop] = b"\x01" * len(region)
            policy = DROP_POLICY[region.kind]
            if policy is not Drop.NEVER:
                words[region.start : region.stop] = b"\x01" * len(region)
            if policy is Drop.WORDS:
                prose[region.start : region.stop] = b"\x01" * len(region)
        if n and lines[-1] == "":
            ok[n - 1] = 0  # the element after a final newline is never folded into a block
        last: dict[str, int] = {}
        i = 0
        while i < n:
            line = lines[i]
            p = last.get(line)
            last[line] = i
            if p is None or not ok[i] or not ok[p] or words[p] or i - p > MAX_DISTANCE:
                i += 1
                continue
            if len(line.strip()) < MIN_ANCHOR_CHARS:
                i += 1
                continue
            k = 0
            while (
                k < MAX_LINES
                and i + 1 + k < n
                and p + 1 + k < i
                and ok[i + 1 + k]
                and ok[p + 1 + k]
                and not prose[p + 1 + k]
                and lines[i + 1 + k] == lines[p + 1 + k]
            ):
                k += 1
            if k < MIN_LINES:
                i += 1
                continue
            if _safe(lines, words, p, i):
                marker = f"[the same {k} lines as followed the line above where it last appeared]"
                yield Block(self.name, i, i + 1 + k, (escape(line), marker), reach=i - p)
            # Past the stretch either way, so no line is compared twice (linear time).
            for j in range(i + 1, i + 1 + k):
                last[lines[j]] = j
            i += 1 + k

    def expand(self, match: re.Match[str], lines: Sequence[str], at: int, done: list[str]) -> int:
        k = int(match["m_n"])
        if not done:
            raise ValueError("a same-lines marker with no line before it")
        anchor = done[-1]
        p = len(done) - 2
        while p >= 0 and done[p] != anchor:
            p -= 1
        if p < 0:
            raise ValueError(f"the line above does not appear earlier: {anchor[:80]!r}")
        if p + 1 + k > len(done) - 1:
            raise ValueError(f"{k} lines announced, {len(done) - 2 - p} between the two appearances")
        done.extend(done[p + 1 : p + 1 + k])
        return 0


# Lines between the two appearances that may lose words, at most, for the check below.
MAX_CHECKED = 200


def _safe(lines: Sequence[str], words: bytearray, p: int, i: int) -> bool:
    """No line between ``p`` and ``i`` that may lose words holds every word of ``lines[i]``
    (more such lines than ``MAX_CHECKED``: not checked, and not safe)."""
    between = words.count(1, p + 1, i)
    if not between:
        return True
    if between > MAX_CHECKED:
        return False
    need = set(lines[i].split())
    return not any(words[j] and need <= set(lines[j].split()) for j in range(p + 1, i))
