"""Shared pieces of the line-shape forms (templates, patterns, tables).

A line is split into words (runs of non-whitespace) and the whitespace around them; a
*template* keeps the whitespace and the words every line of a group shares, and writes a
``{}`` slot where the lines differ. ``{}`` is the placeholder because models know it cold
from format strings and it is one o200k token (`` {}`` too). A slot may keep a common
prefix or suffix of its values (``blk_{}``, ``{}:50010``), but only one cut at
punctuation, so a row never holds half a number or half a word. A slot whose values are
another slot's values, one separator, then more is written with that slot's number
(``src: /10.251.{3}:{4} dest: /10.251.{3}:50010``, ``2005.06.{1} 2005-06-{1}-{2}``), so a
row holds the shared part once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from os.path import commonprefix

from tersify.regions import Kind, Region

SLOT = "{}"

# Templates and tables rewrite plain lines only: never code, diffs or JSON bodies.
ELIGIBLE_KINDS = frozenset({Kind.BLANK, Kind.PROSE, Kind.LOG, Kind.TABLE, Kind.TEST, Kind.STATUS, Kind.ERROR})

_SPLIT = re.compile(r"(\S+)")
# Words holding a digit are the likely variables (drain's heuristic); the rest of a line,
# whitespace included, is its shape key.
_DIGIT_WORD = re.compile(r"(?<!\S)(?=\S*\d)\S+")  # tried at word starts only: linear
# A slot's kept prefix may end, and its kept suffix start, only at one of these (see _cuttable).
_CUT = frozenset("_:/=,;@#()[]<>|'\"*&!?~^%$-.")


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


# A run or group found by layout alone may hold this many slots: more, and its lines are
# mostly different text, which a row of many values would only make harder to read.
LAYOUT_SLOTS = 3
_WORD = re.compile(r"\S+")


def layout(line: str) -> str:
    """The line's whitespace with each word written as one NUL: lines of equal layout split
    alike (same whitespace, same word count), whatever their words."""
    return _WORD.sub("\0", line)


def shape_key(line: str) -> str:
    """The line with every digit-holding word replaced by NUL: equal keys, same shape."""
    return _DIGIT_WORD.sub("\0", line)


def split(line: str) -> list[str]:
    """``[space0, word0, space1, word1, ..., spaceN]``: words at odd indices."""
    return _SPLIT.split(line)


def _cuttable(kept: str, at: str) -> bool:
    """May a slot's kept prefix (suffix) end (start) with ``at``, ``kept`` being that prefix
    (suffix)? At punctuation; at ``.`` and ``-`` only when the kept part is more than a sign
    or a plain number's integer (fraction) part, so a row never holds half a number."""
    if at not in _CUT or at in "{}":
        return False
    return at not in "-." or _PLAIN_NUMBER_PART.fullmatch(kept) is None


# A kept prefix like ``-``, ``0.``, ``10.`` or a kept suffix like ``.0``, ``-1``.
_PLAIN_NUMBER_PART = re.compile(r"-?[0-9]*[.-]|[.-][0-9]*")


_DIGIT = re.compile(r"[0-9]")


def stem(value: str) -> str:
    """The start of a text up to its first digit, cut back to punctuation: ``parse_price[``
    of ``parse_price[0.05-5]``, ``cart_total[`` of ``cart_total[12]`` (lines or words of one
    shape whose stems differ are better written as one template per stem)."""
    digit = _DIGIT.search(value)
    head = value if digit is None else value[: digit.start()]
    i = len(head)
    while i and head[i - 1] not in _CUT:
        i -= 1
    return head[:i]


def slot_affixes(values: Sequence[str]) -> tuple[str, str]:
    """The prefix and suffix all ``values`` share, each cut at punctuation, leaving each
    value at least one character."""
    pre = commonprefix(list(values))
    i = len(pre)
    while i and not _cuttable(pre[:i], pre[i - 1]):
        i -= 1
    pre = pre[:i]
    suf = commonprefix([v[::-1] for v in values])[::-1]
    j = 0
    while j < len(suf) and not _cuttable(suf[j:], suf[j]):
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

    __slots__ = ("text", "slots", "const_chars", "tail", "rests")

    def __init__(
        self,
        text: str,
        slots: list[tuple[int, int, int]],
        tail: int = 0,
        rests: Sequence[tuple[int, int, int, bool] | None] = (),
    ) -> None:
        self.text = text
        self.tail = tail  # for a template whose last slot is the rest of the line: where it starts
        self.slots = slots  # the slots rows hold: (word index in the split, prefix length, suffix length)
        # Per slot, None, or the slot whose value its word starts (ends) with, then one
        # separator: (word index, prefix length, suffix length, at the start); the row then
        # holds only the rest of the word (see _part_repeats).
        self.rests = list(rests) or [None] * len(slots)
        self.const_chars = len(text) - len(SLOT) * len(slots)

    def row(self, parts: Sequence[str]) -> str:
        """The slot values of one line (its split), separated by single spaces."""
        if self.tail:
            parts = [*parts[: self.tail], "".join(parts[self.tail :]), ""]
        values = []
        for (k, p, s), rest in zip(self.slots, self.rests, strict=True):
            value = parts[k][p : len(parts[k]) - s]
            if rest is not None:
                rk, rp, rs, head = rest
                cut = len(parts[rk]) - rp - rs + 1
                value = value[cut:] if head else value[: len(value) - cut]
            values.append(value)
        return " ".join(values)

    def quoted(self) -> str:
        return json.dumps(self.text, ensure_ascii=False)


