"""Starting ``tersify proxy`` (and helpers) as a separate process, on loopback, for the
real-client check and the benchmarks: the proxy then runs as users run it."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_process(command: list[str], health_url: str, *, log: Path, timeout: float = 60.0) -> subprocess.Popen:
    """Start ``command`` (stderr and stdout to ``log``) and wait until ``health_url`` answers 200."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with open(log, "ab") as out:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(health_url, timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"{' '.join(command)} exited: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"{' '.join(command)} did not start in {timeout:.0f} s")


def start_fake(workdir: Path) -> tuple[subprocess.Popen, str]:
    """The fake upstream (``fake_upstream.py``) on a free loopback port; the process and its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, str(ROOT / "tests" / "support" / "fake_upstream.py"), "--port", str(port)]
    return start_process(command, url + "/_fake/received", log=workdir / "fake.log"), url


# The admin token the proxies started here use (``/stats``: header ``x-tersify-token``).
ADMIN_TOKEN = "bench-" + secrets.token_urlsafe(12)


def start_proxy(upstream_url: str, workdir: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """``tersify proxy`` on a free loopback port in front of ``upstream_url`` (both providers),
    its pair log in ``workdir``, admin token :data:`ADMIN_TOKEN`; returns the process and its URL."""
    port = free_port()
    command = [sys.executable, "-m", "tersify", "proxy", "--port", str(port), "--db", str(workdir / "proxy.db"),
               "--anthropic-upstream", upstream_url, "--openai-upstream", upstream_url,
               "--admin-token", ADMIN_TOKEN, *extra]
    url = f"http://127.0.0.1:{port}"
    return start_process(command, url + "/healthz", log=workdir / "proxy.log"), url


def stop(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


def proxy_stats(proxy_url: str) -> dict:
    """``GET /stats`` of a proxy started by :func:`start_proxy`."""
    return httpx.get(proxy_url + "/stats", headers={"x-tersify-token": ADMIN_TOKEN}, timeout=30).json()
