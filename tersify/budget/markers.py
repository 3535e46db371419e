"""The elision marker: one line, in plain words, in place of lines a budget left out.

``[lines 120-480 omitted: 361 lines (12 error/warning), 14 kinds; run: tersify retrieve 3f9a2c1d2e4f --lines 120-480]``

It names the range of the *original* input's lines (1-based, inclusive), how many lines
that is, what they were (line kinds, i.e. distinct templates; error and warning lines,
JSON documents and diff hunks counted apart), and the command that prints them back
exactly. Without a stored original the marker says so instead of naming a command, so
an agent is never sent after something that does not exist.

:data:`MARKER` matches every marker this module writes and is part of the compaction
engine's escape set: an input line that reads like a marker is written with a leading
``\\``, so a marker in an output is always one the budget wrote, and ``tersify.expand``
leaves it as it is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

# Anchored by use (``fullmatch``); it must stay a superset of what ``marker()`` writes.
MARKER = re.compile(r"\[lines? [0-9]+(?:-[0-9]+)? omitted: [^\n]*\]")

NOT_STORED = "not stored, cannot be retrieved"


@dataclass(frozen=True)
class Omitted:
    """What one marker stands for. ``start``/``stop``: 0-based original lines ``[start, stop)``."""

    start: int
    stop: int
    kinds: int = 0  # distinct line templates among the lines
    errors: int = 0  # error, failure and warning lines among them
    json_documents: int = 0
    diff_hunks: int = 0
    json_shape: str | None = None  # what the one JSON document left out holds (see json_shape)
    # The kinds as template keys (Values.kind_keys), so ranges that merge count a kind once;
    # empty when not known (then ``kinds`` adds up as an upper bound).
    kind_keys: frozenset[int] = field(default=frozenset(), repr=False, compare=False)

    @property
    def lines(self) -> int:
        return self.stop - self.start

    @property
    def range(self) -> str:
        """The 1-based inclusive range as ``--lines`` takes it."""
        first, last = self.start + 1, self.stop
        return f"{first}-{last}" if last > first else f"{first}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def marker(omitted: Omitted, retrieve_id: str | None) -> str:
    """The marker line for ``omitted``; ``retrieve_id``: the stored original's id, or None
    when it is not stored (the marker then says it cannot be retrieved)."""
    word = "lines" if omitted.lines > 1 else "line"
    if omitted.errors >= omitted.lines:
        parts = [_plural(omitted.lines, "error/warning line")]
    elif omitted.errors:
        parts = [f"{_plural(omitted.lines, 'line')} ({omitted.errors} error/warning)"]
    else:
        parts = [_plural(omitted.lines, "line")]
    if omitted.json_documents == 1 and omitted.json_shape:
        parts.append(f"a whole JSON document ({omitted.json_shape})")
    elif omitted.json_documents:
        parts.append(_plural(omitted.json_documents, "whole JSON document"))
    if omitted.diff_hunks:
        parts.append(_plural(omitted.diff_hunks, "whole diff hunk"))
    if omitted.kinds > 1:
        parts.append(_plural(omitted.kinds, "kind"))
    how = f"run: tersify retrieve {retrieve_id} --lines {omitted.range}" if retrieve_id else NOT_STORED
    return f"[{word} {omitted.range} omitted: {', '.join(parts)}; {how}]"


_KEYS = 8  # keys (or item keys) a shape names before "... N more"


def json_shape(text: str) -> str | None:
    """A JSON document's outline for a marker, when the document is left out whole: its top
    level's keys with the size of each container, or its items' count and common keys,
    e.g. ``an object of 3 keys: "version", "installed" (42 items), "environment" (12 keys)``.
    None when ``text`` is not one JSON document."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, dict):
        return f"an object of {_plural(len(value), 'key')}{': ' + _keys(value) if value else ''}"
    if isinstance(value, list):
        shape = f"a list of {_plural(len(value), 'item')}"
        if value and all(isinstance(item, dict) for item in value):
            common = [k for k in value[0] if all(k in item for item in value)]
            if common:
                shape += f", objects with the keys {_keys(dict.fromkeys(common))}"
        return shape
    return "a single value"


def _keys(obj: dict) -> str:
    names = []
    for key in list(obj)[:_KEYS]:
        name = json.dumps(key[:40], ensure_ascii=False)
        value = obj[key]
        if isinstance(value, dict):
            name += f" ({_plural(len(value), 'key')})"
        elif isinstance(value, list):
            name += f" ({_plural(len(value), 'item')})"
        names.append(name)
    more = f", ... {len(obj) - _KEYS} more" if len(obj) > _KEYS else ""
    return ", ".join(names) + more


def is_marker(line: str) -> bool:
    return line.startswith("[line") and MARKER.fullmatch(line) is not None
