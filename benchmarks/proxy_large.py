"""Large tool results through the proxy: memory and CPU stay bounded.

Starts the fake upstream and ``tersify proxy`` (separate processes, loopback only), sends
``--count`` requests at once, each carrying one tool result of ``--mb`` million characters
(under the proxy's default 32 MiB body limit), and samples the proxy's RSS and CPU time
every 20 ms until ``--settle`` seconds after the last answer. Reports the peak RSS, the
CPU-seconds the proxy used after the last answer (work nobody waits for: should be ~0),
latency, and what the proxy decided.

    python benchmarks/proxy_large.py --count 3 --mb 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from proxy_load import tool_output  # noqa: E402
from support.processes import start_fake, start_proxy, stop  # noqa: E402


def body(i: int, chars: int) -> bytes:
    return json.dumps({
        "model": "claude-bench", "max_tokens": 16,
        "messages": [
            {"role": "user", "content": "Summarise the log."},
            {"role": "assistant", "content": [{"type": "tool_use", "id": f"toolu_{i}", "name": "bash",
                                               "input": {"command": "cat big.log"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": f"toolu_{i}",
                                          "content": tool_output(i, chars)}]},
        ],
    }).encode()


class Sampler(threading.Thread):
    """RSS and CPU time of a process, every 20 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.samples: list[tuple[float, int, float]] = []  # (time, rss, cpu seconds)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            times = self.process.cpu_times()
            self.samples.append((time.monotonic(), self.process.memory_info().rss, times.user + times.system))
            time.sleep(0.02)


async def send_all(url: str, bodies: list[bytes]) -> list[tuple[int, float, float]]:
    headers = {"content-type": "application/json", "x-api-key": "bench-key", "anthropic-version": "2023-06-01"}

    async def one(client: httpx.AsyncClient, payload: bytes) -> tuple[int, float, float]:
        t0 = time.perf_counter()
        response = await client.post(url + "/v1/messages", content=payload, headers=headers)
        return response.status_code, time.perf_counter() - t0, time.monotonic()

    async with httpx.AsyncClient(timeout=600) as client:
        return list(await asyncio.gather(*(one(client, b) for b in bodies)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=3, help="requests sent at once (default 3)")
    parser.add_argument("--mb", type=float, default=30.0, help="tool-result size, million characters (default 30)")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds watched after the last answer")
    args = parser.parse_args()

    chars = int(args.mb * 1_000_000)
    bodies = [body(i, chars) for i in range(args.count)]
    work = Path(tempfile.mkdtemp(prefix="tersify-bench-"))
    procs = []
    try:
        fake, fake_url = start_fake(work)
        procs.append(fake)
        proxy, proxy_url = start_proxy(fake_url, work)
        procs.append(proxy)
        sampler = Sampler(procs[1].pid)
        sampler.start()
        time.sleep(0.5)
        idle_rss = sampler.samples[-1][1]
        results = asyncio.run(send_all(proxy_url, bodies))
        last_answer = max(done for _, _, done in results)
        time.sleep(args.settle)
        sampler.stop.set()
        sampler.join()
    finally:
        for proc in procs:
            stop(proc)

    cpu_at_answer = max(cpu for t, _, cpu in sampler.samples if t <= last_answer)
    cpu_after = sampler.samples[-1][2] - cpu_at_answer
    peak = max(rss for _, rss, _ in sampler.samples)
    print(f"machine: {os.cpu_count()} cores (shared), Python {sys.version.split()[0]}; "
          f"{args.count} requests at once, each one tool result of {chars:,} characters")
    print(f"answers: {[status for status, _, _ in results]}, latency "
          f"{', '.join(f'{seconds:.1f}' for _, seconds, _ in results)} s")
    print(f"proxy RSS: idle {idle_rss / 2**20:.0f} MiB, peak {peak / 2**20:.0f} MiB")
    print(f"proxy CPU after the last answer: {cpu_after:.2f} s (watched {args.settle:.0f} s)")
    return 0 if all(status == 200 for status, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
