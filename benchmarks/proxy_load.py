"""Load benchmark of the proxy: concurrent clients on loopback, ~5k-token tool results.

Starts the fake upstream (``tests/support/fake_upstream.py``) and ``tersify proxy`` in
front of it as separate processes, then sends the same set of Anthropic
``/v1/messages`` requests (each with one distinct ~20,000-character tool result) from
``--concurrency`` clients: first straight to the fake (the baseline), then through the
proxy (fresh tool results: each one is compressed), then through the proxy again (the
same requests: an agent resending its history, served from the pair log).

Reports requests lost (no 200 "ok" answer, or missing at the upstream: must be 0),
latency p50/p99 of each pass, the latency the proxy adds (p50/p99 over direct),
throughput, and the proxy's own counters (compressed, failed open, tokens saved).
Bounded: at most ``--requests`` requests a pass and ``--time-limit`` seconds in all;
everything listens on 127.0.0.1.

    python benchmarks/proxy_load.py --requests 300 --concurrency 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.processes import proxy_stats, start_fake, start_proxy, stop  # noqa: E402

from tersify.proxy.stats import percentile  # noqa: E402

SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


def tool_output(i: int, target_chars: int) -> str:
    """A distinct, realistic tool output: the repo's samples interleaved with service log lines."""
    parts, size, n = [], 0, 0
    while size < target_chars:
        if n % 25 == 0:
            block = SAMPLES[(i + n) % len(SAMPLES)].read_text()
        else:
            block = (f"2024-06-{n % 28 + 1:02d} 10:{n % 60:02d}:{i % 60:02d},{n * 37 % 1000:03d} INFO "
                     f"[req-{i}-{n}] GET /api/v2/orders/{i * 1000 + n} completed with status 200 in {n % 97} ms "
                     f"for user {i % 13} from 10.0.{i % 256}.{n % 256} and the cache was not used\n")
        parts.append(block)
        size += len(block)
        n += 1
    return "".join(parts)[:target_chars]


def request_body(i: int, target_chars: int) -> bytes:
    return json.dumps({
        "model": "claude-bench",
        "max_tokens": 64,
        "messages": [
            {"role": "user", "content": "Why do the tests fail?"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": f"toolu_{i}", "name": "bash",
                                               "input": {"command": "make test"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": f"toolu_{i}",
                                          "content": tool_output(i, target_chars)}]},
        ],
    }).encode()


async def run_pass(url: str, bodies: list[bytes], concurrency: int, deadline: float) -> dict:
    """Send every body once from ``concurrency`` workers; latencies of the answered ones."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    lost: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"content-type": "application/json", "x-api-key": "bench-key", "anthropic-version": "2023-06-01"}

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            try:
                body = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            t0 = time.perf_counter()
            try:
                response = await client.post(url + "/v1/messages", content=body, headers=headers)
                ok = response.status_code == 200 and response.json()["content"][0]["text"] == "ok"
                if not ok:
                    lost.append(f"HTTP {response.status_code}")
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                lost.append(type(exc).__name__)
                continue
            if ok:
                latencies.append((time.perf_counter() - t0) * 1000.0)

    t0 = time.perf_counter()
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    latencies.sort()
    return {"sent": len(bodies) - queue.qsize(), "answered": len(latencies), "lost": lost, "wall_s": wall,
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
            "throughput_rps": len(latencies) / wall if wall else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per pass (default 300)")
    parser.add_argument("--concurrency", type=int, default=100, help="concurrent clients (default 100)")
    parser.add_argument("--chars", type=int, default=20_000,
                        help="tool-result size in characters (default 20000, ~5k tokens)")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds for all passes (default 300)")
    parser.add_argument("--deadline", type=float, default=None,
                        help="the proxy's --deadline (default: the proxy's own default)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    bodies = [request_body(i, args.chars) for i in range(args.requests)]
    work = Path(tempfile.mkdtemp(prefix="tersify-bench-"))
    procs = []
    try:
        fake, fake_url = start_fake(work)
        procs.append(fake)
        proxy, proxy_url = start_proxy(fake_url, work, *(["--deadline", str(args.deadline)] if args.deadline else []))
        procs.append(proxy)

        deadline = time.monotonic() + args.time_limit
        passes = {}
        for name, url in (("direct", fake_url), ("proxy_fresh", proxy_url), ("proxy_repeat", proxy_url)):
            passes[name] = asyncio.run(run_pass(url, bodies, args.concurrency, deadline))
        received = httpx.get(fake_url + "/_fake/received").json()["received"]
        stats = proxy_stats(proxy_url)
    finally:
        for proc in procs:
            stop(proc)

    sent = sum(p["sent"] for p in passes.values())
    lost = sum(len(p["lost"]) for p in passes.values()) + (sent - received)
    figures = {
        "machine": f"{os.cpu_count()} cores (shared), Python {sys.version.split()[0]}",
        "requests_per_pass": args.requests, "concurrency": args.concurrency, "tool_result_chars": args.chars,
        "lost": lost, "sent": sent, "received_upstream": received,
        "passes": {k: {**v, "lost": len(v["lost"])} for k, v in passes.items()},
        "added_ms": {
            name: {q: passes[name][f"{q}_ms"] - passes["direct"][f"{q}_ms"] for q in ("p50", "p99")}
            for name in ("proxy_fresh", "proxy_repeat")
            if passes[name]["p50_ms"] is not None and passes["direct"]["p50_ms"] is not None
        },
        "proxy_stats": {k: stats[k] for k in ("tool_results_seen", "tool_results_compressed", "decisions_reused",
                                              "decided_compressed", "decided_deadline", "decided_busy",
                                              "compressions_started", "compressions_cancelled",
                                              "compressions_discarded", "failed_open",
                                              "tokens_before", "tokens_after", "token_saving",
                                              "compress_ms_p50", "compress_ms_p99")},
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"machine: {figures['machine']}; {args.requests} requests a pass, {args.concurrency} concurrent "
              f"clients, tool results of {args.chars} chars (~{args.chars // 4} tokens)")
        print(f"{'pass':<14}{'answered':>9}{'lost':>6}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>8}{'wall s':>8}")
        for name, p in passes.items():
            print(f"{name:<14}{p['answered']:>9}{len(p['lost']):>6}{p['p50_ms'] or 0:>9.1f}{p['p99_ms'] or 0:>9.1f}"
                  f"{p['throughput_rps']:>8.1f}{p['wall_s']:>8.1f}")
        for name, added in figures["added_ms"].items():
            print(f"added latency {name}: p50 {added['p50']:+.1f} ms, p99 {added['p99']:+.1f} ms")
        s = figures["proxy_stats"]
        print(f"requests lost: {lost} (sent {sent}, received upstream {received})")
        print(f"proxy: {s['tool_results_compressed']}/{s['tool_results_seen']} tool results sent compressed "
              f"({s['decisions_reused']} as decided earlier); decided: {s['decided_compressed']} compressed, "
              f"{s['decided_busy']} unchanged at once (queue), {s['decided_deadline']} unchanged at the deadline; "
              f"compressions {s['compressions_started']} started, {s['compressions_cancelled']} cancelled, "
              f"{s['compressions_discarded']} discarded; {s['failed_open']} failed open; "
              f"tokens {s['tokens_before']} -> {s['tokens_after']} ({(s['token_saving'] or 0):.1%} saved), "
              f"compress() p50 {s['compress_ms_p50'] or 0:.1f} ms p99 {s['compress_ms_p99'] or 0:.1f} ms")
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
