"""Editing a JSON request body in place: only chosen string values change, every other
byte stays as the client sent it.

Re-serialising a parsed body changes bytes outside the tool results (``1E2`` becomes
``100.0``, ``0.10000000000000000555`` becomes ``0.1``, key order of duplicates, escapes),
and any changed byte in an earlier message busts the provider's prompt cache from there on.
So the proxy parses the body only to *find* the tool results, then locates each one's
string literal in the original text by its path (keys and list indices) and splices a new
literal in its place.

Locating walks only the containers on a wanted path; every other value is skipped whole by
the standard library's C scanner, so the walk costs little more than the containers it
descends into.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
from collections.abc import Iterable, Mapping

Path = tuple[str | int, ...]

_WS = re.compile(r"[ \t\n\r]*")
_scan_value = json.scanner.make_scanner(json.JSONDecoder())
_scan_string = json.decoder.scanstring


class NotEditable(ValueError):
    """The body cannot be edited in place (not the JSON the parser saw, duplicate keys on a
    wanted path, a wanted value that is not the expected string)."""


def decode_body(raw: bytes) -> str:
    """The body as text: strict UTF-8 without a byte-order mark (RFC 8259), else :class:`NotEditable`."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise NotEditable("body starts with a byte-order mark")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotEditable(f"body is not UTF-8: {exc.reason}") from None


def locate_strings(doc: str, wanted: Iterable[Path]) -> dict[Path, tuple[int, int]]:
    """For each wanted path, the ``(start, stop)`` of its string literal in ``doc``, quotes included."""
    targets = set(wanted)
    prefixes = {path[:i] for path in targets for i in range(len(path))}
    found: dict[Path, tuple[int, int]] = {}

    def skip_ws(i: int) -> int:
        return _WS.match(doc, i).end()  # type: ignore[union-attr]  # the pattern matches empty

    def value(i: int, path: Path) -> int:
        i = skip_ws(i)
        if i >= len(doc):
            raise NotEditable("body ends early")
        char = doc[i]
        if path in targets:
            if char != '"':
                raise NotEditable(f"value at {path} is not a string")
            _, end = _scan_string(doc, i + 1)
            found[path] = (i, end)
            return end
        if path not in prefixes or char not in "{[":
            try:
                return _scan_value(doc, i)[1]
            except StopIteration:
                raise NotEditable(f"no JSON value at offset {i}") from None
        return (members if char == "{" else items)(i + 1, path)

    def members(i: int, path: Path) -> int:
        seen: set[str] = set()
        i = skip_ws(i)
        if doc.startswith("}", i):
            return i + 1
        while True:
            if not doc.startswith('"', i):
                raise NotEditable(f"expected a key at offset {i}")
            key, i = _scan_string(doc, i + 1)
            if key in seen and path + (key,) in prefixes | targets:
                raise NotEditable(f"duplicate key {key!r} on a path to a tool result")
            seen.add(key)
            i = skip_ws(i)
            if not doc.startswith(":", i):
                raise NotEditable(f"expected ':' at offset {i}")
            i = skip_ws(value(i + 1, path + (key,)))
            if doc.startswith("}", i):
                return i + 1
            if not doc.startswith(",", i):
                raise NotEditable(f"expected ',' or '}}' at offset {i}")
            i = skip_ws(i + 1)

    def items(i: int, path: Path) -> int:
        index = 0
        i = skip_ws(i)
        if doc.startswith("]", i):
            return i + 1
        while True:
            i = skip_ws(value(i, path + (index,)))
            index += 1
            if doc.startswith("]", i):
                return i + 1
            if not doc.startswith(",", i):
                raise NotEditable(f"expected ',' or ']' at offset {i}")
            i = i + 1

    try:
        value(0, ())
    except (ValueError, RecursionError) as exc:  # the scanners' own JSON errors
        if isinstance(exc, NotEditable):
            raise
        raise NotEditable(str(exc)) from None
    missing = targets - found.keys()
    if missing:
        raise NotEditable(f"no string at {sorted(missing, key=str)[0]}")
    return found


def string_literal(text: str) -> str:
    """``text`` as a JSON string literal; ``\\u`` escapes only where UTF-8 cannot carry it
    (lone surrogates, which a JSON body may hold as escapes)."""
    literal = json.dumps(text, ensure_ascii=False)
    try:
        literal.encode("utf-8")
    except UnicodeEncodeError:
        literal = json.dumps(text)
    return literal


def splice(doc: str, replacements: Mapping[Path, str], expected: Mapping[Path, str]) -> str:
    """``doc`` with the string at each path of ``replacements`` replaced by its new text.

    ``expected`` gives the text the parser saw at each path; a literal that decodes to
    anything else means the walk and the parser disagree, and nothing is edited."""
    spans = locate_strings(doc, replacements)
    for path, (start, _) in spans.items():
        if _scan_string(doc, start + 1)[0] != expected[path]:
            raise NotEditable(f"the string at {path} is not the one the parser saw")
    parts, last = [], 0
    for path, (start, stop) in sorted(spans.items(), key=lambda item: item[1][0]):
        parts += [doc[last:start], string_literal(replacements[path])]
        last = stop
    parts.append(doc[last:])
    return "".join(parts)
