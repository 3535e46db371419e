"""Starting ``tersify proxy`` (and helpers) as a separate process, on loopback, for the
real-client check and the benchmarks: the proxy then runs as users run it."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

from tersify_train.sources import loopback
from tersify_train.sources.loopback import free_port, start_process, stop

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["ADMIN_TOKEN", "ROOT", "free_port", "proxy_stats", "start_fake", "start_process", "start_proxy", "stop"]


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
    return loopback.start_proxy(upstream_url, workdir, *extra, admin_token=ADMIN_TOKEN)


def proxy_stats(proxy_url: str) -> dict:
    """``GET /stats`` of a proxy started by :func:`start_proxy`."""
    return loopback.proxy_stats(proxy_url, ADMIN_TOKEN)
