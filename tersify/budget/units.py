"""The units a budget keeps or leaves out, each tied to the original lines it shows.

The normal pipeline's output is cut into units that are kept whole or left out whole:
one line (a JSON document on one line is left out whole, its outline in the marker); a
diff hunk (its ``@@`` line and the lines its counts announce). A compaction block, or a
JSON document of several lines, is kept whole or not at all: it is an :class:`Option` that
shows all its lines at once, and its original lines are also units of their own, so a
budget too small for it still shows the lines in it that matter, with markers between.
A JSON document is shown in part only when it costs more than half the budget. Each unit knows the range of *original* input lines it stands for,
through the two stages that may drop lines: named noise (whole noise lines go) and word
dropping (a prose line that loses every word goes). Lines that went there are in no unit;
a marker's range takes in any that lie between the units it replaces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tersify.budget.markers import Omitted
from tersify.compaction import Compacted
from tersify.compaction.engine import escape
from tersify.regions import Kind, Region
from tersify.regions.patterns import HUNK
from tersify.text.segment import Words

LINE, WHOLE, END = "line", "whole", "end"
GAP = "gap"  # lines an earlier pass left out (its ``Omitted``): never shown, merged into the marker around it


@dataclass(slots=True)
class Unit:
    kind: str  # LINE, WHOLE (a JSON document or block, or a hunk, kept whole), END (the final ""), GAP
    text: str  # what the output shows when it is kept
    src_start: int  # source lines [src_start, src_stop) (the text after named noise went)
    src_stop: int
    start: int  # original lines [start, stop)
    stop: int
    json: bool = False
    hunk: bool = False
    option: int = -1  # the block option this line belongs to, if any
    shape: str | None = None  # a JSON document's outline for its marker, once computed
    # Units shown only with these: a diff hunk needs its file's header lines ("diff --git",
    # "---", "+++"), or it would read as a change to the file named above it.
    needs: tuple[int, ...] = ()
    file_header: bool = False  # a diff file header line
    gap: Omitted | None = None  # a GAP unit's left-out lines
    keys: frozenset[int] | None = None  # a part of an earlier pass: its kinds (template keys) ...
    errors: int = 0  # ... and its error lines
    tokens: int = -1  # ... and its text's tokens (-1: not counted yet)


@dataclass(slots=True)
class Option:
    """A compaction block: written whole, it shows units ``[first, stop)`` at once."""

    first: int
    stop: int
    text: str
    json: bool = False  # a JSON document (of several lines): shown in part only when over half the budget
    shape: str | None = None
    tokens: int = -1  # its text's tokens, when an earlier pass counted them


@dataclass(frozen=True)
class Layout:
    units: list[Unit]
    options: list[Option]
    source_lines: list[str]
    lines_in: int  # lines of the original (a final newline ends the last one)


def _source_to_original(text: str, stays: np.ndarray | None, n_source: int) -> np.ndarray:
    """Per source line, the original line it came from (the split length for none)."""
    n_split = text.count("\n") + 1
    if stays is None:
        return np.arange(n_source, dtype=np.int64)
    mapped = np.flatnonzero(stays).astype(np.int64)
    if mapped.shape[0] < n_source:  # a last line without "\n" went whole: "" is left after the "\n"
        mapped = np.concatenate((mapped, np.full(n_source - mapped.shape[0], n_split, dtype=np.int64)))
    return mapped


def layout(
    text: str,
    source: str,
    stays: np.ndarray | None,
    regions: list[Region] | tuple[Region, ...],
    compacted: Compacted,
    words: Words,
    keep: np.ndarray,
    output: str,
) -> Layout:
    """The units of ``output``, the pipeline's result for ``text`` (see the module docstring).

    ``source``: the text after named noise went; ``stays``: per original line whether it is
    still in ``source`` (None: all are); ``regions``: of ``source``; ``compacted``: of
    ``source``; ``words``/``keep``: the words of ``compacted.text`` and which were kept."""
    lines_in = 0 if not text else text.count("\n") + (0 if text.endswith("\n") else 1)
    source_lines = source.split("\n")
    orig = _source_to_original(text, stays, len(source_lines)).tolist()
    kinds: list[Kind] = [Kind.PROSE] * len(source_lines)
    region_of = [0] * len(source_lines)
    for number, region in enumerate(regions):
        kinds[region.start : region.stop] = [region.kind] * len(region)
        region_of[region.start : region.stop] = [number] * len(region)

    # Per compacted line: its source line, or ~block for a block's line.
    rows: list[int] = []
    at = 0
    for b, block in enumerate(compacted.blocks):
        rows.extend(range(at, block.start))
        rows.extend([~b] * len(block.lines))
        at = block.stop
    rows.extend(range(at, len(source_lines)))
    gone = np.zeros(len(rows), dtype=bool)
    if len(words) and not keep.all():  # a line whose every word was dropped is not in the output
        has_words = np.bincount(words.lines, minlength=len(rows)) > 0
        has_kept = np.bincount(words.lines[keep], minlength=len(rows)) > 0
        gone = has_words & ~has_kept
    out_lines = output.split("\n")
    shown = [row for row, g in zip(rows, gone.tolist(), strict=True) if not g]
    extra_end = len(out_lines) == len(shown) + 1 and out_lines[-1] == ""
    if len(out_lines) != len(shown) + extra_end:
        raise AssertionError("the output's lines do not match the compacted lines")

    def span(s0: int, s1: int) -> tuple[int, int]:
        return orig[s0], orig[s1 - 1] + 1

    units: list[Unit] = []
    options: list[Option] = []
    i, n = 0, len(shown)
    while i < n:
        row = shown[i]
        if row < 0:
            block = compacted.blocks[~row]
            j = i
            while j < n and shown[j] == row:
                j += 1
            whole = "\n".join(out_lines[i:j])
            a, z = span(block.start, block.stop)
            if block.stop - block.start < 2:
                units.append(Unit(WHOLE, whole, block.start, block.stop, a, z, json=block.form == "json"))
            else:
                first = len(units)
                for s in range(block.start, block.stop):
                    units.append(Unit(LINE, escape(source_lines[s]), s, s + 1, orig[s], orig[s] + 1,
                                      option=len(options)))
                options.append(Option(first, len(units), whole, json=block.form == "json"))
            i = j
            continue
        a, z = span(row, row + 1)
        if a >= lines_in:  # the "" after a final newline
            units.append(Unit(END, out_lines[i], row, row + 1, lines_in, lines_in))
            i += 1
            continue
        j = i + 1
        kind = kinds[row]
        if kind is Kind.JSON:  # a JSON document goes whole or stays whole
            while j < n and shown[j] == shown[j - 1] + 1 and region_of[shown[j]] == region_of[row]:
                j += 1
        elif kind is Kind.DIFF and source_lines[row].startswith("@@"):
            j = _hunk_end(shown, j, source_lines, source_lines[row])
        if j == i + 1 and kind is not Kind.JSON:
            units.append(Unit(LINE, out_lines[i], row, row + 1, a, z))
        elif kind is Kind.JSON and j > i + 1:
            first = len(units)
            for k in range(i, j):
                s = shown[k]
                units.append(Unit(LINE, out_lines[k], s, s + 1, orig[s], orig[s] + 1, option=len(options)))
            options.append(Option(first, len(units), "\n".join(out_lines[i:j]), json=True))
        else:
            last = shown[j - 1]
            units.append(Unit(WHOLE, "\n".join(out_lines[i:j]), row, last + 1, a, orig[last] + 1,
                              json=kind is Kind.JSON, hunk=kind is Kind.DIFF))
        i = j
    if extra_end:
        units.append(Unit(END, "", len(source_lines), len(source_lines), lines_in, lines_in))
    _tie_hunks_to_headers(units, source_lines, kinds)
    return Layout(units, options, source_lines, lines_in)


_FILE_HEADER = ("diff --git ", "diff --cc ", "diff --combined ", "--- ", "+++ ", "index ", "new file mode",
                "deleted file mode", "similarity index", "rename from", "rename to", "old mode", "new mode")


def _tie_hunks_to_headers(units: list[Unit], source_lines: list[str], kinds: list[Kind]) -> None:
    """Mark the header lines of each file of a diff, and make every hunk after them need them."""
    header: list[int] = []
    in_header = False
    for i, unit in enumerate(units):
        if unit.kind == END or unit.src_stop - unit.src_start < 1:
            continue
        first = source_lines[unit.src_start]
        if kinds[unit.src_start] is not Kind.DIFF:
            header, in_header = [], False
            continue
        if unit.hunk or first.startswith("@@"):
            unit.needs = tuple(header)
            in_header = False
        elif first.startswith(_FILE_HEADER) and unit.kind == LINE:
            if first.startswith(("diff ", "--- ")) and not in_header:
                header = []  # a new file's header starts
            header.append(i)
            unit.file_header = True
            in_header = True


def _hunk_end(shown: list[int], j: int, lines: list[str], header: str) -> int:
    """Where the hunk whose ``@@`` line comes before ``shown[j]`` ends (its counts say)."""
    match = HUNK.match(header)
    if match is None:
        return j
    old = int(match.group(1)) if match.group(1) is not None else 1
    new = int(match.group(2)) if match.group(2) is not None else 1
    n = len(shown)
    while j < n and shown[j] == shown[j - 1] + 1:
        line = lines[shown[j]]
        first = line[:1]
        if first == "\\":  # "\ No newline at end of file"
            j += 1
            continue
        if old <= 0 and new <= 0:
            break
        if first in (" ", ""):
            old, new = old - 1, new - 1
        elif first == "-":
            old -= 1
        elif first == "+":
            new -= 1
        else:
            break
        j += 1
    return j
