"""Multi-turn benchmark of the proxy: agents' tool loops, the context growing every turn.

``--conversations`` concurrent conversations of ``--turns`` tool turns each, Anthropic
``/v1/messages``, through ``tersify proxy`` (a subprocess) to the scripted fake upstream
(``tests/support/scripted_upstream.py --track``, another subprocess), which asks for one
tool call a turn and answers once all are done. Each turn adds a tool result, a real
output of a varied kind (pytest, ruff, diffs, listings, JSON, grep, loghub logs; a few KB
to ~50 KB), some of them the same in several conversations; the whole history is resent
every turn, as agents do, with ``cache_control`` on the newest tool result (as Claude Code
does; ``--no-marker`` leaves it out). Half the conversations stream their answers.

The same conversations first go straight to the fake (the baseline), then through the
proxy. Printed: requests lost (no valid answer, or missing at the upstream; must be 0);
prefix stability (of every (turn, earlier message) pair, the share whose bytes arrived
identical to the turn before, the markers the client itself moved left out: must be
100%); p50/p99 latency the proxy adds (paired by conversation and turn); the share of
tool-result o200k tokens that arrived compressed and the share saved, per tool result and
over all requests (each result counted on every turn it is resent); the proxy's peak RSS
(psutil, children included) and the CPU-seconds it used after the last answer. Bounded by
``--time-limit``; everything on 127.0.0.1.

    python benchmarks/proxy_multiturn.py --conversations 20 --turns 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.processes import free_port, proxy_stats, start_process, start_proxy, stop  # noqa: E402

from tersify.proxy.stats import percentile  # noqa: E402
from tersify.tokens import count_tokens  # noqa: E402

SYSTEM = [{"type": "text", "text": "You are an agent that fixes failing builds. " * 40,
           "cache_control": {"type": "ephemeral"}}]
TOOLS = [{"name": "bash", "description": "Run a shell command and return its output.",
          "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]}}]
HEADERS = {"content-type": "application/json", "x-api-key": "bench-key", "anthropic-version": "2023-06-01"}


class Outputs:
    """Real tool outputs of varied kinds, cut or joined to a target size."""

    def __init__(self, seed: int) -> None:
        rows = [json.loads(line) for line in (ROOT / "benchmarks/data/savings_set.jsonl").open()]
        self.kinds: dict[str, list[dict]] = {}
        for row in rows:
            if len(row["text"]) >= 300 and row["kind"] != "log":
                self.kinds.setdefault(row["kind"], []).append(row)
        self.logs = {p.parent.name: p.read_text(errors="replace").splitlines(keepends=True)
                     for p in sorted((ROOT / "data/loghub").glob("*/*_2k.log"))}
        self.rng = random.Random(seed)
        self.shared = [self.make(f"shared-{i}") for i in range(30)]

    def make(self, tag: str) -> str:
        target = int(math.exp(self.rng.uniform(math.log(2_000), math.log(50_000))))
        kind = self.rng.choice([*self.kinds, "log", "log"])
        if kind == "log":
            system = self.rng.choice(sorted(self.logs))
            lines = self.logs[system]
            at, parts, size = self.rng.randrange(len(lines)), [f"$ tail -n +{tag} {system}.log\n"], 0
            while size < target:
                parts.append(lines[at % len(lines)])
                size += len(parts[-1])
                at += 1
            return "".join(parts)
        parts, size = [], 0
        while size < target:
            row = self.rng.choice(self.kinds[kind])
            parts.append(f"$ {row['command']}  # {tag}\n{row['text']}\n")
            size += len(parts[-1])
        return "".join(parts)

    def conversation(self, c: int, turns: int, repeat: float) -> list[str]:
        return [self.rng.choice(self.shared) if self.rng.random() < repeat else self.make(f"{c}.{t}")
                for t in range(turns)]


def assistant_from(response: httpx.Response, stream: bool) -> tuple[list[dict], str]:
    """The answer's content blocks and stop reason, from JSON or from the SSE events."""
    if not stream:
        body = response.json()
        return body["content"], body["stop_reason"]
    blocks: list[dict] = []
    pieces: dict[int, list[str]] = {}
    stop = ""
    for line in response.text.splitlines():
        if not line.startswith("data: "):
            continue
        event = json.loads(line[6:])
        if event["type"] == "content_block_start":
            blocks.append(dict(event["content_block"]))
            pieces[event["index"]] = []
        elif event["type"] == "content_block_delta":
            delta = event["delta"]
            pieces[event["index"]].append(delta.get("text") or delta.get("partial_json") or "")
        elif event["type"] == "message_delta":
            stop = event["delta"]["stop_reason"]
    for i, block in enumerate(blocks):
        if block["type"] == "text":
            block["text"] = "".join(pieces[i])
        else:
            block["input"] = json.loads("".join(pieces[i]) or "{}")
    if not stop or "message_stop" not in response.text:
        raise ValueError("stream ended early")
    return blocks, stop


