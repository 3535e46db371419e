"""What a request cost and saved, in real (o200k) tokens: over its tool results and over
the whole request. Runs in a worker thread while the request is upstream, never before it
(counting is CPU the request need not wait for).

An agent resends its whole history every turn, so counting every body from scratch grows
with the square of the turns. A body is counted in pieces of 64-128 KiB, each cut just
after a comma where it can be, and the count of each piece is remembered by its hash: the unchanged prefix
of the next turn costs a hash per piece. A token that a cut splits counts twice, at most
one token per 64 KiB (under 0.01%).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from tersify.proxy.compressor import Decision, counted_tokens
from tersify.tokens import count_tokens


@dataclass(frozen=True)
class RequestTokens:
    tools_before: int
    tools_after: int
    request_before: int  # the body as received, JSON syntax included
    request_after: int
    estimated: int  # texts whose count is an estimate (over the exact-count size)
    counted: list[Decision]  # the decisions with their token counts filled in


_PIECE = 64 << 10
_LONGEST_COUNTED = 8 << 20  # bytes; longer bodies are estimated (4 bytes a token)


class _PieceCounts:
    """Token counts of body pieces by hash, the most recent 4,096 (thread-safe)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._counts: OrderedDict[bytes, int] = OrderedDict()

    def count(self, piece: bytes) -> int:
        key = hashlib.blake2b(piece, digest_size=16).digest()
        with self._lock:
            if key in self._counts:
                self._counts.move_to_end(key)
                return self._counts[key]
        tokens = count_tokens(piece.decode("utf-8", errors="replace"))
        with self._lock:
            self._counts[key] = tokens
            if len(self._counts) > self.size:
                self._counts.popitem(last=False)
        return tokens


_PIECES = _PieceCounts()


def body_pieces(raw: bytes, piece: int = _PIECE) -> list[bytes]:
    """``raw`` cut into pieces of ``piece`` to ``2 * piece`` bytes, each ending just after a
    comma where there is one (else at a character boundary); the same prefix always gives
    the same pieces."""
    pieces, start = [], 0
    while start < len(raw):
        cut = raw.find(b",", start + piece, start + 2 * piece)
        if cut >= 0:
            stop = cut + 1
        else:  # a long string without a comma: cut at a character boundary
            stop = min(len(raw), start + 2 * piece)
            while stop < len(raw) and raw[stop] & 0xC0 == 0x80:
                stop += 1
        pieces.append(raw[start:stop])
        start = stop
    return pieces


def count_body(raw: bytes) -> tuple[int, bool]:
    """o200k tokens of a request body (see the module's note), and whether estimated."""
    if len(raw) > _LONGEST_COUNTED:
        return math.ceil(len(raw) / 4), True
    return sum(_PIECES.count(piece) for piece in body_pieces(raw)), False


def count_request(raw: bytes, texts: list[str], decisions: list[Decision]) -> RequestTokens:
    """Tokens before and after for one request (body ``raw``) whose tool results are ``texts``."""
    before = after = estimated = 0
    counted = []
    for text, decision in zip(texts, decisions, strict=True):
        if decision.tokens_in is None:
            tokens, is_estimate = counted_tokens(text)
            estimated += is_estimate
            decision = replace(decision, tokens_in=tokens, tokens_out=tokens)
        elif decision.tokens_out is None:
            decision = replace(decision, tokens_out=count_tokens(decision.text or text))
        counted.append(decision)
        before += decision.tokens_in
        after += decision.tokens_out if decision.changed else decision.tokens_in
    request, is_estimate = count_body(raw)
    estimated += is_estimate
    return RequestTokens(before, after, request, request - (before - after), estimated, counted)
