"""``tersify compress --show``: what compression did, for a person to judge.

The compacted text is printed with its compaction markers and rows highlighted and every
dropped word struck through, followed by a legend and the token counts. Named noise goes
before compaction, so it is counted in the legend, not shown. Where the output is not a
terminal (a pipe, a file), styles would vanish, so dropped words are written in wdiff's
notation instead, ``[-word-]``.
"""

from __future__ import annotations

import bisect

import numpy as np
from rich.console import Console
from rich.text import Text

from tersify.compress import CompressResult
from tersify.regions import Kind

BLOCK_STYLE = "cyan"
DROPPED_STYLE = "strike dim red"


def render(result: CompressResult, *, plain: bool = False) -> Text:
    """The compacted text: block lines in one style, dropped words in another (``plain``:
    dropped words as ``[-word-]``, for output that shows no styles)."""
    words, keep = result.words, result.keep
    text = words.text
    line_starts = words.line_starts.tolist()
    block_lines = {i for i, kind in enumerate(result.compacted.line_kinds) if kind is Kind.COMPACTED}
    out = Text()
    pos = 0
    for i in np.flatnonzero(~keep).tolist():  # dropped words, in order
        start, end = int(words.starts[i]), int(words.ends[i])
        _append_plain(out, text[pos:start], pos, line_starts, block_lines)
        out.append(f"[-{text[start:end]}-]" if plain else text[start:end], style=DROPPED_STYLE)
        pos = end
    _append_plain(out, text[pos:], pos, line_starts, block_lines)
    return out


def _append_plain(out: Text, piece: str, offset: int, line_starts: list[int], block_lines: set[int]) -> None:
    """Append ``piece`` (starting at ``offset``), styling the parts on compacted lines."""
    if not block_lines:
        out.append(piece)
        return
    at = 0
    while at < len(piece):
        line = bisect.bisect_right(line_starts, offset + at) - 1
        line_end = line_starts[line + 1] - offset if line + 1 < len(line_starts) else len(piece)
        stop = min(len(piece), max(line_end, at + 1))
        out.append(piece[at:stop], style=BLOCK_STYLE if line in block_lines else None)
        at = stop


def show(result: CompressResult, console: Console | None = None) -> None:
    console = console or Console(highlight=False, soft_wrap=True)
    plain = not console.is_terminal
    console.print(render(result, plain=plain), end="")
    if result.text and not result.text.endswith("\n"):
        console.print()
    s = result.stats
    legend = Text()
    legend.append("\n── ")
    legend.append("compacted (reversible: tersify expand)", style=BLOCK_STYLE)
    legend.append("  ")
    legend.append("[-dropped word-]" if plain else "dropped word", style=DROPPED_STYLE)
    legend.append(
        f"  ──  tokens {s.tokens_in} -> {s.tokens_out} ({s.encoding}), {s.blocks} blocks, "
        f"{s.words_in - s.words_out} words dropped, {s.noise_words} noise words removed first "
        "(progress percentages, bars, rules; not shown)"
    )
    console.print(legend)
