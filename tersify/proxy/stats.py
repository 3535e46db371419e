"""Live counters of a running proxy, served at ``GET /stats``."""

from __future__ import annotations

import threading
from collections import Counter, deque


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list (``None`` when empty)."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * q // 100))
    return float(sorted_values[int(rank) - 1])


# Counter names, in the order /stats shows them, with what each one counts.
COUNTERS = {
    "requests": "requests received (all paths)",
    "requests_rewritable": "requests on a route with tool results (messages, chat completions, responses)",
    "requests_rewritten": "requests forwarded with at least one compressed tool result",
    "tool_results_seen": "tool-result texts found",
    "tool_results_compressed": "tool-result texts sent compressed",
    "decisions_reused": "texts sent as decided on an earlier turn (memory or pair log)",
    "decided_compressed": "texts decided: compressed",
    "decided_not_smaller": "texts decided: unchanged, compression would not have saved anything",
    "decided_deadline": "texts decided: unchanged, not compressed by the request's deadline",
    "decided_busy": "texts decided: unchanged at once, the queue could not compress them in time",
    "decided_too_large": "texts decided: unchanged at once, over the size the proxy compresses",
    "decided_error": "texts decided: unchanged after a compressor error",
    "decided_already_compressed": "texts equal to an earlier output of the proxy (not compressed twice)",
    "compressions_started": "compressions started",
    "compressions_cancelled": "compressions stopped or never started: nobody waited for them any more",
    "compressions_discarded": "compressions that finished after their text was decided unchanged",
    "tokens_before": "o200k_base tokens of all tool-result texts seen",
    "tokens_after": "o200k_base tokens of those texts as forwarded",
    "request_tokens_before": "o200k_base tokens of whole request bodies as received (JSON included)",
    "request_tokens_after": "o200k_base tokens of those bodies as forwarded",
    "token_counts_estimated": "texts over 1 MiB and bodies over 8 MiB whose tokens were estimated (4 characters a token)",
    "failed_open_error": "requests forwarded unchanged after an unexpected error",
    "failed_open_unparsable": "requests forwarded unchanged because the body could not be read as JSON",
    "log_errors": "decisions that could not be written to the pair log",
    "requests_bypassed": "requests forwarded unchanged because they asked to (x-tersify-bypass)",
    "requests_unroutable": "requests refused with 400: credentials and path disagree, or name no provider",
    "body_too_large": "requests refused with 413",
    "upstream_unreachable": "requests answered 502 because the upstream could not be reached",
    "upstream_protocol_error": "requests answered 502 because the upstream broke the HTTP protocol",
}


class ProxyStats:
    """Thread-safe counters plus a window of recent compression times."""

    def __init__(self, window: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._compress_ms: deque[float] = deque(maxlen=window)
        self._request_ms: deque[float] = deque(maxlen=window)

    def add(self, name: str, n: int = 1) -> None:
        if name not in COUNTERS:
            raise KeyError(name)
        with self._lock:
            self._counts[name] += n

    def compress_time(self, ms: float) -> None:
        """Time of one ``compress()`` call."""
        with self._lock:
            self._compress_ms.append(ms)

    def rewrite_time(self, ms: float) -> None:
        """Time one request waited for its tool results (lookups, compression, queueing)."""
        with self._lock:
            self._request_ms.append(ms)

    def get(self, name: str) -> int:
        if name not in COUNTERS:  # a misspelt counter would read 0 forever
            raise KeyError(name)
        with self._lock:
            return self._counts[name]

    def snapshot(self) -> dict:
        with self._lock:
            counts = {name: self._counts[name] for name in COUNTERS}
            compress_ms = sorted(self._compress_ms)
            request_ms = sorted(self._request_ms)
        before, after = counts["tokens_before"], counts["tokens_after"]
        request_before, request_after = counts["request_tokens_before"], counts["request_tokens_after"]
        return {
            **counts,
            "failed_open": counts["failed_open_error"] + counts["failed_open_unparsable"],
            "token_saving": 1 - after / before if before else None,
            "request_token_saving": 1 - request_after / request_before if request_before else None,
            "compress_ms_p50": percentile(compress_ms, 50),
            "compress_ms_p99": percentile(compress_ms, 99),
            "rewrite_ms_p50": percentile(request_ms, 50),
            "rewrite_ms_p99": percentile(request_ms, 99),
        }
