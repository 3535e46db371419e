"""Routing by protocol (a key never reaches the other provider), the proxy's answer to
Claude Code's start-up probe, per-request bypass and per-tool exclusion, upstream error
kinds, graceful shutdown, and `tersify logs stats` in real tokens. Two fake upstreams, one
per provider, record what reaches each."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from support.fake_upstream import FakeUpstream
from support.proxies import build_log, running_proxy
from test_proxy_security import ANTHROPIC_KEY, OPENAI_KEY, claude, gpt, tool_request

from tersify.cli import main
from tersify.compress import compress
from tersify.proxy import ProxyConfig, create_app
from tersify.proxy.app import Proxy
from tersify.proxy.config import excluded
from tersify.proxy.providers import anthropic_messages, openai_chat
from tersify.proxy.routing import RoutingError, provider_for
from tersify.proxy.server import serve_in_thread
from tersify.proxy.store import PairStore


@pytest.fixture(scope="module")
def proxy(ant, oai, tmp_path_factory) -> Iterator[tuple[str, Proxy]]:
    with running_proxy(ant[1], tmp_path_factory.mktemp("routing") / "pairs.db", openai_url=oai[1],
                       exclude_tools=frozenset({"Read"})) as running:
        yield running


def keys_seen(upstream: FakeUpstream) -> str:
    return "\n".join(f"{k}: {v}" for r in upstream.received for k, v in r.headers)


# --- routing by protocol ---

@pytest.mark.parametrize(("path", "headers", "expected"), [
    ("/v1/models", {"x-api-key": "k"}, "anthropic"),
    ("/v1/models", {"anthropic-version": "2023-06-01"}, "anthropic"),
    ("/v1/files", {"anthropic-beta": "files-api-2025-04-14", "authorization": "Bearer oauth"}, "anthropic"),
    ("/v1/models", {"authorization": "Bearer k"}, "openai"),
    ("/v1/messages/count_tokens", {}, "anthropic"),
    ("/v1/complete", {}, "anthropic"),
    ("/v1/completions", {}, "openai"),
    ("/v1/responses/resp_1/input_items", {"Authorization": "Bearer k"}, "openai"),
    ("/v1/embeddings", {}, "openai"),
])
def test_provider_from_headers_and_path(path, headers, expected):
    assert provider_for(path, headers) == expected


@pytest.mark.parametrize(("path", "headers", "says"), [
    ("/v1/chat/completions", {"x-api-key": "k"}, "is an OpenAI endpoint but the request carries Anthropic"),
    ("/v1/messages", {"authorization": "Bearer k"}, "is an Anthropic endpoint but the request carries OpenAI"),
    ("/v1/models", {}, "cannot tell which provider"),
    ("/v1/models", {"authorization": "Basic k"}, "cannot tell which provider"),
    ("/v1/models", {"x-api-key": "k", "openai-organization": "org"}, "send it to one provider only"),
])
def test_contradictory_or_silent_requests_are_refused(path, headers, says):
    with pytest.raises(RoutingError, match=says):
        provider_for(path, headers)


def test_a_key_never_reaches_the_other_provider(ant, oai, proxy):
    (a, _), (o, _) = ant, oai
    url, state = proxy
    claude(url).messages.create(model="claude-test", max_tokens=5, messages=[{"role": "user", "content": "hi"}])
    gpt(url).chat.completions.create(model="gpt-test", messages=[{"role": "user", "content": "hi"}])
    assert httpx.get(url + "/v1/models", headers={"x-api-key": ANTHROPIC_KEY}).status_code == 200
    assert a.last().path == "/v1/models"
    assert [m.id for m in gpt(url).models.list()] == ["fake-model"]
    assert o.last().path == "/v1/models"
    refused = state.stats.get("requests_unroutable")
    for method, path, headers in (
        ("POST", "/v1/chat/completions", {"x-api-key": ANTHROPIC_KEY}),
        ("POST", "/v1/responses", {"x-api-key": ANTHROPIC_KEY, "anthropic-version": "2023-06-01"}),
        ("POST", "/v1/messages", {"authorization": f"Bearer {OPENAI_KEY}"}),
        ("GET", "/v1/models", {}),
    ):
        response = httpx.request(method, url + path, headers=headers, json={"model": "m", "messages": []})
        assert response.status_code == 400, path
        assert response.json()["error"]["type"] == "invalid_request_error"
        assert "tersify proxy:" in response.json()["error"]["message"]
    assert state.stats.get("requests_unroutable") == refused + 4
    assert ANTHROPIC_KEY in keys_seen(a) and OPENAI_KEY not in keys_seen(a)
    assert OPENAI_KEY in keys_seen(o) and ANTHROPIC_KEY not in keys_seen(o)


def test_start_up_probe_is_answered_here(ant, oai, proxy):
    url, _ = proxy
    seen = len(ant[0].received) + len(oai[0].received)
    head = httpx.head(url + "/")
    assert head.status_code == 200 and head.content == b""
    got = httpx.get(url + "/", headers={"x-api-key": ANTHROPIC_KEY})
    assert got.status_code == 200 and got.json()["service"] == "tersify proxy"
    assert len(ant[0].received) + len(oai[0].received) == seen


# --- bypass and exclusion ---

@pytest.mark.parametrize("value", ["1", "true", "TRUE"])
def test_bypass_header_forwards_unchanged(ant, proxy, value):
    upstream, upstream_url = ant
    url, state = proxy
    request = tool_request({"bash": build_log(f"bypass-{value}")})
    claude(upstream_url).messages.create(**request)
    direct = upstream.last()
    before = state.stats.get("requests_bypassed")
    claude(url).messages.create(**request, extra_headers={"x-tersify-bypass": value, "x-tersify-token": "t"})
    via = upstream.last()
    assert via.body == direct.body
    assert via.header("x-tersify-bypass") is None and via.header("x-tersify-token") is None
    assert state.stats.get("requests_bypassed") == before + 1


def test_excluded_tools_are_not_compressed(ant, proxy):
    upstream, _ = ant
    url, _ = proxy
    read, bash = build_log("excluded-read"), build_log("excluded-bash")
    claude(url).messages.create(**tool_request({"Read": read, "bash": bash}))
    assert [t.text for t in anthropic_messages(upstream.last().json())] == [read, compress(bash).text]
    config = ProxyConfig(exclude_tools=frozenset({"Read"}))
    assert excluded("Read", config) and not excluded("read", config) and not excluded(None, config)


def test_exclude_tool_on_openai_chat(oai, proxy):
    upstream, _ = oai
    url, _ = proxy
    log = build_log("excluded-chat")
    messages = [{"role": "user", "content": "go"},
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "Read", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "c1", "content": log}]
    gpt(url).chat.completions.create(model="gpt-test", messages=messages)
    assert [t.text for t in openai_chat(upstream.last().json())] == [log]


# --- upstream errors ---

@pytest.fixture
def garbage_server() -> Iterator[str]:
    """Accepts, reads, answers something that is not HTTP, hangs up."""
    server = socket.create_server(("127.0.0.1", 0))

    def run() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"this is not HTTP\r\n\r\n")

    threading.Thread(target=run, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


def test_protocol_error_and_unreachable_are_told_apart(garbage_server, tmp_path):
    with running_proxy(garbage_server, tmp_path / "p.db", openai_url="http://127.0.0.1:9") as (url, state):
        broken = httpx.post(url + "/v1/messages", json={"model": "m", "messages": []})
        down = httpx.post(url + "/v1/chat/completions", json={"model": "m", "messages": []})
    assert broken.status_code == down.status_code == 502
    assert broken.json()["error"]["type"] == "upstream_protocol_error"
    assert "upstream protocol error from http://127.0.0.1:" in broken.json()["error"]["message"]
    assert down.json()["error"]["type"] == "upstream_unreachable"
    assert "cannot reach http://127.0.0.1:9" in down.json()["error"]["message"]
    assert state.stats.get("upstream_protocol_error") == 1 and state.stats.get("upstream_unreachable") == 1


# --- graceful shutdown ---

def test_stream_in_flight_finishes_after_shutdown_begins(ant, oai, tmp_path):
    upstream, _ = ant
    upstream.gate.clear()
    config = ProxyConfig(anthropic_upstream=ant[1], openai_upstream=oai[1], db=tmp_path / "p.db")
    server = serve_in_thread(create_app(config), shutdown_grace_s=config.shutdown_grace_s)
    port = int(server.url.rsplit(":", 1)[1])
    body = {"model": "gated-stream", "max_tokens": 5, "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    try:
        with httpx.Client(timeout=30) as client, client.stream(
            "POST", server.url + "/v1/messages", json=body, headers={"x-api-key": ANTHROPIC_KEY}
        ) as response:
            lines = response.iter_lines()
            assert next(lines) == "event: message_start"
            server.server.should_exit = True  # what SIGTERM does
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # shutdown has begun once new connections are refused
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    time.sleep(0.05)
                except OSError:
                    break
            else:
                pytest.fail("the server did not start shutting down")
            upstream.gate.set()
            rest = list(lines)
        assert "event: message_stop" in rest
    finally:
        upstream.gate.set()
        server.stop(30)
    assert not server.thread.is_alive()


# --- tersify logs stats ---

def test_logs_stats_says_o200k_tokens(tmp_path, capsys):
    db = tmp_path / "pairs.db"
    with PairStore(db) as store:
        store.record(provider="openai", model=None, tool="bash", options="o", original=build_log("stats"),
                     compressed="short", scorer="s", scorer_version="1", tokens_in=900, tokens_out=300,
                     words_in=9, words_out=2, latency_ms=1.0)
    assert main(["logs", "stats", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "900 -> 300 o200k tokens (saved 66.7%" in out and "~4 chars" not in out
