"""Raw byte spans of a JSON request body, for checking that bytes stay the same from one
turn of a conversation to the next.

Nothing here re-serialises: a span is a slice of the body exactly as it went over the
wire, so any change the proxy makes (whitespace, number spelling, escapes, key order,
a tool result compressed on one turn and not on another) shows. The body is decoded as
Latin-1, which maps each byte to one character, so string offsets are byte offsets;
JSON's structure is ASCII, so ``json``'s C decoder finds each value's end exactly
(multi-byte UTF-8 only ever sits inside strings).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")
# A `"cache_control": {...}` member (no nested braces in the marker's value), with the
# comma that joins it to its neighbours, as raw text.
_CACHE_CONTROL = re.compile(rb',\s*"cache_control"\s*:\s*\{[^{}]*\}|"cache_control"\s*:\s*\{[^{}]*\}\s*(?:,\s*)?')


class RawJsonError(ValueError):
    pass


def _skip_space(text: str, at: int) -> int:
    return _SPACE.match(text, at).end()  # type: ignore[union-attr]  # matches the empty string too


def _value_end(text: str, at: int) -> int:
    try:
        return _DECODER.raw_decode(text, at)[1]
    except json.JSONDecodeError as exc:
        raise RawJsonError(f"no JSON value at byte {at}: {exc.msg}") from exc


def member_spans(body: bytes) -> dict[str, tuple[int, int]]:
    """``{key: (start, end)}`` of each top-level member's value in a JSON object body."""
    text = body.decode("latin-1")
    at = _skip_space(text, 0)
    if not text.startswith("{", at):
        raise RawJsonError("the body is not a JSON object")
    spans: dict[str, tuple[int, int]] = {}
    at = _skip_space(text, at + 1)
    if text.startswith("}", at):
        return spans
    while True:
        key_end = _value_end(text, at)
        key = json.loads(body[at:key_end])
        at = _skip_space(text, key_end)
        if not text.startswith(":", at):
            raise RawJsonError(f"':' expected at byte {at}")
        start = _skip_space(text, at + 1)
        end = _value_end(text, start)
        spans[key] = (start, end)
        at = _skip_space(text, end)
        if text.startswith("}", at):
            return spans
        if not text.startswith(",", at):
            raise RawJsonError(f"',' or '}}' expected at byte {at}")
        at = _skip_space(text, at + 1)


def element_spans(body: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each element of the JSON array at ``body[start:end]``."""
    text = body[:end].decode("latin-1")
    if not text.startswith("[", start):
        raise RawJsonError(f"no array at byte {start}")
    spans: list[tuple[int, int]] = []
    at = _skip_space(text, start + 1)
    if text.startswith("]", at):
        return spans
    while True:
        value_end = _value_end(text, at)
        spans.append((at, value_end))
        at = _skip_space(text, value_end)
        if text.startswith("]", at):
            return spans
        if not text.startswith(",", at):
            raise RawJsonError(f"',' or ']' expected at byte {at}")
        at = _skip_space(text, at + 1)


def raw_members(body: bytes) -> dict[str, bytes]:
    """Each top-level member's value, as raw bytes."""
    return {key: body[s:e] for key, (s, e) in member_spans(body).items()}


def raw_items(body: bytes, key: str = "messages") -> list[bytes]:
    """The raw bytes of ``body[key][i]`` for each i (``messages`` for Anthropic Messages and
    Chat Completions, ``input`` for Responses); empty when the member is absent or not a list."""
    span = member_spans(body).get(key)
    if span is None or not body[span[0]:span[1]].startswith(b"["):
        return []
    return [body[s:e] for s, e in element_spans(body, *span)]


def without_cache_control(raw: bytes) -> bytes:
    """``raw`` with every ``cache_control`` member cut out, byte-wise. Clients such as Claude
    Code move the marker to the newest block on each turn; this tells that change (the
    client's own) from a change of the content (the proxy's)."""
    return _CACHE_CONTROL.sub(b"", raw)


@dataclass
class PrefixCheck:
    """Turn by turn, whether every earlier message came back with the same bytes.

    ``add(items)`` takes one turn's raw items (of one conversation, in order); each item
    that an earlier turn also sent is one (turn, earlier message) pair, compared with the
    bytes of the turn before. ``changed`` lists the pairs that differ, as
    ``(turn, index)``; ``changed_beyond_marker`` those that still differ once
    ``cache_control`` markers are cut out of both."""

    turns: int = 0
    pairs: int = 0
    changed: list[tuple[int, int]] = field(default_factory=list)
    changed_beyond_marker: list[tuple[int, int]] = field(default_factory=list)
    _last: list[bytes] = field(default_factory=list)

    def add(self, items: list[bytes]) -> None:
        for i, (before, now) in enumerate(zip(self._last, items, strict=False)):
            self.pairs += 1
            if before != now:
                self.changed.append((self.turns, i))
                if without_cache_control(before) != without_cache_control(now):
                    self.changed_beyond_marker.append((self.turns, i))
        self._last = list(items)
        self.turns += 1

    @property
    def identical_share(self) -> float:
        return 1 - len(self.changed) / self.pairs if self.pairs else 1.0


class PrefixTracker:
    """Prefix checks of many conversations at once (thread-safe), keeping only digests:
    a long benchmark sends gigabytes in all."""

    def __init__(self, key: str = "messages", *, strip_marker: bool = False) -> None:
        self.key = key
        # Compare items with cache_control cut out: for clients that move the marker.
        self.strip_marker = strip_marker
        self._lock = threading.Lock()
        self._digests: dict[bytes, list[bytes]] = {}
        self._groups: dict[str, list[int]] = {}
        self.turns = 0
        self.pairs = 0
        self.changed = 0

    def add(self, body: bytes, conversation: str | None = None) -> list[bytes]:
        """Check one request body of ``conversation`` (by default, known by its first item);
        returns its raw items. Conversations named ``group-...`` are also counted by group."""
        items = raw_items(body, self.key)
        if not items:
            return items
        digests = [hashlib.sha256(without_cache_control(item) if self.strip_marker and b'"cache_control"' in item
                                  else item).digest() for item in items]
        key = conversation.encode() if conversation else digests[0]
        group = conversation.split("-", 1)[0] if conversation else ""
        with self._lock:
            last = self._digests.get(key, [])
            pairs = min(len(last), len(digests))
            changed = sum(before != now for before, now in zip(last, digests, strict=False))
            self.pairs += pairs
            self.changed += changed
            counts = self._groups.setdefault(group, [0, 0])
            counts[0] += pairs
            counts[1] += changed
            self._digests[key] = digests
            self.turns += 1
        return items

    def snapshot(self) -> dict:
        with self._lock:
            return {"conversations": len(self._digests), "turns": self.turns, "pairs": self.pairs,
                    "changed": self.changed,
                    "by_group": {g: {"pairs": p, "changed": c} for g, (p, c) in sorted(self._groups.items())}}
