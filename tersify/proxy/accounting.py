"""What a request cost and saved, in real (o200k) tokens: over its tool results and over
the whole request. Runs in a worker thread while the request is upstream, never before it
(counting is CPU the request need not wait for)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from tersify.proxy.compressor import EXACT_COUNT_CHARS, Decision, counted_tokens
from tersify.tokens import count_tokens


@dataclass(frozen=True)
class RequestTokens:
    tools_before: int
    tools_after: int
    request_before: int  # the body as received, JSON syntax included
    request_after: int
    estimated: int  # texts whose count is an estimate (over the exact-count size)
    counted: list[Decision]  # the decisions with their token counts filled in


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
    if len(raw) <= EXACT_COUNT_CHARS:
        request = count_tokens(raw.decode("utf-8", errors="replace"))
    else:
        request = math.ceil(len(raw) / 4)
        estimated += 1
    return RequestTokens(before, after, request, request - (before - after), estimated, counted)
