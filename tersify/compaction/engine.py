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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from tersify.compaction.forms import Block, Form, forms
from tersify.compaction.same import MAX_DISTANCE
from tersify.errors import TersifyError
from tersify.regions import Kind, Region

if TYPE_CHECKING:
    from tersify.tokens import LineTokens

ESCAPE = "\\"


@dataclass(frozen=True)
class Compacted:
    text: str
    line_kinds: tuple[Kind, ...]  # the kind of each output line (COMPACTED for block lines)
    blocks: tuple[Block, ...]  # the blocks used, in order
    tokens_saved: int  # real tokens saved by the blocks, markers counted
    # The text's tokens are exactly the input's less ``tokens_saved``: no line was escaped and
    # every block begins and ends where o200k's pre-tokenizer starts a piece on both sides.
    saved_exact: bool = False


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
    done = [] if done is None else done
    _expand_into(lines, done)
    return done


def _expand_into(lines: Sequence[str], done: list[str], *, final: bool = True, base: int = 0) -> int:
    """Append the expansion of ``lines`` to ``done`` (whose last line a repeat marker
    repeats); returns how many of ``lines`` were used. Unless ``final``, more lines may
    follow: it stops at a block that fails, as its rows may not all be there yet, and only
    the final call raises. ``base``: the line number of ``lines[0]``, for messages."""
    by_form = _forms()
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if line.startswith("["):
            for form in by_form:
                match = form.marker.fullmatch(line)
                if match is not None:
                    mark = len(done)
                    try:
                        i += 1 + form.expand(match, lines, i + 1, done)
                    except (ValueError, IndexError) as exc:
                        if not final:
                            del done[mark:]  # a form may have written some rows before failing
                            return i
                        raise TersifyError(f"cannot expand line {base + i + 1}: {line[:80]!r}: {exc}") from None
                    break
            else:
                done.append(line)
                i += 1
        elif line.startswith(ESCAPE) and needs_escape(line):
            done.append(line[1:])
            i += 1
        else:
            done.append(line)
            i += 1
    return i


def expand(text: str) -> str:
    """The original text of a compacted one (text without markers comes back unchanged).

    A budget's elision markers (``[lines 120-480 omitted: ...]``) stay as they are: the
    lines they stand for are not in the text; ``tersify retrieve`` prints them."""
    if not isinstance(text, str):
        raise TersifyError(f"expand() takes str, not {type(text).__name__}")
    return "".join(expand_stream([text]))


# Lines of the expanded output a block may read back (the "same" form's reach, plus its anchor).
_READ_BACK = MAX_DISTANCE + 1


def expand_stream(chunks: Iterable[str]) -> Iterator[str]:
    """:func:`expand` over text that arrives in chunks (cut anywhere), yielding the
    original as it goes: ``"".join(expand_stream(chunks)) == expand("".join(chunks))``.

    Only the lines of the block being read are held, and the last :data:`_READ_BACK` lines
    written (a repeat marker repeats the last line; a "same" marker copies lines from at
    most that far back)."""
    pending: list[str] = []  # whole lines not expanded yet
    tail = ""  # the line being read
    done: list[str] = []
    base = 0  # the line number of pending[0]
    retry_at = 0  # a block that failed is tried again once pending has grown this long
    started = False

    def flush(new: list[str]) -> Iterator[str]:
        nonlocal started
        if new:
            yield ("\n" if started else "") + "\n".join(new)
            started = True

    for chunk in chunks:
        if not chunk:
            continue
        parts = (tail + chunk).split("\n")
        tail = parts.pop()
        pending.extend(parts)
        if len(pending) < max(retry_at, 1):
            continue
        kept = len(done)
        used = _expand_into(pending, done, final=False, base=base)
        yield from flush(done[kept:])
        del pending[:used]
        base += used
        done = done[-_READ_BACK:]  # what a later block may read: a repeat the last line, "same" more
        # Doubling before the next try keeps a long block linear, not quadratic.
        retry_at = 2 * len(pending) if pending else 0
    pending.append(tail)
    kept = len(done)
    _expand_into(pending, done, base=base)
    yield from flush(done[kept:])


def _block_tokens(lines: Sequence[str], count: Callable[[str], int]) -> int:
    return count("\n".join(lines) + "\n")


def compact(
    text: str,
    regions: Sequence[Region] | None = None,
    *,
    count: Callable[[str], int] | None = None,
    runs: LineTokens | None = None,
) -> Compacted:
    """Rewrite repetition in ``text`` reversibly, where it saves tokens (markers counted).
    ``runs``: the o200k counts of ``text``'s lines, when the caller counts them too."""
    lines = text.split("\n")
    if count is None:
        from tersify.tokens import LineTokens, starts_piece
        from tersify.tokens import count_tokens as count

        if runs is None or runs.lines != lines:
            runs = LineTokens(lines)  # o200k: each input line counted once, however many blocks hold it
    else:
        runs = None
    if regions is None:
        from tersify.regions import detect_regions

        regions = detect_regions(lines)
    kinds: list[Kind] = [Kind.PROSE] * len(lines)
    for region in regions:
        kinds[region.start : region.stop] = [region.kind] * len(region)

    chosen = _choose(lines, regions, count, runs)
    out: list[str] = []
    out_kinds: list[Kind] = []
    at = 0
    saved = 0
    escaped = 0
    for block, gain in chosen:
        for i in range(at, block.start):
            line = escape(lines[i])
            escaped += line is not lines[i]
            out.append(line)
        out_kinds.extend(kinds[at : block.start])
        out.extend(block.lines)
        out_kinds.extend([Kind.COMPACTED] * len(block.lines))
        at = block.stop
        saved += gain
    for i in range(at, len(lines)):
        line = escape(lines[i])
        escaped += line is not lines[i]
        out.append(line)
    out_kinds.extend(kinds[at:])
    # The output's tokens are the input's less ``saved`` when each block's gain (its lines and
    # one newline, counted alone) adds up: a piece starts before and after the block on both
    # sides (so no block ends the text), and no line was escaped.
    exact = runs is not None and not escaped and all(
        runs.starts_piece(block.start) and block.stop < len(lines) and runs.starts_piece(block.stop)
        and starts_piece(block.lines[0])
        for block, _ in chosen
    )
    return Compacted("\n".join(out), tuple(out_kinds), tuple(b for b, _ in chosen), saved, exact)


def _choose(lines: Sequence[str], regions: Sequence[Region], count: Callable[[str], int],
            runs: LineTokens | None = None) -> list[tuple[Block, int]]:
    """Blocks that expand exactly and save tokens, none overlapping, the most saved in all; in
    text order. ``runs``: counts ``lines[a:b]`` as ``_block_tokens`` would, faster."""
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
            tokens = runs.run(block.start, block.stop) if runs is not None else _block_tokens(original, count)
            gain = tokens - _block_tokens(block.lines, count)
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