async def conversation(client: httpx.AsyncClient, url: str, name: str, outputs: list[str], *, stream: bool,
                       marker: bool, deadline: float, result: dict) -> None:
    """One tool loop: latencies[turn], lost, turns done."""
    messages = [json.dumps({"role": "user", "content": f"Conversation {name}: make the build pass."}).encode()]
    head = json.dumps({"model": "claude-bench", "max_tokens": 4096, "system": SYSTEM, "tools": TOOLS,
                       "stream": stream})[:-1].encode()
    marked: dict | None = None
    for turn in range(len(outputs) + 1):
        if time.monotonic() > deadline:
            return
        body = head + b', "messages": [' + b", ".join(messages) + b"]}"
        t0 = time.perf_counter()
        try:
            response = await client.post(url + "/v1/messages", content=body, headers={**HEADERS, "x-conversation": name})
            if response.status_code != 200:
                raise ValueError(f"HTTP {response.status_code} {response.text[:160]}")
            blocks, stop = assistant_from(response, stream)
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            result["lost"].append(f"{name} turn {turn}: {type(exc).__name__} {exc}"[:240])
            return
        result["latency"][(name.split("-", 1)[1], turn)] = (time.perf_counter() - t0) * 1000.0
        result["turns"] += 1
        calls = [b for b in blocks if b["type"] == "tool_use"]
        if turn == len(outputs):
            if stop != "end_turn" or calls:
                result["lost"].append(f"{name}: no final answer")
            return
        if stop != "tool_use" or len(calls) != 1:
            result["lost"].append(f"{name} turn {turn}: no tool call")
            return
        messages.append(json.dumps({"role": "assistant", "content": blocks}).encode())
        block = {"type": "tool_result", "tool_use_id": calls[0]["id"], "content": outputs[turn]}
        if marker:  # the marker moves to the newest tool result; the one before is resent without it
            if marked is not None:
                messages[-2] = json.dumps(marked).encode()
            block["cache_control"] = {"type": "ephemeral"}
            marked = {"role": "user", "content": [{k: v for k, v in block.items() if k != "cache_control"}]}
        messages.append(json.dumps({"role": "user", "content": [block]}).encode())


async def run_pass(url: str, prefix: str, plans: list[list[str]], args: argparse.Namespace, deadline: float) -> dict:
    result: dict = {"latency": {}, "lost": [], "turns": 0}
    limits = httpx.Limits(max_connections=len(plans), max_keepalive_connections=len(plans))
    t0 = time.perf_counter()
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        await asyncio.gather(*(conversation(client, url, f"{prefix}-{c}", plan, stream=c % 2 == 1,
                                            marker=not args.no_marker, deadline=deadline, result=result)
                               for c, plan in enumerate(plans)))
    result["wall_s"] = time.perf_counter() - t0
    result["last_answer"] = time.monotonic()
    return result


