"""JSON documents: pretty-printed JSON written minified, arrays of like objects as tables.

A JSON region (its lines joined with ``\\n`` parse as one value) laid out the way a common
serializer lays it out (Python ``json.dumps(indent=N)``, ``JSON.stringify(v, null, N)``,
jq, Go ``MarshalIndent``, serde_json pretty, tabs; or one line, minified or with ``", "``
and ``": "``; or sqlite's ``-json`` one element per line) is written as::

    [JSON minified from 2-space indent]
    {"data":
    [array of 3 objects with keys ["id","name"], one row of values each]
    [1,"alice"]
    [2,"bob"]
    [3,"carol"]
    ,"total":3}

The document is minified (whitespace outside strings removed) and cut into lines only
around tables: an array of at least ``MIN_ROWS`` objects that all have the same keys in
the same order, at any depth but never inside a table row, becomes its marker (keys
named once) and one row per object holding that object's values as a JSON array. Nested
values inside a row stay minified JSON.

Everything is lexical: string and number literals are copied byte for byte and only the
whitespace between tokens is rewritten, so floats, big integers, ``\\u`` escapes, ``-0``,
``1E2``, duplicate keys and key order all come back exactly; a document is proposed only
when re-laying out its minified text gives back its exact bytes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tersify.compaction.forms import Block
from tersify.regions import Kind, Region

MIN_ROWS = 3  # fewer objects than this never pay for a table marker
MIN_LINES = 4  # a pretty document shorter than this saves less than its marker costs
MAX_DEPTH = 200  # deeper documents are only minified (tables walk the tree recursively)

_STRING = r'"(?:[^"\\\n]|\\.)*"'
# Splitting on strings leaves structure and scalars at even indices, strings at odd ones.
_SPLIT_STRINGS = re.compile(f"({_STRING})")
_STRING_RE = re.compile(_STRING)
_TOKEN = re.compile(rf'{_STRING}|[{{}}\[\],:]|[^"{{}}\[\],:]+')
_DROP_WS = str.maketrans("", "", " \t\n\r")
# How the marker names each layout: "[JSON minified from 2-space indent]".
_ONE_LINE = "one line"
_ONE_LINE_SPACED = 'one line with ", " and ": "'
_ROWS = "one element per line"
_WHOLE = ", objects with other keys written whole"
_NAME_ROWS = "one row of name then values each"
_OTHER_MEMBERS = ", other members written whole"


@dataclass(frozen=True)
class Layout:
    """How a serializer spaces a document: ``indent`` None is one line."""

    indent: str | None = None
    spaced: bool = False  # one line with ", " and ": " (Python's default)
    rows: bool = False  # a top-level array with one minified element per line (sqlite -json)

    def words(self) -> str:
        if self.rows:
            return _ROWS
        if self.indent is None:
            return _ONE_LINE_SPACED if self.spaced else _ONE_LINE
        return "tab indent" if self.indent == "\t" else f"{len(self.indent)}-space indent"

    @classmethod
    def from_words(cls, words: str) -> Layout:
        if words == _ROWS:
            return cls(rows=True)
        if words == _ONE_LINE:
            return cls()
        if words == _ONE_LINE_SPACED:
            return cls(spaced=True)
        if words == "tab indent":
            return cls(indent="\t")
        return cls(indent=" " * int(words[0]))


def minify(text: str) -> str:
    """``text`` with every JSON whitespace character outside strings removed."""
    pieces = _SPLIT_STRINGS.split(text)
    pieces[::2] = [piece.translate(_DROP_WS) for piece in pieces[::2]]
    return "".join(pieces)


def lay_out(minified: str, layout: Layout) -> str:
    """The document ``minified`` spaced as ``layout`` spaces it."""
    if layout.indent is None and not layout.rows:
        if not layout.spaced:
            return minified
        pieces = _SPLIT_STRINGS.split(minified)
        pieces[::2] = [p.replace(",", ", ").replace(":", ": ") for p in pieces[::2]]
        return "".join(pieces)
    out: list[str] = []
    append = out.append
    unit = layout.indent or ""
    breaks = ["\n" + unit * d for d in range(64)]
    depth = 0
    after_open = False
    for tok in _TOKEN.findall(minified):
        first = tok[0]
        if first in "]}":
            depth -= 1
            if layout.indent is not None and not after_open:
                append(breaks[depth] if depth < 64 else "\n" + unit * depth)
            append(tok)
            after_open = False
            continue
        if after_open and layout.indent is not None:
            append(breaks[depth] if depth < 64 else "\n" + unit * depth)
        after_open = False
        if first in "[{":
            depth += 1
            after_open = True
            append(tok)
        elif first == ",":
            if layout.rows:
                append(",\n" if depth == 1 else ",")
            else:
                append("," + (breaks[depth] if depth < 64 else "\n" + unit * depth))
        elif first == ":":
            append(":" if layout.rows else ": ")
        else:
            append(tok)
    return "".join(out)


def _layouts_of(doc: Sequence[str]) -> tuple[Layout, ...]:
    """The layouts a serializer could have given ``doc`` (its lines), guessed from its shape."""
    if len(doc) == 1:
        return (Layout(), Layout(spaced=True))
    if doc[0] in ("{", "["):
        second = doc[1]
        if second.startswith("\t"):
            return (Layout(indent="\t"),)
        n = len(second) - len(second.lstrip(" "))
        return (Layout(indent=" " * n),) if 1 <= n <= 8 else ()
    if doc[0].startswith("[") and doc[-1].endswith("]"):
        return (Layout(rows=True),)
    return ()


# -- tables ---------------------------------------------------------------------------------


class _Shape(Exception):
    """The token stream is not a JSON value this module can cut into tables."""


@dataclass
class _Node:
    start: int  # char offsets into the minified text
    stop: int
    kind: str  # "[", "{" or "" for a scalar
    children: list[_Node]
    keys: tuple[str, ...] = ()  # object keys (literals), in order
    header: tuple[str, ...] = ()  # a table's keys: this node is written as a table
    has_table: bool = False


def _parse(minified: str) -> _Node:
    """The container tree of ``minified`` (scalars as leaves)."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(minified)]
    pos = 0

    def value(depth: int) -> _Node:
        nonlocal pos
        if depth > MAX_DEPTH or pos >= len(tokens):
            raise _Shape
        start, stop, tok = tokens[pos]
        pos += 1
        if tok == "[" or tok == "{":
            node = _Node(start, stop, tok, [])
            keys: list[str] = []
            close = "]" if tok == "[" else "}"
            if pos < len(tokens) and tokens[pos][2] == close:
                node.stop = tokens[pos][1]
                pos += 1
                return node
            while True:
                if tok == "{":
                    if pos + 1 >= len(tokens) or tokens[pos][2][0] != '"' or tokens[pos + 1][2] != ":":
                        raise _Shape
                    keys.append(tokens[pos][2])
                    pos += 2
                node.children.append(value(depth + 1))
                if pos >= len(tokens):
                    raise _Shape
                sep = tokens[pos][2]
                pos += 1
                if sep == close:
                    node.stop = tokens[pos - 1][1]
                    node.keys = tuple(keys)
                    return node
                if sep != ",":
                    raise _Shape
        if tok in ",:]}":
            raise _Shape
        return _Node(start, stop, "", [])

    root = value(0)
    if pos != len(tokens):
        raise _Shape
    return root


