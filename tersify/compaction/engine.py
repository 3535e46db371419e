"""Compaction engine: choose blocks that pay, write them, and expand them back.

Text is handled as its lines (split on ``\\n``; a ``\\r`` stays in its line; a final
newline leaves an empty last element), so ``"\\n".join`` restores it exactly. A line of
the input that a marker pattern would match, or that is such a line behind the escape
``\\``, is written with one more ``\\`` in front; expansion removes it. Rows inside a
block are read by count, never interpreted, so they need no escaping.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from tersify.compaction.forms import Block, Form, forms
from tersify.errors import TersifyError
from tersify.regions import Kind, Region

ESCAPE = "\\"


@dataclass(frozen=True)
class Compacted:
    text: str
    line_kinds: tuple[Kind, ...]  # the kind of each output line (COMPACTED for block lines)
    blocks: tuple[Block, ...]  # the blocks used, in order
    tokens_saved: int  # real tokens saved by the blocks, markers counted


@cache
def _forms() -> tuple[Form, ...]:
    return forms()


@cache
def _any_marker() -> re.Pattern[str]:
    # The budget's elision markers are escaped too: expansion leaves them as they are, so an
    # input line that reads like one must not be taken for one.
    from tersify.budget.markers import MARKER

    patterns = [form.marker.pattern for form in _forms()] + [MARKER.pattern]
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


def needs_escape(line: str) -> bool:
    """True for a line expansion would read as a marker, or as an escaped one."""
    while line.startswith(ESCAPE):
        line = line[1:]
    return line.startswith("[") and _any_marker().fullmatch(line) is not None


def escape(line: str) -> str:
    return ESCAPE + line if needs_escape(line) else line


def _expand_lines(lines: Sequence[str], done: list[str] | None = None) -> list[str]:
    """``done`` (the lines expanded so far) followed by the expansion of ``lines``."""
    if done is None:
        done = []
    by_form = _forms()
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        i += 1
        if line.startswith("["):
            for form in by_form:
                match = form.marker.fullmatch(line)
                if match is not None:
                    try:
                        i += form.expand(match, lines, i, done)
                    except (ValueError, IndexError) as exc:
                        raise TersifyError(f"cannot expand line {i}: {line[:80]!r}: {exc}") from None
                    break
            else:
                done.append(line)
        elif line.startswith(ESCAPE) and needs_escape(line):
            done.append(line[1:])
        else:
            done.append(line)
    return done


def expand(text: str) -> str:
    """The original text of a compacted one (text without markers comes back unchanged).

    A budget's elision markers (``[lines 120-480 omitted: ...]``) stay as they are: the
    lines they stand for are not in the text; ``tersify retrieve`` prints them."""
    if not isinstance(text, str):
        raise TersifyError(f"expand() takes str, not {type(text).__name__}")
    return "\n".join(_expand_lines(text.split("\n")))


def _block_tokens(lines: Sequence[str], count: Callable[[str], int]) -> int:
    return count("\n".join(lines) + "\n")


def compact(
    text: str,
    regions: Sequence[Region] | None = None,
    *,
    count: Callable[[str], int] | None = None,
) -> Compacted:
    """Rewrite repetition in ``text`` reversibly, where it saves tokens (markers counted)."""
    if count is None:
        from tersify.tokens import count_tokens as count
    lines = text.split("\n")
    if regions is None:
        from tersify.regions import detect_regions

        regions = detect_regions(lines)
    kinds: list[Kind] = [Kind.PROSE] * len(lines)
    for region in regions:
        kinds[region.start : region.stop] = [region.kind] * len(region)

    chosen = _choose(lines, regions, count)
    out: list[str] = []
    out_kinds: list[Kind] = []
    at = 0
    saved = 0
    for block, gain in chosen:
        for i in range(at, block.start):
            out.append(escape(lines[i]))
        out_kinds.extend(kinds[at : block.start])
        out.extend(block.lines)
        out_kinds.extend([Kind.COMPACTED] * len(block.lines))
        at = block.stop
        saved += gain
    for i in range(at, len(lines)):
        out.append(escape(lines[i]))
    out_kinds.extend(kinds[at:])
    return Compacted("\n".join(out), tuple(out_kinds), tuple(b for b, _ in chosen), saved)


def _choose(lines: Sequence[str], regions: Sequence[Region], count: Callable[[str], int]) -> list[tuple[Block, int]]:
    """Blocks that expand exactly and save tokens, none overlapping, the most saved in all; in text order."""
    scored: list[tuple[int, int, Block]] = []
    for order, form in enumerate(_forms()):
        for block in form.find(lines, regions):
            original = lines[block.start : block.stop]
            # A block that reads lines before it (an earlier copy) is checked with those lines.
            before = list(lines[max(0, block.start - block.reach) : block.start]) if block.reach else []
            skip = len(before)  # _expand_lines appends to ``before``
            try:
                exact = _expand_lines(block.lines, before)[skip:] == list(original)
            except TersifyError:
                exact = False
            if not exact:
                continue  # a form that cannot reproduce its input is not used there
            gain = _block_tokens(original, count) - _block_tokens(block.lines, count)
            if gain > 0:
                scored.append((gain, order, block))
    return _best_set(scored)


def _best_set(scored: list[tuple[int, int, Block]]) -> list[tuple[Block, int]]:
    """The non-overlapping blocks of the greatest total gain (weighted interval scheduling),
    in text order: one large block never wins over smaller ones that together save more."""
    scored = sorted(scored, key=lambda item: (item[2].stop, item[2].start, item[1], -item[0]))
    ends = [block.stop for _, _, block in scored]
    total = [0] * (len(scored) + 1)  # total[i]: the best over the first i blocks
    before = [0] * len(scored)  # how many blocks end at or before each block's start
    for i, (gain, _, block) in enumerate(scored):
        before[i] = bisect_right(ends, block.start, 0, i)
        total[i + 1] = max(total[i], gain + total[before[i]])
    taken: list[tuple[Block, int]] = []
    i = len(scored)
    while i:
        gain, _, block = scored[i - 1]
        if total[i] == total[i - 1]:
            i -= 1
        else:
            taken.append((block, gain))
            i = before[i - 1]
    taken.reverse()
    return taken