def _part_repeats(cores: list[tuple[str, ...]]) -> dict[int, tuple[int, str, bool]]:
    """Slots whose every value is another slot's value, one separator (punctuation, the same
    in every line), then more: ``/10.251.43.115:45678`` beside ``/10.251.43.115:50010``,
    ``03-15.42.50.675872`` beside ``03``. Maps such a slot to (the other slot, the separator,
    whether the other's value starts it), so the shared part is written once."""
    found: dict[int, tuple[int, str, bool]] = {}
    used: set[int] = set()
    for i, column in enumerate(cores):
        for j, other in enumerate(cores):
            if j == i or j in found or i in used:
                continue
            first, short = column[0], other[0]
            n = len(short)
            if len(first) <= n + 1:
                continue
            for head in (True, False):
                sep = first[n] if head else first[-n - 1]
                if sep not in _CUT or sep in "{}":
                    continue
                if head and all(
                    len(v) > len(o) + 1 and v[len(o)] == sep and v.startswith(o)
                    for v, o in zip(column, other, strict=True)
                ):
                    break
                if not head and all(
                    len(v) > len(o) + 1 and v[-len(o) - 1] == sep and v.endswith(o)
                    for v, o in zip(column, other, strict=True)
                ):
                    break
            else:
                continue
            found[i] = (j, sep, head)
            used.add(j)
            break
    return found


def build_template(splits: Sequence[Sequence[str]], *, tail: bool = False) -> Template | None:
    """The template of lines given as their splits (all the same length), or None when its
    constants hold a placeholder (expansion could not tell it from a slot).

    With ``tail`` the last word of each split is the rest of its line (it may hold spaces):
    always a slot, whole, and last, so it is the row's last value. A slot whose values equal
    an earlier slot's in every line is written once: the template then numbers its slots
    (``{0} {1} {0}``, as in Python's ``str.format``) and rows hold each value once.
    """
    first = splits[0]
    last_word = len(first) - 2
    pieces: list[str | int] = []  # constants, and slot numbers (indices into ``slots``)
    slots: list[tuple[int, int, int]] = []
    seen: dict[tuple[str, ...], tuple[str, int, str]] = {}
    numbered = False
    columns = list(zip(*splits, strict=True))  # the k-th part of every line
    for k, word in enumerate(first):
        forced = tail and k == last_word
        column = columns[k]
        if k % 2 == 0 or (not forced and column.count(word) == len(column)):
            pieces.append(word)  # whitespace is equal by construction of the group
            continue
        if column in seen:  # the same value as an earlier slot in every line
            pieces.extend(seen[column])
            numbered = True
            continue
        pre, suf = ("", "") if forced else slot_affixes(column)
        seen[column] = (pre, len(slots), suf)
        pieces.extend(seen[column])
        slots.append((k, len(pre), len(suf)))
    rests: list[tuple[int, int, int, bool] | None] = [None] * len(slots)
    if not tail and len(slots) > 1:
        cores = [tuple(parts[k][p : len(parts[k]) - s] for parts in splits) for k, p, s in slots]
        repeats = _part_repeats(cores)
        if repeats:
            numbered = True
            spread: list[str | int] = []
            for piece in pieces:
                if isinstance(piece, int) and piece in repeats:
                    j, sep, head = repeats[piece]
                    spread.extend((j, sep, piece) if head else (piece, sep, j))
                    rests[piece] = (*slots[j], head)
                else:
                    spread.append(piece)
            pieces = spread
            # Number the slots in the order the template shows them.
            order: dict[int, int] = {}
            for piece in pieces:
                if isinstance(piece, int) and piece not in order:
                    order[piece] = len(order)
            pieces = [order[piece] if isinstance(piece, int) else piece for piece in pieces]
            slots = [slots[old] for old in order]
            rests = [rests[old] for old in order]
    if numbered and tail:
        return None  # the rest of the line must stay the last value
    fields = 0
    out: list[str] = []
    for piece in pieces:
        if isinstance(piece, int):
            out.append(f"{{{piece}}}" if numbered else SLOT)
            fields += 1
        else:
            out.append(piece)
    text = "".join(out)
    if len(_FIELD.findall(text)) != fields:
        return None
    return Template(text, slots, last_word if tail else 0, rests)


_FIELD = re.compile(r"\{([0-9]*)\}")


def fill(template: str, row: str) -> str:
    """A line from its template and its row of slot values (ValueError when they disagree).

    Values are separated by single spaces; the last one takes the rest of the row."""
    parts, order, count = _parse(template)
    if not order:
        if row:
            raise ValueError("values given for a template without slots")
        return template
    values = row.split(" ", count - 1)
    if len(values) != count or len(set(order)) != count:
        raise ValueError(f"{len(values)} values for {count} slots")
    out = [parts[0]]
    for index, part in zip(order, parts[2::2], strict=True):
        out.append(values[index])
        out.append(part)
    return "".join(out)


@lru_cache(maxsize=256)
def _parse(template: str) -> tuple[list[str], list[int], int]:
    """A template's constants and fields (``[constant, field, ..., constant]``), the value
    each field takes, and how many values a row holds; parsed once for all its rows."""
    parts = _FIELD.split(template)
    names = parts[1::2]
    if not names:
        return parts, [], 0
    if all(name == "" for name in names):
        order = list(range(len(names)))
    elif all(name and (name == "0" or name[0] != "0") for name in names):
        order = [int(name) for name in names]
    else:
        raise ValueError("a template mixes {} and numbered slots")
    return parts, order, max(order) + 1


def has_slots(template: str) -> bool:
    return _FIELD.search(template) is not None


def unquote(quoted: str) -> str:
    template = json.loads(quoted)
    if not isinstance(template, str):
        raise ValueError("a template must be a JSON string")
    return template