def _table_marker(node: _Node, whole: bool) -> str:
    keys = ",".join(node.header)
    n = len(node.children)
    if node.kind == "[":
        return f"[array of {n} objects with keys [{keys}], one row of values each{_WHOLE if whole else ''}]"
    other = _OTHER_MEMBERS if whole else ""
    return f"[object of {n} members whose values are objects with keys [{keys}], {_NAME_ROWS}{other}]"


def _mark_tables(node: _Node) -> bool:
    """Mark containers that pay as tables (outermost first); True when ``node`` holds one."""
    kids = node.children
    objects = [kid.keys for kid in kids if kid.kind == "{"]
    # Array elements must all be objects: a whole row that is an array would read as values.
    if len(objects) >= MIN_ROWS and (node.kind == "{" or len(objects) == len(kids)):
        # The most common key list is the header; objects with other keys are written whole,
        # so one odd object (pip list's editable package) does not cost the whole table.
        keys, fit = Counter(objects).most_common(1)[0]
        if keys and fit >= MIN_ROWS and 2 * fit >= len(kids):
            # Each row drops its keys, colons and braces and adds brackets and a newline.
            saved = sum(len(key) + 1 for key in keys) * fit
            node.header = keys
            if saved > len(_table_marker(node, fit < len(kids))) + 8:
                node.has_table = True
                return True
            node.header = ()
    for kid in kids:
        if kid.kind and _mark_tables(kid):
            node.has_table = True
    return node.has_table


def _write(node: _Node, minified: str, lines: list[str], line: list[str]) -> None:
    """Append ``node`` to the block: minified text to ``line``, tables as lines of their own."""
    if node.header:
        if line:
            lines.append("".join(line))
            line.clear()
        keys = node.header
        lines.append(_table_marker(node, any(row.keys != keys or row.kind != "{" for row in node.children)))
        for i, row in enumerate(node.children):
            name = [node.keys[i]] if node.kind == "{" else []
            if row.kind == "{" and row.keys == keys:
                lines.append("[" + ",".join(name + [minified[v.start : v.stop] for v in row.children]) + "]")
            else:
                lines.append("".join(n + ":" for n in name) + minified[row.start : row.stop])
        return
    if not node.has_table:
        line.append(minified[node.start : node.stop])
        return
    line.append(node.kind)
    for i, kid in enumerate(node.children):
        if i:
            line.append(",")
        if node.kind == "{":
            line.append(node.keys[i] + ":")
        _write(kid, minified, lines, line)
    line.append("]" if node.kind == "[" else "}")


