"""Interleaved line shapes (logs): a few patterns declared once, then one short row per line.

    [the next 5 lines use 2 patterns; a row is a pattern's name, then its {} values]
    A "081109 {} {} INFO dfs.DataNode$PacketResponder: PacketResponder {} for block blk_{} terminating"
    B "081109 {} {} INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: {}:50010 is added to blk_{} size 67108864"
    A 203615 148 1 38865049064139660
    B 204005 35 10.251.73.220 7128370237687728475
    ...

A line that fits no pattern is a row ``= `` followed by the line as is (the marker then says
so); an empty line is an empty row, as a reader expects. Patterns are mined per chunk of at most ``CHUNK`` lines, deterministically and with no
state across calls: lines are grouped by shape key (whitespace and digit-free words, drain's
first pass, one regex substitution per line), a group of ``MIN_COUNT`` or more lines whose
estimated saving beats its declaration becomes a pattern, and its template keeps every word
all its lines share. The drain3 package is not used: its tree and similarity merging are
stateful and slower, and exact templates need equal whitespace, which drain3 discards.

A group whose slot values fall into a few stems (their text before the first digit, cut at
punctuation: ``parse_price[`` and ``cart_total[`` in one ``PASSED tests/test_{}]`` group) may
split into one pattern per stem, when that saves more; so may a group with a slot of a few
values (one pattern per value).

Lines that fit no whole-line pattern but share their first words (timestamp, host, process)
get a *head* pattern: the head's template, then a last ``{}`` that takes the rest of the row
(spaces included; the marker then says so). Patterns are named A to Z, then AA to AZ.

When every line of a block starts alike (one file's diagnostics, one host's log), the block is
also proposed with that start said once: ``[the next 243 lines start with
"site-packages/rich/text.py:"; after it they use 23 patterns; ...]``, patterns and ``=`` rows
then holding the rest of each line. The start is cut at punctuation, like a slot's affixes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable, Iterator, Sequence
from string import ascii_uppercase

from tersify.compaction.forms import Block
from tersify.compaction.lines import (
    LAYOUT_SLOTS,
    Template,
    build_template,
    eligible_spans,
    fill,
    has_slots,
    layout,
    shape_key,
    slot_affixes,
    split,
    stem,
    unquote,
)
from tersify.regions import Region

CHUNK = 400
MIN_COUNT = 3
# Pattern names: A to Z, then AA to AZ (busy logs show more than 26 shapes in a chunk).
NAMES = [*ascii_uppercase, *("A" + b for b in ascii_uppercase)]
MAX_PATTERNS = len(NAMES)
MARKER_CHARS = 90
# Characters every line of a block must share at its start to have that start said once.
MIN_SHARED_START = 8
VERBATIM = "="
_PATTERN_LINE = re.compile(r"(?P<letter>[A-Z]{1,2}) (?P<p_t>\".*\")")


class PatternForm:
    name = "patterns"
    marker = re.compile(
        r"\[the next (?P<p_n>[1-9][0-9]*) lines (?:start with (?P<p_s>\"(?:[^\"\\]|\\.)*\"); after it they )?"
        r"use (?P<p_k>[1-9][0-9]*) patterns?; "
        r"a row is a pattern's name, then its \{\} values(?:; a last \{\} takes the rest of the row)?"
        r"(?:; \"=\" rows are (?:lines|the rest) as is)?\]"
    )

    heads = True

    def find(self, lines: Sequence[str], regions: Sequence[Region]) -> Iterator[Block]:
        for start, stop in eligible_spans(lines, regions):
            count = -(-(stop - start) // CHUNK)
            size = -(-(stop - start) // count)  # equal chunks, none of a few stray lines
            for at in range(start, stop, size):
                block = self._block(lines, at, min(at + size, stop))
                if block is not None:
                    yield block
                    shared = self._shared_start(lines, block)
                    if shared is not None:
                        yield shared

    def _shared_start(self, lines: Sequence[str], block: Block) -> Block | None:
        """The block again with the start all its lines share (a file path, a host) said once
        in the marker and taken off every line before mining, or None when they share little."""
        prefix, _ = slot_affixes(lines[block.start : block.stop])
        if len(prefix) < MIN_SHARED_START:
            return None
        cut = len(prefix)
        rest = [line[cut:] for line in lines[block.start : block.stop]]
        inner = self._block(rest, 0, len(rest))
        if inner is None:
            return None
        head = inner.lines[0].replace(
            " lines use ", f" lines start with {json.dumps(prefix, ensure_ascii=False)}; after it they use ", 1
        ).replace('; "=" rows are lines as is]', '; "=" rows are the rest as is]')
        start = block.start + inner.start
        return Block(self.name, start, start + inner.stop - inner.start, (head, *inner.lines[1:]))

    def _block(self, lines: Sequence[str], start: int, stop: int) -> Block | None:
        keys: list[Hashable] = [shape_key(line) for line in lines[start:stop]]
        groups: dict[Hashable, list[int]] = {}
        for i, key in enumerate(keys):
            groups.setdefault(key, []).append(i)
        chosen: list[tuple[int, Hashable, Template]] = []  # (saving estimate, key, template)
        for key, members in list(groups.items()):
            if len(members) < MIN_COUNT:
                continue
            splits = [split(lines[start + i]) for i in members]
            template = build_template(splits)
            if template is None:
                continue
            saving = _saving(len(members), template)
            parts = max(
                _refine(key, members, splits, template),
                _split_by_stem(key, members, splits, template),
                key=lambda found: sum(item[0] for item in found),
            )
            if parts and sum(s for s, _, _, _ in parts) > saving:
                for part_saving, part_key, part_members, part_template in parts:
                    chosen.append((part_saving, part_key, part_template))
                    for i in part_members:
                        keys[i] = part_key
            elif saving > 0:
                chosen.append((saving, key, template))
        taken = {key for _, key, _ in chosen}
        chosen.extend(_layout_patterns(lines, start, [i for i, key in enumerate(keys) if key not in taken], keys))
        if self.heads:
            chosen.sort(key=lambda item: -item[0])
            chosen = chosen[:MAX_PATTERNS]
            taken = {key for _, key, _ in chosen}
            chosen.extend(_head_patterns(lines, start, [i for i, key in enumerate(keys) if key not in taken], keys))
        chosen.sort(key=lambda item: -item[0])
        chosen = chosen[:MAX_PATTERNS]
        if not chosen or sum(s for s, _, _ in chosen) <= MARKER_CHARS:
            return None
        by_key = {key: template for _, key, template in chosen}
        # Trim lines that fit no pattern off both ends: outside the block they cost nothing.
        lo, hi = 0, len(keys)
        while keys[lo] not in by_key:
            lo += 1
        while keys[hi - 1] not in by_key:
            hi -= 1
        letters: dict[Hashable, str] = {}
        for key in keys[lo:hi]:
            if key in by_key and key not in letters:
                letters[key] = NAMES[len(letters)]
        if len(letters) == 1 and all(key in by_key for key in keys[lo:hi]) and not by_key[keys[lo]].tail:
            return None  # one pattern, no other lines: a plain template run says it shorter
        rows: list[str] = []
        verbatim = False
        tails = any(by_key[key].tail for key in letters)
        for i in range(lo, hi):
            line = lines[start + i]
            key = keys[i]
            if key in letters:
                values = by_key[key].row(split(line))
                rows.append(f"{letters[key]} {values}" if values else letters[key])
            elif line == "":
                rows.append("")  # an empty line reads as one: no "=" needed
            else:
                rows.append(f"{VERBATIM} {line}")
                verbatim = True
        header = (
            f"[the next {len(rows)} lines use {len(letters)} pattern{'s' if len(letters) > 1 else ''}; "
            f"a row is a pattern's name, then its {{}} values"
            + ("; a last {} takes the rest of the row" if tails else "")
            + ('; "=" rows are lines as is]' if verbatim else "]")
        )
        declared = [f"{letter} {by_key[key].quoted()}" for key, letter in letters.items()]
        return Block(self.name, start + lo, start + hi, (header, *declared, *rows))

    def expand(self, match: re.Match[str], lines: Sequence[str], at: int, done: list[str]) -> int:
        n, k = int(match["p_n"]), int(match["p_k"])
        prefix = "" if match["p_s"] is None else unquote(match["p_s"])
        if at + k + n > len(lines):
            raise ValueError(f"{k} patterns and {n} rows announced, {len(lines) - at} lines there")
        templates: dict[str, str] = {}
        for line in lines[at : at + k]:
            declared = _PATTERN_LINE.fullmatch(line)
            if declared is None:
                raise ValueError(f"not a pattern line: {line[:80]!r}")
            templates[declared["letter"]] = unquote(declared["p_t"])
        for row in lines[at + k : at + k + n]:
            letter, sep, rest = row.partition(" ")
            if row == "":
                done.append(prefix)  # an empty line (or, after a shared start, that start alone)
            elif letter == VERBATIM and sep:
                done.append(prefix + rest)
            elif letter in templates and bool(sep) == has_slots(templates[letter]):
                done.append(prefix + fill(templates[letter], rest))
            else:
                raise ValueError(f"a row with no pattern: {row[:80]!r}")
        return k + n


def _saving(rows: int, template: Template) -> int:
    """Estimated characters a pattern saves: each row saves the constants and costs a letter;
    the declaration is paid once."""
    return rows * (template.const_chars - 2) - len(template.text) - 6


# A slot that holds at most this many distinct values (a status code, a level, a 0 or 1)
# may split its pattern into one pattern per value, the value then written once.
FEW_VALUES = 3


def _refine(
    key: Hashable, members: list[int], splits: list[list[str]], template: Template
) -> list[tuple[int, Hashable, list[int], Template]]:
    """The group split by the values of its few-valued slots, each part a pattern of its own
    with those values as constants; empty when no slot has few values or a part is too small."""
    columns = [k for k, _, _ in template.slots if len({parts[k] for parts in splits}) <= FEW_VALUES]
    if not columns:
        return []
    return _parts(key, members, splits, [tuple(parts_j[k] for k in columns) for parts_j in splits])


# A slot whose values fall into at most this many stems may split its pattern by stem.
MAX_STEMS = 6


def _split_by_stem(
    key: Hashable, members: list[int], splits: list[list[str]], template: Template
) -> list[tuple[int, Hashable, list[int], Template]]:
    """The group split by the stems of one slot's values (``PASSED tests/test_cart.py::test_{}]``
    holding ``parse_price[0.00-0`` and ``cart_total[7``), so each part's template keeps its
    whole test name and rows hold only the parameters; the slot that saves most, or empty."""
    best: list[tuple[int, Hashable, list[int], Template]] = []
    for k, p, s in template.slots:
        labels = [("stem", k, stem(parts[k][p : len(parts[k]) - s])) for parts in splits]
        if not 2 <= len(set(labels)) <= MAX_STEMS:
            continue
        parts = _parts(key, members, splits, labels)
        if sum(item[0] for item in parts) > sum(item[0] for item in best):
            best = parts
    return best


def _parts(
    key: Hashable, members: list[int], splits: list[list[str]], labels: Sequence[Hashable]
) -> list[tuple[int, Hashable, list[int], Template]]:
    """The group split by a label per line, each part with its own template; labels seen in
    fewer than ``MIN_COUNT`` lines share one part of the rest. Empty when that leaves fewer
    than two parts or a part too small."""
    parts: dict[Hashable, list[int]] = {}
    for j, label in enumerate(labels):
        parts.setdefault(label, []).append(j)
    # Values seen in fewer than MIN_COUNT lines stay slots, in one part of the rest.
    rest = [j for js in parts.values() if len(js) < MIN_COUNT for j in js]
    parts = {label: js for label, js in parts.items() if len(js) >= MIN_COUNT}
    if rest:
        if len(rest) < MIN_COUNT:
            return []
        parts[()] = rest
    if len(parts) < 2:
        return []
    out: list[tuple[int, Hashable, list[int], Template]] = []
    for label, js in parts.items():
        part_template = build_template([splits[j] for j in js])
        if part_template is None:
            return []
        out.append((_saving(len(js), part_template), (key, label), [members[j] for j in js], part_template))
    return out


def _layout_patterns(
    lines: Sequence[str], start: int, rest: list[int], keys: list[Hashable]
) -> list[tuple[int, Hashable, Template]]:
    """Patterns for lines that fit no shape pattern but split alike and share part of their
    words (``{}\tsite-packages/requests/{}.py`` in a ``du`` listing); the key of each line a
    pattern serves is set to the pattern's."""
    groups: dict[Hashable, list[int]] = {}
    for i in rest:
        groups.setdefault(("layout", layout(lines[start + i])), []).append(i)
    out: list[tuple[int, Hashable, Template]] = []
    for key, members in groups.items():
        if len(members) < MIN_COUNT:
            continue
        template = build_template([split(lines[start + i]) for i in members])
        if template is None or not template.slots or len(template.slots) > LAYOUT_SLOTS:
            continue
        saving = _saving(len(members), template)
        if saving > 0:
            out.append((saving, key, template))
            for i in members:
                keys[i] = key
    return out


HEAD_WORDS = range(1, 9)  # how many leading words a head pattern may keep


def _head(parts: Sequence[str], k: int) -> str | None:
    """The first ``k`` words of a line (its split) with the whitespace after them, or None
    when nothing follows them."""
    if len(parts) < 2 * k + 3 or not parts[2 * k + 1]:
        return None
    return "".join(parts[: 2 * k + 1])


def _head_patterns(
    lines: Sequence[str], start: int, rest: list[int], keys: list[Hashable]
) -> list[tuple[int, Hashable, Template]]:
    """Patterns for lines that fit no whole-line pattern but share their first words (a log
    line's timestamp, host and process): the head's template, then ``{}`` for the rest of
    the line. The head length is the one that saves the most over these lines; the key of
    each line it serves is set to the pattern's, so rows find their pattern."""
    if len(rest) < MIN_COUNT:
        return []
    splits = {i: split(lines[start + i]) for i in rest}
    # A digit-holding word that many of these lines share (a host name) stays in the key as is.
    common: set[str] = set()
    counts: dict[str, int] = {}
    for i in rest:
        for word in splits[i][1 : 2 * HEAD_WORDS[-1] : 2]:
            counts[word] = counts.get(word, 0) + 1
    common = {word for word, n in counts.items() if n * 5 >= len(rest) and n >= MIN_COUNT}
    best: tuple[int, int, dict[tuple[str, str], list[int]]] = (0, 0, {})
    for k in HEAD_WORDS:
        groups: dict[tuple[str, str], list[int]] = {}
        for i in rest:
            head = _head(splits[i], k)
            if head is not None:
                parts = splits[i]
                key = "".join(w if j % 2 == 0 or w in common else shape_key(w) for j, w in enumerate(parts[: 2 * k + 1]))
                groups.setdefault(("head", key), []).append(i)
        # A head's digit-free characters stand for what a row saves (each NUL is a slot).
        estimate = sum(
            len(members) * (len(key[1]) - 3 * key[1].count("\0") - 4) - len(key[1])
            for key, members in groups.items()
            if len(members) >= MIN_COUNT
        )
        if estimate > best[0]:
            best = (estimate, k, groups)
    _, k, groups = best
    out: list[tuple[int, Hashable, Template]] = []
    for key, members in groups.items():
        if len(members) < MIN_COUNT:
            continue
        cut = 2 * k + 1
        rows = [[*splits[i][:cut], "".join(splits[i][cut:]), ""] for i in members]
        if sum("  " in row[-2] for row in rows) * 2 > len(rows):
            continue  # padded columns: a table, which the table form writes more readably
        template = build_template(rows, tail=True)
        if template is None:
            continue
        saving = len(members) * (template.const_chars - 2) - len(template.text) - 6
        if saving > 0:
            out.append((saving, key, template))
            for i in members:
                keys[i] = key
    return out
