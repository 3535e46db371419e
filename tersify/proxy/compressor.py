"""One tool-result text in, the text to forward out: the proxy's use of ``compress()``.

Runs in worker threads (never on the event loop). Decides, in order: too small to
bother; already an output of the proxy (not compressed twice); compressed before
(reuse the logged output, so every turn of a conversation sends the same bytes);
otherwise compress, and log the pair. Errors propagate: the caller fails open.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import tersify
from tersify.compress import compress
from tersify.proxy.stats import ProxyStats
from tersify.proxy.store import PairStore, content_hash
from tersify.scorers import Scorer, default_scorer
from tersify.tokens import count_tokens


def approx_tokens(text: str) -> int:
    """Token count estimate (4 characters a token) for the size gate only, which needs an
    order of magnitude before any work; the saving figures count real tokens."""
    return math.ceil(len(text) / 4)


@dataclass(frozen=True)
class Outcome:
    text: str  # what goes upstream
    status: str  # "small" | "already_compressed" | "cached" | "compressed" | "not_smaller"
    tokens_saved: int = 0  # real (o200k_base) tokens the change saves

    @property
    def changed(self) -> bool:
        return self.status in ("cached", "compressed")


class ToolResultCompressor:
    def __init__(
        self,
        store: PairStore,
        stats: ProxyStats,
        *,
        min_tokens: int,
        rate: float | None,
        scorer: Scorer | None = None,
    ) -> None:
        self.store = store
        self.stats = stats
        self.min_tokens = min_tokens
        self.rate = rate
        self.scorer = scorer if scorer is not None else default_scorer()
        self.scorer_version = str(getattr(self.scorer, "version", None) or tersify.__version__)
        # Cache key: a new scorer, model version or rate gives new outputs.
        self.options = f"scorer={self.scorer.name}@{self.scorer_version};rate={rate}"

    def lookup(self, text: str) -> Outcome | None:
        """The outcome when no compression is needed (cheap: a hash and two indexed lookups),
        else ``None``. Kept apart from :meth:`compress` so that cache hits never queue behind
        compressions of other requests."""
        if approx_tokens(text) < self.min_tokens:
            return Outcome(text, "small")
        text_hash = content_hash(text)
        if self.store.is_output(text_hash):
            return Outcome(text, "already_compressed")
        cached = self.store.cached(text_hash, self.options)
        if cached is not None:
            return Outcome(cached, "cached", count_tokens(text) - count_tokens(cached))
        return None

    def compress(self, text: str, *, provider: str, model: str | None, tool: str | None) -> Outcome:
        """Compress a text :meth:`lookup` found no outcome for, and log the pair."""
        t0 = time.perf_counter()
        result = compress(text, rate=self.rate, scorer=self.scorer)
        elapsed_ms = (time.perf_counter() - t0) * 1000.0
        self.stats.compress_time(elapsed_ms)
        # An empty tool result is rejected by some APIs, and a longer one saves nothing.
        if not result.text.strip() or result.stats.tokens_out >= result.stats.tokens_in:
            return Outcome(text, "not_smaller")
        self.store.record(
            provider=provider,
            model=model,
            tool=tool,
            options=self.options,
            original=text,
            compressed=result.text,
            scorer=self.scorer.name,
            scorer_version=self.scorer_version,
            tokens_in=result.stats.tokens_in,
            tokens_out=result.stats.tokens_out,
            words_in=result.stats.words_in,
            words_out=result.stats.words_out,
            latency_ms=elapsed_ms,
        )
        return Outcome(result.text, "compressed", result.stats.tokens_in - result.stats.tokens_out)

    def process(self, text: str, *, provider: str, model: str | None, tool: str | None) -> Outcome:
        """:meth:`lookup`, then :meth:`compress` when needed."""
        found = self.lookup(text)
        return found if found is not None else self.compress(text, provider=provider, model=model, tool=tool)
