"""Settings of a proxy instance (the ``tersify proxy`` options)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tersify.proxy.store import default_db_path

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class ProxyConfig:
    anthropic_upstream: str = "https://api.anthropic.com"
    openai_upstream: str = "https://api.openai.com"
    db: Path = field(default_factory=default_db_path)
    # Size gate: tool results under this many (approximate) tokens go through unchanged;
    # compressing them saves little and costs a round of work on every request.
    min_tokens: int = 256
    rate: float | None = None  # None: compress() keeps words scored above its threshold
    # Longest a request may wait for its tool results; past it, it goes upstream unchanged.
    deadline_s: float = 2.0
    max_body_bytes: int = 32 * 1024 * 1024
    # Worker threads compressing at once (compression is CPU work: more threads than
    # cores only queue behind the GIL).
    compress_threads: int = 2
    # Longest tool result the proxy will compress at all (characters); longer ones go
    # upstream unchanged at once. Bounds a compression's memory (~18 bytes per input byte).
    max_compress_chars: int = 2 << 20
    upstream_connect_timeout_s: float = 30.0
    # Between two chunks of an upstream response; long generations stream for minutes.
    upstream_read_timeout_s: float = 600.0