def _table_lines(minified: str) -> list[str] | None:
    """The minified document cut around tables, or None when no table pays."""
    try:
        root = _parse(minified)
    except (_Shape, RecursionError):
        return None
    if not _mark_tables(root):
        return None
    lines: list[str] = []
    line: list[str] = []
    _write(root, minified, lines, line)
    if line:
        lines.append("".join(line))
    return lines


def _split_values(row: str) -> list[str]:
    """The top-level elements of the JSON array literal ``row``, as written."""
    if len(row) < 2 or row[0] != "[" or row[-1] != "]":
        raise ValueError(f"a table row is not a JSON array: {row[:40]!r}")
    values: list[str] = []
    depth = 0
    at = 1
    for m in _TOKEN.finditer(row, 1, len(row) - 1):
        tok = m.group()
        if tok in "[{":
            depth += 1
        elif tok in "]}":
            depth -= 1
        elif tok == "," and depth == 0:
            values.append(row[at : m.start()])
            at = m.end()
    if at < len(row) - 1 or values:
        values.append(row[at:-1])
    return values


def _depth_change(text: str) -> int:
    pieces = _SPLIT_STRINGS.split(text)
    structure = "".join(pieces[::2])
    return structure.count("[") + structure.count("{") - structure.count("]") - structure.count("}")


# -- the form ---------------------------------------------------------------------------------


class JsonForm:
    name = "json"
    marker = re.compile(
        r'\[JSON minified from (?P<layout>[1-8]-space indent|tab indent|one line(?: with ", " and ": ")?'
        r"|one element per line)\]"
    )
    table = re.compile(
        r"\[(?:array of (?P<n>[1-9][0-9]*) objects|object of (?P<m>[1-9][0-9]*) members whose values are objects)"
        r" with keys (?P<keys>\[.*\]), one row of (?:values|name then values) each"
        r"(?:, objects with other keys written whole|, other members written whole)?\]"
    )

    def find(self, lines: Sequence[str], regions: Sequence[Region]) -> Iterator[Block]:
        for region in regions:
            if region.kind is not Kind.JSON:
                continue
            start, stop = region.start, region.stop
            # Blank lines around the document stay outside the block.
            while start < stop and not lines[start].strip():
                start += 1
            while stop > start and not lines[stop - 1].strip():
                stop -= 1
            if start == stop:
                continue
            yield from self._blocks(lines[start:stop], start, stop)

    def _blocks(self, doc: Sequence[str], start: int, stop: int) -> Iterator[Block]:
        text = "\n".join(doc)
        minified = minify(text)
        for layout in _layouts_of(doc):
            if lay_out(minified, layout) == text:
                break
        else:
            return  # not what a known serializer would write: no exact expansion
        marker = f"[JSON minified from {layout.words()}]"
        if layout.indent is not None and len(doc) >= MIN_LINES:
            yield Block(self.name, start, stop, (marker, minified))
        tables = _table_lines(minified)
        if tables is not None:
            yield Block(self.name, start, stop, (marker, *tables))

    def expand(self, match: re.Match[str], lines: Sequence[str], at: int, done: list[str]) -> int:
        layout = Layout.from_words(match["layout"])
        parts: list[str] = []
        depth = 0
        i = at
        while True:
            line = lines[i]
            i += 1
            table = self.table.fullmatch(line) if line.startswith(("[array of ", "[object of ")) else None
            if table is None:
                parts.append(line)
                depth += _depth_change(line)
            else:
                parts.append(self._expand_table(table, lines, i))
                i += int(table["n"] or table["m"])
            if depth < 0:
                raise ValueError("more closing than opening brackets in minified JSON")
            if depth == 0:
                break
        done.extend(lay_out("".join(parts), layout).split("\n"))
        return i - at

    @staticmethod
    def _expand_table(table: re.Match[str], lines: Sequence[str], at: int) -> str:
        names = _STRING_RE.findall(table["keys"])
        if "[" + ",".join(names) + "]" != table["keys"]:
            raise ValueError(f"table keys are not a list of strings: {table['keys'][:40]!r}")
        members = table["m"] is not None
        if members != ("name then values" in table.group()):
            raise ValueError("a table marker names rows of another kind")
        n = int(table["m"] or table["n"])
        items: list[str] = []
        for row in lines[at : at + n]:
            if not row.startswith("["):
                items.append(row)  # an element or member with other keys, written whole
                continue
            values = _split_values(row)
            if members:
                name, values = values[0] if values else "", values[1:]
            if len(values) != len(names):
                raise ValueError(f"a table row has {len(values)} values for {len(names)} keys")
            item = "{" + ",".join(k + ":" + v for k, v in zip(names, values, strict=True)) + "}"
            items.append(f"{name}:{item}" if members else item)
        if len(items) != n:
            raise ValueError("a table has fewer rows than its marker says")
        return "{" + ",".join(items) + "}" if members else "[" + ",".join(items) + "]"
