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
    # Per tool result: the most o200k tokens it may have upstream (None: no budget). Lines left
    # out are stored in the store's originals table, retrievable with `tersify retrieve`.
    budget: int | None = None
    originals_max_bytes: int | None = None  # cap of the stored originals (None: $TERSIFY_ORIGINALS_MAX_MB or 1 GiB)
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
    # --- security and control (see the README's "Security defaults") ---
    host: str = "127.0.0.1"  # the --host value, also accepted in the Host header
    log: bool = True  # False (--no-log): the pair log lives in memory only
    log_days: float | None = None  # pairs older than this are deleted at start-up and hourly
    prune_interval_s: float = 3600.0
    redact: bool = False  # secret-looking spans replaced by [REDACTED] in the logged original
    admin: bool = True  # False (--no-admin): /stats and /v1/retrieve answer 404
    admin_token: str | None = None  # None: one is generated at start-up
    exclude_tools: frozenset[str] = frozenset()  # tool names whose results are never compressed
    # Seconds streams in flight may take to finish after a shutdown signal.
    shutdown_grace_s: float = 60.0


def excluded(tool_name: str | None, config: ProxyConfig) -> bool:
    """Whether a tool result of ``tool_name`` is left as it is (``--exclude-tool``). A result
    whose tool is unknown is never excluded."""
    return tool_name is not None and tool_name in config.exclude_tools
