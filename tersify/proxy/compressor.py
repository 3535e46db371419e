"""One tool-result text in, a :class:`Decision` out: what the proxy sends upstream for it.

A decision is made once per content hash and kept, so every later turn of a conversation
sends the same bytes (providers cache prompt prefixes; a changed byte in an earlier
message loses the cache from there on). The pure parts live here: the size gate, reading a
decision back from the pair log, and turning a finished compression into a decision. When
and whether a compression runs is :mod:`tersify.proxy.work`'s concern.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import tersify
from tersify.budget import original_id
from tersify.compress import compress
from tersify.proxy.originals import retrieve_ref
from tersify.proxy.store import PairStore
from tersify.scorers import Scorer, default_scorer
from tersify.tokens import count_tokens

# Texts up to this many characters are counted exactly; longer ones sent unchanged are
# estimated (4 characters a token; /stats counts them apart): counting 30 MB exactly would
# cost seconds of CPU on a request the proxy has decided not to work on.
EXACT_COUNT_CHARS = 1 << 20


def approx_tokens(text: str) -> int:
    """Token estimate (4 characters a token) for the size gate and admission, which need an
    order of magnitude before any work; the saving figures count real tokens."""
    return math.ceil(len(text) / 4)


def counted_tokens(text: str) -> tuple[int, bool]:
    """o200k tokens of ``text`` and whether that is an estimate (see :data:`EXACT_COUNT_CHARS`)."""
    if len(text) <= EXACT_COUNT_CHARS:
        return count_tokens(text), False
    return approx_tokens(text), True


@dataclass(frozen=True)
class Decision:
    """What goes upstream for one tool-result text.

    ``status``: ``"compressed"`` (send ``text``), ``"unchanged"`` (send the original) or
    ``"small"`` (under the size gate, never recorded). ``reason`` says why a text goes
    unchanged: ``already_compressed``, ``not_smaller``, ``deadline``, ``busy``,
    ``too_large``, ``error``, ``excluded``."""

    status: str
    text: str | None = None  # the compressed text when status is "compressed"
    # o200k tokens before and after; None until counted (counting is kept off the event loop)
    tokens_in: int | None = None
    tokens_out: int | None = None
    reason: str = ""

    @property
    def changed(self) -> bool:
        return self.status == "compressed"


def unchanged(reason: str) -> Decision:
    """The decision to send a text as it is (its tokens are counted later, off the event loop)."""
    return Decision("unchanged", None, None, None, reason)


class ToolResultCompressor:
    """The proxy's use of ``compress()``: size gate, stored decisions, one compression."""

    def __init__(
        self,
        store: PairStore,
        *,
        min_tokens: int,
        rate: float | None,
        scorer: Scorer | None = None,
        budget: int | None = None,
        durable_originals: bool = True,
    ) -> None:
        self.store = store
        self.min_tokens = min_tokens
        self.rate = rate
        self.budget = budget
        # False (--no-log, --redact): originals are kept in memory or not exactly, so markers
        # do not promise `tersify retrieve`.
        self.durable_originals = durable_originals
        self.scorer = scorer if scorer is not None else default_scorer()
        self.scorer_version = str(getattr(self.scorer, "version", None) or tersify.__version__)
        # Decision key: a new scorer, model version or rate gives new outputs.
        self.options = f"scorer={self.scorer.name}@{self.scorer_version};rate={rate}"
        if budget is not None:  # a budget gives other outputs, and markers that name the store or not
            self.options += f";budget={budget};retrievable={int(durable_originals)}"

    def is_small(self, text: str) -> bool:
        return approx_tokens(text) < self.min_tokens

    def stored(self, text: str, text_hash: str) -> Decision | None:
        """The decision kept for this text (pair log or decision table), if any. Blocking I/O."""
        if self.store.is_output(text_hash):
            return unchanged("already_compressed")
        cached = self.store.cached(text_hash, self.options)
        if cached is not None:
            if self.budget is not None and self.durable_originals and " omitted: " in cached:
                self.store.originals.put(text)  # used again: last to be evicted (stored again if it was)
            return Decision("compressed", cached, counted_tokens(text)[0], count_tokens(cached))
        reason = self.store.unchanged_reason(text_hash, self.options)
        if reason is not None:
            return unchanged(reason)
        return None

    def run(self, text: str, cancel: threading.Event) -> tuple[Decision, float, dict]:
        """Compress ``text`` (raises :class:`~tersify.errors.Cancelled` once ``cancel`` is set).

        Returns the decision, the compression time in ms and the figures to log with the pair."""
        result = self._compress(text, cancel)
        stats = result.stats
        # An empty tool result is rejected by some APIs, and a longer one saves nothing.
        if not result.text.strip() or stats.tokens_out >= stats.tokens_in:
            decision = Decision("unchanged", None, stats.tokens_in, stats.tokens_in, "not_smaller")
        else:
            decision = Decision("compressed", result.text, stats.tokens_in, stats.tokens_out)
        figures = {"words_in": stats.words_in, "words_out": stats.words_out}
        return decision, stats.elapsed_ms, figures

    def _compress(self, text: str, cancel: threading.Event):
        """One compression; under a budget, the original is stored before any marker naming it
        goes out. With --no-log or --redact nothing is stored (a redacted copy could not give the
        lines back exactly, an exact one would keep the secrets) and the markers say so."""
        if self.budget is None:
            return compress(text, rate=self.rate, scorer=self.scorer, cancel=cancel)
        retrievable = self.durable_originals and self.store.originals.fits(text)
        ref = retrieve_ref(original_id(text), self.store.path) if retrievable else None
        result = compress(text, rate=self.rate, scorer=self.scorer, cancel=cancel, budget=self.budget,
                          retrieve_id=ref)
        if result.elision is not None and retrievable and self.store.originals.put(text) is None:
            result = compress(text, rate=self.rate, scorer=self.scorer, cancel=cancel, budget=self.budget)
        return result

    def keep(
        self, text: str, text_hash: str, decision: Decision, *, provider: str, model: str | None,
        tool: str | None, latency_ms: float = 0.0, figures: dict | None = None,
    ) -> None:
        """Persist a decision so that later turns (and a restarted proxy) send the same bytes."""
        if decision.changed:
            assert decision.text is not None
            self.store.record(
                provider=provider, model=model, tool=tool, options=self.options, original=text,
                compressed=decision.text, scorer=self.scorer.name, scorer_version=self.scorer_version,
                tokens_in=decision.tokens_in, tokens_out=decision.tokens_out,
                words_in=(figures or {}).get("words_in", 0), words_out=(figures or {}).get("words_out", 0),
                latency_ms=latency_ms,
            )
        elif decision.reason != "already_compressed":
            self.store.record_unchanged(text_hash, self.options, decision.reason)
