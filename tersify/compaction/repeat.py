"""Runs of identical lines: the line once, then ``[previous line repeated N more times]``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from tersify.compaction.forms import Block
from tersify.regions import Region

MIN_RUN = 2


class RepeatForm:
    name = "repeat"
    marker = re.compile(r"\[previous line repeated (?P<n>[1-9][0-9]*) more times?\]")

    def find(self, lines: Sequence[str], regions: Sequence[Region]) -> Iterator[Block]:
        from tersify.compaction.engine import escape

        i, n = 0, len(lines)
        while i < n:
            j = i + 1
            while j < n and lines[j] == lines[i]:
                j += 1
            # The text's last element is "" when it ends with a newline: never fold it in.
            if j - i >= MIN_RUN and not (j == n and lines[i] == ""):
                more = j - i - 1
                marker = f"[previous line repeated {more} more time{'s' if more > 1 else ''}]"
                yield Block(self.name, i, j, (escape(lines[i]), marker))
            i = j

    def expand(self, match: re.Match[str], lines: Sequence[str], at: int, done: list[str]) -> int:
        if not done:
            raise ValueError("a repeat marker with no line before it")
        done.extend([done[-1]] * int(match["n"]))
        return 0
