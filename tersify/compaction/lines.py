"""Shared pieces of the line-shape forms (templates, patterns, tables).

A line is split into words (runs of non-whitespace) and the whitespace around them; a
*template* keeps the whitespace and the words every line of a group shares, and writes a
``{}`` slot where the lines differ. ``{}`` is the placeholder because models know it cold
from format strings and it is one o200k token (`` {}`` too). A slot may keep a common
prefix or suffix of its values (``blk_{}``, ``{}:50010``), but only one cut at
punctuation, so a row never holds half a number or half a word.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from os.path import commonprefix

from tersify.regions import Kind, Region

SLOT = "{}"

# Templates and tables rewrite plain lines only: never code, diffs or JSON bodies.
ELIGIBLE_KINDS = frozenset({Kind.BLANK, Kind.PROSE, Kind.LOG, Kind.TABLE, Kind.TEST, Kind.STATUS, Kind.ERROR})

_SPLIT = re.compile(r"(\S+)")
# Words holding a digit are the likely variables (drain's heuristic); the rest of a line,
# whitespace included, is its shape key.
_DIGIT_WORD = re.compile(r"\S*\d\S*")
# A slot's kept prefix may end, and its kept suffix start, only at one of these.
_CUT = frozenset("_:/=,;@#()[]<>|'\"*&!?~^%$")


def eligible(n: int, regions: Sequence[Region]) -> bytearray:
    """1 for each of the ``n`` lines whose region kind the line-shape forms may rewrite."""
    ok = bytearray(n)
    for region in regions:
        if region.kind in ELIGIBLE_KINDS:
            ok[region.start : region.stop] = b"\x01" * len(region)
    return ok


def eligible_spans(lines: Sequence[str], regions: Sequence[Region]) -> list[tuple[int, int]]:
    """Maximal ``[start, stop)`` runs of eligible lines (the final "" of a text left out)."""
    n = len(lines)
    ok = eligible(n, regions)
    if n and lines[-1] == "":
        ok[n - 1] = 0  # the element after a final newline is never folded into a block
    spans: list[tuple[int, int]] = []
    i = 0
    while i < n:
        if not ok[i]:
            i += 1
            continue
        j = i
        while j < n and ok[j]:
            j += 1
        spans.append((i, j))
        i = j
    return spans


def shape_key(line: str) -> str:
    """The line with every digit-holding word replaced by NUL: equal keys, same shape."""
    return _DIGIT_WORD.sub("\0", line)


def split(line: str) -> list[str]:
    """``[space0, word0, space1, word1, ..., spaceN]``: words at odd indices."""
    return _SPLIT.split(line)


def _slot_affixes(values: Sequence[str]) -> tuple[str, str]:
    """The prefix and suffix all ``values`` share, each cut at punctuation, leaving each
    value at least one character."""
    pre = commonprefix(list(values))
    i = len(pre)
    while i and (pre[i - 1] not in _CUT or pre[i - 1] in "{}"):
        i -= 1
    pre = pre[:i]
    suf = commonprefix([v[::-1] for v in values])[::-1]
    j = 0
    while j < len(suf) and (suf[j] not in _CUT or suf[j] in "{}"):
        j += 1
    suf = suf[j:]
    shortest = min(len(v) for v in values)
    if len(pre) + len(suf) >= shortest:
        suf = ""
    if len(pre) >= shortest:
        pre = ""
    return pre, suf


class Template:
    """The shared shape of lines split alike (same whitespace, same word count)."""

    __slots__ = ("text", "slots", "const_chars")

    def __init__(self, text: str, slots: list[tuple[int, int, int]]) -> None:
        self.text = text
        self.slots = slots  # (word index in the split, prefix length, suffix length)
        self.const_chars = len(text) - len(SLOT) * len(slots)

    def row(self, parts: Sequence[str]) -> str:
        """The slot values of one line (its split), separated by single spaces."""
        return " ".join(parts[k][p : len(parts[k]) - s] for k, p, s in self.slots)

    def quoted(self) -> str:
        return json.dumps(self.text, ensure_ascii=False)


def build_template(splits: Sequence[Sequence[str]]) -> Template | None:
    """The template of lines given as their splits (all the same length), or None when its
    constants hold the placeholder (expansion could not tell it from a slot)."""
    first = splits[0]
    pieces: list[str] = []
    slots: list[tuple[int, int, int]] = []
    for k, word in enumerate(first):
        if k % 2 == 0 or all(parts[k] == word for parts in splits):
            pieces.append(word)  # whitespace is equal by construction of the group
            continue
        pre, suf = _slot_affixes([parts[k] for parts in splits])
        pieces.append(pre + SLOT + suf)
        slots.append((k, len(pre), len(suf)))
    text = "".join(pieces)
    if text.count(SLOT) != len(slots):
        return None
    return Template(text, slots)


def fill(template: str, row: str) -> str:
    """A line from its template and its row of slot values (ValueError when they disagree)."""
    parts = template.split(SLOT)
    if len(parts) == 1:
        if row:
            raise ValueError("values given for a template without slots")
        return template
    values = row.split(" ")
    if len(values) != len(parts) - 1:
        raise ValueError(f"{len(values)} values for {len(parts) - 1} slots")
    out = [parts[0]]
    for value, part in zip(values, parts[1:], strict=True):
        out.append(value)
        out.append(part)
    return "".join(out)


def unquote(quoted: str) -> str:
    template = json.loads(quoted)
    if not isinstance(template, str):
        raise ValueError("a template must be a JSON string")
    return template
