"""Proxy traffic: the stream of agent turns (:mod:`.agent_turns`) driven through the real
proxy, and its pair log exported: self-distillation data as a user's own traffic makes it.

:func:`proxy_traffic` starts the scripted fake API (:mod:`.scripted_upstream`) in this
process and ``tersify proxy`` as a separate process, as users run it, both on 127.0.0.1
only, the proxy's pair log in a private temporary folder (0700, removed afterwards); sends
every session's requests (a few sessions at once, each turn after the last one's answer);
then exports the pair log as ``tersify logs export`` does and accounts for every distinct
tool result sent: compressed (in the export), under the proxy's size gate, or decided
unchanged and why (the proxy's decision table). :func:`drive` and :func:`export_traffic`
also serve a proxy that runs elsewhere (the tests' in-process one).

The proxy runs with a longer deadline than its default: a tool result that the deadline
(or admission, on a busy machine) sends upstream unchanged never becomes a pair, and
training data is the point here.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tersify.errors import TersifyError
from tersify.proxy.compressor import approx_tokens
from tersify.proxy.config import ProxyConfig
from tersify.proxy.server import serve_in_thread
from tersify.proxy.store import PairStore, content_hash
from tersify_train.sources.agent_turns import Session, request_bodies, sessions
from tersify_train.sources.loopback import proxy_stats, start_proxy, stop
from tersify_train.sources.pairs import write_pairs
from tersify_train.sources.proxy_logs import export_pairs
from tersify_train.sources.records import PairRecord
from tersify_train.sources.scripted_upstream import Script, ScriptedUpstream

# A made-up key: the fake API takes anything, and the proxy routes by the header's presence.
HEADERS = {"content-type": "application/json", "x-api-key": "traffic-fake-key", "anthropic-version": "2023-06-01"}
DEADLINE_S = 60.0
MIN_TOKENS = ProxyConfig(db=Path("unused")).min_tokens  # the proxy's size gate


@dataclass
class TrafficReport:
    """What a drive did and what became of the tool results."""

    sessions: int
    turns: int
    requests: int = 0  # answered 200 with a whole message
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0  # driving the traffic (not starting or exporting)
    tool_results_sent: int = 0  # every turn's, each counted on every request that resends it
    distinct: int = 0  # distinct tool-result texts
    fates: dict[str, int] = field(default_factory=dict)  # compressed, small, unchanged:<reason>
    pairs: int = 0  # records written
    elided: int = 0  # pairs left out for budget markers (none without --budget)
    proxy: dict[str, Any] = field(default_factory=dict)  # /stats counters of the run

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _answered(response: httpx.Response, stream: bool) -> bool:
    """Whether a response is a whole Messages answer (JSON, or SSE through message_stop)."""
    if response.status_code != 200:
        return False
    if stream:
        return "event: message_stop" in response.text
    return bool(response.json().get("stop_reason"))


async def _drive(plan: list[Session], url: str, concurrency: int, report: TrafficReport,
                 done: Callable[[], None]) -> None:
    gate = asyncio.Semaphore(max(1, concurrency))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def one(client: httpx.AsyncClient, session: Session) -> None:
        async with gate:
            for t, body in enumerate(request_bodies(session)):
                try:
                    response = await client.post(url + "/v1/messages", content=json.dumps(body).encode(),
                                                 headers=HEADERS)
                    ok = _answered(response, session.stream)
                except (httpx.HTTPError, ValueError) as exc:
                    ok, response = False, exc
                if not ok:
                    report.failed.append(f"{session.id} turn {t}: {str(response)[:160]}")
                    return  # an agent stops when its call fails
                report.requests += 1
                report.tool_results_sent += t
                done()

    async with httpx.AsyncClient(timeout=httpx.Timeout(600.0, connect=30.0), limits=limits) as client:
        await asyncio.gather(*(one(client, s) for s in plan))


def drive(plan: list[Session], url: str, *, concurrency: int = 4, report: TrafficReport | None = None,
          progress: bool = False) -> TrafficReport:
    """Send every request of ``plan`` to the proxy at ``url`` (``concurrency`` sessions at once)."""
    from tersify_train.eval.progress import progress_bar

    report = report or TrafficReport(len(plan), max((len(s.turns) for s in plan), default=0))
    t0 = time.perf_counter()
    total = sum(len(s.turns) + 1 for s in plan)
    if progress:
        with progress_bar() as bar:
            task = bar.add_task("agent turns through the proxy", total=total, info="")
            asyncio.run(_drive(plan, url, concurrency, report, lambda: bar.advance(task)))
    else:
        asyncio.run(_drive(plan, url, concurrency, report, lambda: None))
    report.seconds = round(time.perf_counter() - t0, 2)
    return report


def export_traffic(db: Path, plan: list[Session], out: str | Path, *, options: str, min_tokens: int,
                   report: TrafficReport) -> list[PairRecord]:
    """Export the pair log to ``out`` (mode 0600), records in the order the stream first sent
    their texts, and account for every distinct tool result of ``plan`` in ``report.fates``."""
    records, report.elided = export_pairs(db)
    first_seen: dict[str, int] = {}
    for s in plan:
        for text in s.outputs():
            first_seen.setdefault(text, len(first_seen))
    records.sort(key=lambda r: first_seen.get(r.text, len(first_seen)))
    compressed = {r.text for r in records}
    fates: Counter[str] = Counter()
    with PairStore(db, create=False) as store:
        for text in first_seen:
            if text in compressed:
                fates["compressed"] += 1
            elif approx_tokens(text) < min_tokens:
                fates["small"] += 1  # the size gate: sent as it is, never logged
            else:
                fates[f"unchanged:{store.unchanged_reason(content_hash(text), options) or 'undecided'}"] += 1
    report.distinct, report.fates = len(first_seen), dict(sorted(fates.items()))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.touch(mode=0o600, exist_ok=True)
    os.chmod(out, 0o600)  # the texts are a user's tool outputs in real use: private, as the pair log is
    report.pairs = write_pairs(out, records)
    return records


def proxy_traffic(out: str | Path, *, n_sessions: int, n_turns: int, seed: int = 0, concurrency: int = 4,
                  deadline_s: float = DEADLINE_S, min_tokens: int = MIN_TOKENS, keep: Path | None = None,
                  progress: bool = False) -> TrafficReport:
    """The stream of ``n_sessions`` x ``n_turns`` agent turns through ``tersify proxy`` (a
    separate process) to the fake API, the pair log exported to ``out``. ``keep``: a folder
    for the pair log and the proxy's output, kept (default: a temporary folder, removed)."""
    plan = sessions(n_sessions, n_turns, seed=seed)
    work = Path(tempfile.mkdtemp(prefix="tersify-traffic-")) if keep is None else keep
    work.mkdir(mode=0o700, parents=True, exist_ok=True)
    report = TrafficReport(n_sessions, n_turns)
    token = secrets.token_urlsafe(24)
    try:
        upstream = ScriptedUpstream(Script([], final_text="Done."), keep_bodies=False)
        with serve_in_thread(upstream.app) as fake:
            try:
                proc, url = start_proxy(fake.url, work, "--deadline", str(deadline_s), "--min-tokens",
                                        str(min_tokens), admin_token=token)
            except RuntimeError as exc:
                raise TersifyError(f"tersify proxy did not start: {exc}") from exc
            try:
                drive(plan, url, concurrency=concurrency, report=report, progress=progress)
                stats = proxy_stats(url, token)
            finally:
                stop(proc)
        if report.failed:
            raise TersifyError(f"{len(report.failed)} sessions failed, first: {report.failed[0]}")
        report.proxy = {k: v for k, v in stats.items() if isinstance(v, int | float | str) and v and k != "db"}
        export_traffic(work / "proxy.db", plan, out, options=stats["scorer"],
                       min_tokens=min_tokens, report=report)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return report


__all__ = ["DEADLINE_S", "MIN_TOKENS", "TrafficReport", "drive", "export_traffic", "proxy_traffic"]
