"""Running the fake upstream and the proxy in this process, for the proxy's tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support.fake_upstream import FakeUpstream
from tersify.proxy import ProxyConfig, create_app
from tersify.proxy.app import Proxy
from tersify.proxy.server import serve_in_thread


def build_log(tag: str, lines: int = 40) -> str:
    """A tool output no other test uses (so no proxy has decided on it yet)."""
    return "".join(
        f"2024-05-{i % 28 + 1:02d} 12:{i % 60:02d}:07 worker-{tag} INFO the job {i} of the batch was completed "
        f"with status ok in {i * 7} ms and the result has been written to /var/log/{tag}/run-{i}.log\n"
        for i in range(lines)
    )


@contextmanager
def fake_upstream() -> Iterator[tuple[FakeUpstream, str]]:
    """The fake Anthropic/OpenAI API on a free loopback port: it and its URL."""
    upstream = FakeUpstream()
    with serve_in_thread(upstream.app) as server:
        yield upstream, server.url


@contextmanager
def running_proxy(
    anthropic_url: str, db: Path, *, openai_url: str | None = None, **overrides: object
) -> Iterator[tuple[str, Proxy]]:
    """A proxy in front of ``anthropic_url`` (and ``openai_url``, default the same), its pair
    log at ``db``: its URL and its state."""
    config = ProxyConfig(anthropic_upstream=anthropic_url, openai_upstream=openai_url or anthropic_url, db=db,
                         **overrides)  # type: ignore[arg-type]
    app = create_app(config)
    with serve_in_thread(app) as server:
        yield server.url, app.state.proxy