class Sampler(threading.Thread):
    """Peak RSS of a process and its children, sampled every 0.1 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = 0
        self.done = threading.Event()

    def tree(self) -> list[psutil.Process]:
        try:
            return [self.process, *self.process.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def cpu_seconds(self) -> float:
        total = 0.0
        for p in self.tree():
            try:
                times = p.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    def run(self) -> None:
        while not self.done.wait(0.1):
            rss = 0
            for p in self.tree():
                try:
                    rss += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            self.peak = max(self.peak, rss)


def accounting(plans: list[list[str]], texts: dict, turns_done: dict[str, int]) -> dict:
    """Tool-result tokens as generated vs as the upstream first received them."""
    counted: dict[str, int] = {}

    def tokens(text: str) -> int:
        if text not in counted:
            counted[text] = count_tokens(text)
        return counted[text]

    original = forwarded = compressed = resent_original = resent_forwarded = 0
    for c, plan in enumerate(plans):
        received = texts.get(f"proxy-{c}", {})
        done = turns_done.get(str(c), 0)
        for t, text in enumerate(plan):
            got = received.get(str(2 + 2 * t))  # the tool result of turn t is message 2 + 2t
            if got is None:
                continue
            before, after = tokens(text), tokens("".join(got))
            original += before
            forwarded += after
            compressed += before if "".join(got) != text else 0
            carried = max(done - 1 - t, 0)  # requests t+1 .. done-1 carry it
            resent_original += before * carried
            resent_forwarded += after * carried
    return {"tool_tokens": original, "tool_tokens_forwarded": forwarded,
            "share_compressed": compressed / original if original else None,
            "share_saved": 1 - forwarded / original if original else None,
            "share_saved_over_requests": 1 - resent_forwarded / resent_original if resent_original else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=20, help="concurrent conversations (default 20)")
    parser.add_argument("--turns", type=int, default=50, help="tool turns per conversation (default 50)")
    parser.add_argument("--repeat", type=float, default=0.2,
                        help="share of tool results drawn from outputs shared by all conversations (default 0.2)")
    parser.add_argument("--no-marker", action="store_true", help="no cache_control on the newest tool result")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds for both passes (default 600)")
    parser.add_argument("--settle", type=float, default=5.0,
                        help="seconds after the last answer over which the proxy's CPU is measured (default 5)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (pair log, process logs)")
    parser.add_argument("proxy_args", nargs="*", help="extra `tersify proxy` options, after --")
    args = parser.parse_args()

    source = Outputs(args.seed)
    plans = [source.conversation(c, args.turns, args.repeat) for c in range(args.conversations)]
    work = Path(tempfile.mkdtemp(prefix="tersify-multiturn-"))
    fake_port = free_port()
    fake_url = f"http://127.0.0.1:{fake_port}"
    fake = start_process([sys.executable, str(ROOT / "tests/support/scripted_upstream.py"), "--port", str(fake_port),
                          "--turns", str(args.turns), "--track"], fake_url + "/_fake/report", log=work / "fake.log")
    proxy = None
    try:
        proxy, proxy_url = start_proxy(fake_url, work, *args.proxy_args)
        sampler = Sampler(proxy.pid)
        sampler.start()
        start = time.monotonic()
        direct = asyncio.run(run_pass(fake_url, "direct", plans, args, start + args.time_limit / 3))
        via = asyncio.run(run_pass(proxy_url, "proxy", plans, args, start + args.time_limit))
        cpu_at_last_answer = sampler.cpu_seconds()
        time.sleep(args.settle)
        cpu_after = sampler.cpu_seconds() - cpu_at_last_answer
        sampler.done.set()
        report = httpx.get(fake_url + "/_fake/report", timeout=60).json()
        texts = httpx.get(fake_url + "/_fake/tool_texts", timeout=120).json()
        try:
            stats = proxy_stats(proxy_url)
        except (httpx.HTTPError, ValueError):
            stats = {}
    finally:
        if proxy is not None:
            stop(proxy)
        stop(fake)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    sent = direct["turns"] + via["turns"] + len(direct["lost"]) + len(via["lost"])
    lost = len(direct["lost"]) + len(via["lost"]) + max(0, sent - report["received"])
    prefix = {**report["prefix"]["by_group"].get("proxy", {"pairs": 0, "changed": 0}),
              "conversations": args.conversations, "direct": report["prefix"]["by_group"].get("direct")}
    paired = sorted(via["latency"][k] - direct["latency"][k] for k in via["latency"] if k in direct["latency"])
    turns_done = {}
    for name, _ in via["latency"]:
        turns_done[name] = turns_done.get(name, 0) + 1
    figures = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared), {psutil.virtual_memory().total / 2**30:.0f}"
                   f" GiB, Python {platform.python_version()}",
        "conversations": args.conversations, "turns": args.turns, "marker": not args.no_marker,
        "requests": {"planned_per_pass": args.conversations * (args.turns + 1), "direct": direct["turns"],
                     "proxy": via["turns"], "received_upstream": report["received"], "lost": lost,
                     "lost_detail": (direct["lost"] + via["lost"])[:10]},
        "prefix": {**prefix, "identical_share": 1 - prefix["changed"] / prefix["pairs"] if prefix["pairs"] else None},
        "latency_ms": {"direct_p50": percentile(sorted(direct["latency"].values()), 50),
                       "direct_p99": percentile(sorted(direct["latency"].values()), 99),
                       "proxy_p50": percentile(sorted(via["latency"].values()), 50),
                       "proxy_p99": percentile(sorted(via["latency"].values()), 99),
                       "added_p50": percentile(paired, 50), "added_p99": percentile(paired, 99)},
        "wall_s": {"direct": direct["wall_s"], "proxy": via["wall_s"]},
        "tokens": accounting(plans, texts, turns_done),
        "proxy_rss_peak_mb": sampler.peak / 2**20,
        "proxy_cpu_s_after_last_answer": cpu_after, "settle_s": args.settle,
        "proxy_stats": {k: stats.get(k) for k in ("tool_results_seen", "tool_results_compressed",
                                                  "decisions_reused", "decided_compressed", "decided_busy",
                                                  "decided_deadline", "compressions_cancelled",
                                                  "compressions_discarded", "token_saving", "request_token_saving")},
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print_figures(figures)
    return 0 if lost == 0 else 1


def print_figures(f: dict) -> None:
    r, p, lat, tok = f["requests"], f["prefix"], f["latency_ms"], f["tokens"]
    print(f"$ {f['command']}\nmachine: {f['machine']}")
    print(f"{f['conversations']} conversations x {f['turns']} tool turns, cache_control on the newest tool result: "
          f"{f['marker']}")
    print(f"requests: planned {r['planned_per_pass']} a pass, answered direct {r['direct']}, via proxy {r['proxy']} "
          f"(a conversation stops at a loss or the time limit), received upstream {r['received_upstream']}; "
          f"lost {r['lost']} {r['lost_detail'] or ''}")
    share = p["identical_share"]
    print(f"prefix stability: {p['pairs'] - p['changed']}/{p['pairs']} (turn, earlier message) pairs identical "
          f"({share * 100 if share is not None else float('nan'):.2f}%) via the proxy, markers the client moved "
          f"left out (direct: {p['direct']['changed'] if p['direct'] else '?'} changed of "
          f"{p['direct']['pairs'] if p['direct'] else '?'})")
    fmt = lambda v: f"{v:.1f}" if v is not None else "n/a"  # noqa: E731
    print(f"latency ms: direct p50 {fmt(lat['direct_p50'])} p99 {fmt(lat['direct_p99'])}; via proxy p50 "
          f"{fmt(lat['proxy_p50'])} p99 {fmt(lat['proxy_p99'])}; added (paired) p50 {fmt(lat['added_p50'])} "
          f"p99 {fmt(lat['added_p99'])}; wall s direct {f['wall_s']['direct']:.1f}, proxy {f['wall_s']['proxy']:.1f}")
    pct = lambda v: f"{v * 100:.1f}%" if v is not None else "n/a"  # noqa: E731
    print(f"tool-result tokens (o200k): {tok['tool_tokens']} -> {tok['tool_tokens_forwarded']} on first trip; "
          f"compressed {pct(tok['share_compressed'])}, saved {pct(tok['share_saved'])}; saved over all requests, "
          f"each result counted on every turn it is resent as first sent: {pct(tok['share_saved_over_requests'])}")
    print(f"proxy: RSS peak {f['proxy_rss_peak_mb']:.0f} MB, CPU after the last answer "
          f"{f['proxy_cpu_s_after_last_answer']:.2f} s over {f['settle_s']:.0f} s; /stats {f['proxy_stats']}")


if __name__ == "__main__":
    sys.exit(main())
