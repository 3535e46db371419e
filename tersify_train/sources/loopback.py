"""Servers on loopback for driving the proxy: a free port, a process started and waited
for until its health URL answers, and stopping it. ``tersify data proxy-traffic`` runs
``tersify proxy`` this way, as users run it; the tests and benchmarks do too
(``tests/support/processes.py``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

import tersify

# The folder holding the running ``tersify`` package: a child process imports the same copy.
CODE_ROOT = Path(tersify.__file__).resolve().parents[1]


def free_port() -> int:
    """A port free on 127.0.0.1 now (another process may take it before it is used)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_process(command: list[str], health_url: str, *, log: Path, timeout: float = 60.0) -> subprocess.Popen:
    """Start ``command`` (stderr and stdout to ``log``) and wait until ``health_url`` answers 200."""
    env = {**os.environ, "PYTHONPATH": str(CODE_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with open(log, "ab") as out:
        proc = subprocess.Popen(command, cwd=CODE_ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
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
    stop(proc)
    raise RuntimeError(f"{' '.join(command)} did not start in {timeout:.0f} s")


def stop(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Terminate ``proc`` (kill it if it does not exit within ``timeout``)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


def start_proxy(upstream_url: str, workdir: Path, *extra: str, admin_token: str) -> tuple[subprocess.Popen, str]:
    """``tersify proxy`` on a free loopback port in front of ``upstream_url`` (both providers),
    its pair log ``workdir/proxy.db``, its output in ``workdir/proxy.log``; the process and its URL."""
    port = free_port()
    command = [sys.executable, "-m", "tersify", "proxy", "--host", "127.0.0.1", "--port", str(port),
               "--db", str(workdir / "proxy.db"), "--anthropic-upstream", upstream_url,
               "--openai-upstream", upstream_url, "--admin-token", admin_token, *extra]
    url = f"http://127.0.0.1:{port}"
    return start_process(command, url + "/healthz", log=workdir / "proxy.log"), url


def proxy_stats(proxy_url: str, admin_token: str) -> dict:
    """``GET /stats`` of a running proxy."""
    return httpx.get(proxy_url + "/stats", headers={"x-tersify-token": admin_token}, timeout=30).json()


__all__ = ["CODE_ROOT", "free_port", "proxy_stats", "start_process", "start_proxy", "stop"]
