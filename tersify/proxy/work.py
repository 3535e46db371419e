"""Bounded compression work: one decision per content hash, admission control, cancellation.

Runs on the event loop; compressions run in a small thread pool. Why threads and not a
process pool: a compression that can be stopped at its next stage boundary (the
``cancel`` event of :func:`tersify.compress`) is as good as a killed process for the
proxy's texts, which admission keeps small enough to finish within the deadline; processes
would each load the model and the token tables again (~150 MB apiece) and copy every text
across, for the rare case of a stage that overruns. ``benchmarks/proxy_multiturn.py`` and
``benchmarks/proxy_load.py`` measure the result.

The rules, in order, for each distinct text of a request:

1. Under the size gate, or over ``max_compress_chars``: sent as it is (decided by size
   alone, so the same on every turn; never recorded, never hashed).
2. Decided before (this process's memory, or the pair log on disk): that decision, always.
3. Being compressed for another request: wait for that same decision.
4. Admission: if the queue ahead plus this text cannot be compressed before the request's
   deadline (measured throughput), it is decided *unchanged* at once: the request goes
   upstream without waiting.
5. Otherwise it is compressed; if the deadline of the first request that needs it passes
   first, it is decided unchanged, the compression is cancelled, and a result that still
   arrives is thrown away. Whatever is decided first is kept.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import anyio.to_thread

from tersify.errors import Cancelled
from tersify.proxy.compressor import Decision, ToolResultCompressor, approx_tokens, unchanged
from tersify.proxy.stats import ProxyStats

log = logging.getLogger("tersify.proxy")

# Starting guess of compression throughput (o200k tokens/s on one core) until measured;
# low on purpose: admitting too much costs a wasted compression, too little only savings.
_INITIAL_RATE = 100_000.0
# Share of the remaining time a compression may be predicted to take (queue included).
_ADMIT_SHARE = 0.8


@dataclass
class _Job:
    text_hash: str
    tokens: int  # estimated
    decision: asyncio.Future[Decision]
    cancel: threading.Event = field(default_factory=threading.Event)
    future: Future | None = None
    started: float = 0.0


@dataclass(frozen=True)
class Context:
    """Where a text came from (logged with its pair)."""

    provider: str
    model: str | None
    tool: str | None


class DecisionMemory:
    """Recent decisions by content hash, bounded by the characters of the texts they hold
    and by their number. What is forgotten here is still in the pair log."""

    def __init__(self, max_chars: int = 64 << 20, max_items: int = 200_000) -> None:
        self.max_chars = max_chars
        self.max_items = max_items
        self._chars = 0
        self._items: OrderedDict[str, Decision] = OrderedDict()

    def get(self, text_hash: str) -> Decision | None:
        found = self._items.get(text_hash)
        if found is not None:
            self._items.move_to_end(text_hash)
        return found

    def put(self, text_hash: str, decision: Decision) -> None:
        old = self._items.pop(text_hash, None)
        if old is not None:
            self._chars -= len(old.text or "")
        self._items[text_hash] = decision
        self._chars += len(decision.text or "")
        while (self._chars > self.max_chars or len(self._items) > self.max_items) and len(self._items) > 1:
            _, dropped = self._items.popitem(last=False)  # the pair log still has it
            self._chars -= len(dropped.text or "")


class Work:
    """The proxy's compression scheduler (one per proxy, used from its event loop only)."""

    def __init__(
        self, compressor: ToolResultCompressor, stats: ProxyStats, *, threads: int, max_compress_chars: int
    ) -> None:
        self.compressor = compressor
        self.stats = stats
        self.max_compress_chars = max_compress_chars
        self.executor = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="tersify-compress")
        self.memory = DecisionMemory()
        self.jobs: dict[str, _Job] = {}
        self.rate = _INITIAL_RATE  # o200k tokens/s, measured (moving average)
        self.backlog = 0  # estimated tokens queued or running

    def close(self) -> None:
        for job in self.jobs.values():
            job.cancel.set()
            if job.future is not None:
                job.future.cancel()
        self.executor.shutdown(wait=False, cancel_futures=True)

    # --- deciding ---

    def needs_decision(self, text: str) -> bool:
        """Whether a text's fate depends on more than its size (under the size gate it goes
        as it is, over the compression cap too: both the same on every turn, never recorded)."""
        return not self.compressor.is_small(text) and len(text) <= self.max_compress_chars

    async def decide(
        self, texts: list[str], text_hashes: list[str | None], contexts: list[Context], deadline: float
    ) -> list[Decision]:
        """One decision per text. ``text_hashes``: each text's content hash, ``None`` under the
        size gate; ``deadline``: event-loop time by which the request goes upstream."""
        hashes = {text: h for text, h in zip(texts, text_hashes, strict=True) if h is not None}
        known: dict[str, Decision] = {}
        for text_hash in hashes.values():
            found = self.memory.get(text_hash)
            if found is not None:
                known[text_hash] = found
                self.stats.add("decisions_reused")
        unknown = [(t, h) for t, h in hashes.items() if h not in known and h not in self.jobs]
        if unknown:  # the pair log, off the event loop
            stored = await anyio.to_thread.run_sync(lambda: [self.compressor.stored(t, h) for t, h in unknown])
            for (_, text_hash), decision in zip(unknown, stored, strict=True):
                if decision is not None:
                    self.memory.put(text_hash, decision)
                    known[text_hash] = decision
                    reused = decision.reason == "already_compressed"
                    self.stats.add("decided_already_compressed" if reused else "decisions_reused")
        waits: dict[str, _Job] = {}
        context_of = dict(zip(texts, contexts, strict=True))
        for text, text_hash in hashes.items():
            if text_hash in known:
                continue
            decided_meanwhile = self.memory.get(text_hash)  # by another request, during the lookup
            if decided_meanwhile is not None:
                known[text_hash] = decided_meanwhile
                continue
            job = self.jobs.get(text_hash) or self._start(text, text_hash, context_of[text], deadline)
            if job is None:
                known[text_hash] = self.memory.get(text_hash)  # type: ignore[assignment]  # just decided
            else:
                waits[text_hash] = job
        if waits:
            loop = asyncio.get_running_loop()
            await asyncio.wait([job.decision for job in waits.values()], timeout=max(0.0, deadline - loop.time()))
            for text_hash, job in waits.items():
                if not job.decision.done():
                    text = next(t for t, h in hashes.items() if h == text_hash)
                    self._settle(text, text_hash, unchanged("deadline"), context_of[text], job)
                known[text_hash] = job.decision.result()
        decisions = []
        for text in texts:
            text_hash = hashes.get(text)
            if text_hash:
                decisions.append(known[text_hash])
            elif self.compressor.is_small(text):
                decisions.append(Decision("small"))
            else:
                self.stats.add("decided_too_large")
                decisions.append(unchanged("too_large"))
        return decisions

    def _start(self, text: str, text_hash: str, context: Context, deadline: float) -> _Job | None:
        """A compression job for ``text``, or ``None`` when admission decides it unchanged at once."""
        loop = asyncio.get_running_loop()
        tokens = approx_tokens(text)
        if (self.backlog + tokens) / self.rate > _ADMIT_SHARE * (deadline - loop.time()):
            self._settle(text, text_hash, unchanged("busy"), context)
            return None
        job = _Job(text_hash, tokens, loop.create_future())
        self.jobs[text_hash] = job
        self.backlog += tokens
        self.stats.add("compressions_started")

        def run() -> tuple[Decision, float, dict]:
            job.started = time.perf_counter()
            return self.compressor.run(text, job.cancel)

        def report(done: Future) -> None:
            try:
                loop.call_soon_threadsafe(self._finished, text, job, context, done)
            except RuntimeError:  # the loop is closed: after shutdown nobody is left to tell
                pass

        job.future = self.executor.submit(run)
        job.future.add_done_callback(report)
        return job

    def _finished(self, text: str, job: _Job, context: Context, done: Future) -> None:
        """On the event loop: a compression ended (done, failed, cancelled or stopped)."""
        try:
            self._conclude(text, job, context, done)
        finally:
            self.jobs.pop(job.text_hash, None)
            self.backlog -= job.tokens

    def _conclude(self, text: str, job: _Job, context: Context, done: Future) -> None:
        if done.cancelled():
            self.stats.add("compressions_cancelled")
            return
        error = done.exception()
        if isinstance(error, Cancelled):
            self.stats.add("compressions_cancelled")
            return
        if error is not None:
            log.error("compression failed; the text goes upstream unchanged", exc_info=error)
            self._settle(text, job.text_hash, unchanged("error"), context, job)
            return
        decision, elapsed_ms, figures = done.result()
        self.stats.compress_time(elapsed_ms)
        if elapsed_ms > 0:
            self.rate = 0.7 * self.rate + 0.3 * (job.tokens / (elapsed_ms / 1000.0))
        if job.decision.done():  # decided unchanged when the deadline passed
            self.stats.add("compressions_discarded")
            return
        self._settle(text, job.text_hash, decision, context, job, elapsed_ms, figures)

    def _settle(
        self, text: str, text_hash: str, decision: Decision, context: Context, job: _Job | None = None,
        latency_ms: float = 0.0, figures: dict | None = None,
    ) -> None:
        """Make ``decision`` the one for ``text_hash`` (and ``job``'s, which stops): in memory
        now, in the pair log soon. A text already decided keeps its decision."""
        if job is not None:
            if job.decision.done():
                return
            job.decision.set_result(decision)
            job.cancel.set()  # a no-op when the job is what decided
            if job.future is not None:
                job.future.cancel()
        self.memory.put(text_hash, decision)
        self.stats.add(f"decided_{decision.reason or 'compressed'}")
        asyncio.get_running_loop().run_in_executor(
            None, lambda: self._keep(text, text_hash, decision, context, latency_ms, figures)
        )

    def _keep(self, text: str, text_hash: str, decision: Decision, context: Context,
              latency_ms: float, figures: dict | None) -> None:
        try:
            self.compressor.keep(text, text_hash, decision, provider=context.provider, model=context.model,
                                 tool=context.tool, latency_ms=latency_ms, figures=figures)
        except Exception:  # the decision stands in memory; the log is best effort
            log.exception("could not write a decision to the pair log")
            self.stats.add("log_errors")

