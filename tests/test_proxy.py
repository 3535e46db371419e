"""The proxy end to end: the official openai and anthropic SDKs, unmodified, with
base_url pointed at the proxy, in front of a local fake upstream that records exactly
what it received. Everything listens on 127.0.0.1 only.

One module (over 400 lines) because every test shares the module-scoped fake upstream and
proxy started here; the sections below split it by behaviour."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import anthropic
import httpx
import openai
import pytest
from support.fake_upstream import FakeUpstream
from support.proxies import build_log, fake_upstream, running_proxy

from tersify.compaction import expand
from tersify.compress import compress
from tersify.mustkeep import MustKeep
from tersify.proxy.app import Proxy
from tersify.proxy.providers import anthropic_messages, openai_chat, openai_responses
from tersify.proxy.store import content_hash
from tersify.regions import text_noise_spans
from tersify.regions.noise import inside

ROOT = Path(__file__).resolve().parents[1]
PYTEST_LOG = (ROOT / "samples" / "pytest_failures.txt").read_text()
ANTHROPIC_KEY = "sk-ant-test-KEY-7f3a9c1e5b"
OPENAI_KEY = "sk-proj-test-KEY-2d8e4b6a0c"


def assert_must_keep_intact(original: str, compressed: str) -> None:
    """Every must-keep span of the original (outside named noise) is in the expanded output, in order."""
    spans = sorted(MustKeep().find(original), key=lambda s: (s.start, s.end))
    assert spans
    expanded = expand(compressed)
    noise_starts, noise_ends = text_noise_spans(original)
    pos = 0
    for span in spans:
        if noise_starts.shape[0] and inside(noise_starts, noise_ends, span.start, span.end):
            continue
        found = expanded.find(original[span.start:span.end], pos)
        assert found >= 0, f"lost {original[span.start:span.end]!r} ({span.category})"
        pos = found


def end_to_end_headers(received) -> dict[str, str]:
    """Headers minus the per-connection ones the proxy recomputes."""
    return {k.lower(): v for k, v in received.headers if k.lower() not in {"host", "content-length", "connection"}}


def masked(finder, body: dict) -> dict:
    """The body with every tool-result text replaced by one marker."""
    for tool_text in finder(body):
        *parents, last = tool_text.path
        holder = body
        for key in parents:
            holder = holder[key]
        holder[last] = "<tool result>"
    return body


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[FakeUpstream, str]]:
    with fake_upstream() as running:
        yield running


@pytest.fixture(scope="module")
def proxy(fake, tmp_path_factory) -> Iterator[tuple[str, Proxy]]:
    with running_proxy(fake[1], tmp_path_factory.mktemp("proxy") / "pairs.db") as running:
        yield running


def claude(base_url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=base_url, api_key=ANTHROPIC_KEY, max_retries=0, timeout=30)


def gpt(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url + "/v1", api_key=OPENAI_KEY, max_retries=0, timeout=30)


def anthropic_request(tool_output: str, second_output: str) -> dict:
    return dict(
        model="claude-test",
        max_tokens=64,
        system="You are a careful engineer. " * 80,
        messages=[
            {"role": "user", "content": "Please run the tests and tell me what failed. " * 60},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Running them."},
                {"type": "tool_use", "id": "toolu_1", "name": "bash", "input": {"command": "pytest -q"}},
                {"type": "tool_use", "id": "toolu_2", "name": "read_logs", "input": {"path": "/var/log"}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": tool_output},
                {"type": "tool_result", "tool_use_id": "toolu_2",
                 "content": [{"type": "text", "text": second_output}]},
            ]},
        ],
    )


def chat_messages(tool_output: str) -> list[dict]:
    return [
        {"role": "system", "content": "You are terse. " * 100},
        {"role": "user", "content": "Why does the build fail? " * 60},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "bash", "arguments": "{\"cmd\": \"make\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": tool_output},
    ]


# --- tool results arrive compressed, everything else unchanged ---

def test_anthropic_tool_results_compressed_rest_unchanged(fake, proxy):
    upstream, upstream_url = fake
    second = build_log("anthropic")
    request = anthropic_request(PYTEST_LOG, second)
    claude(upstream_url).messages.create(**request)
    direct = upstream.last()
    reply = claude(proxy[0]).messages.create(**request)
    via = upstream.last()
    assert reply.content[0].text == "ok"

    sent, got = direct.json(), via.json()
    originals = [t.text for t in anthropic_messages(sent)]
    forwarded = [t.text for t in anthropic_messages(got)]
    assert originals == [PYTEST_LOG, second]
    for original, text in zip(originals, forwarded, strict=True):
        assert text == compress(original).text  # the default scorer, deterministic
        assert len(text) < len(original)
        assert_must_keep_intact(original, text)
    assert masked(anthropic_messages, got) == masked(anthropic_messages, sent)
    assert end_to_end_headers(via) == end_to_end_headers(direct)
    assert ANTHROPIC_KEY in str(end_to_end_headers(via))
    assert via.header("host") == upstream_url.removeprefix("http://")


def test_openai_chat_tool_message_compressed(fake, proxy):
    upstream, upstream_url = fake
    log = build_log("chat")
    gpt(upstream_url).chat.completions.create(model="gpt-test", messages=chat_messages(log), temperature=0)
    direct = upstream.last()
    reply = gpt(proxy[0]).chat.completions.create(model="gpt-test", messages=chat_messages(log), temperature=0)
    via = upstream.last()
    assert reply.choices[0].message.content == "ok"
    assert via.path == "/v1/chat/completions"
    [text] = [t.text for t in openai_chat(via.json())]
    assert text == compress(log).text and len(text) < len(log)
    assert_must_keep_intact(log, text)
    assert masked(openai_chat, via.json()) == masked(openai_chat, direct.json())
    assert via.header("authorization") == f"Bearer {OPENAI_KEY}"
    assert end_to_end_headers(via) == end_to_end_headers(direct)


def test_openai_responses_function_call_output_compressed(fake, proxy):
    upstream, upstream_url = fake
    log = build_log("responses")
    items = [
        {"role": "user", "content": "list the logs " * 50},
        {"type": "function_call", "call_id": "call_9", "name": "ls", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_9", "output": log},
    ]
    gpt(upstream_url).responses.create(model="gpt-test", input=items)
    direct = upstream.last()
    reply = gpt(proxy[0]).responses.create(model="gpt-test", input=items)
    via = upstream.last()
    assert reply.output_text == "ok"
    [text] = [t.text for t in openai_responses(via.json())]
    assert text == compress(log).text and len(text) < len(log)
    assert_must_keep_intact(log, text)
    assert masked(openai_responses, via.json()) == masked(openai_responses, direct.json())


# --- streaming ---

def test_anthropic_streaming_end_to_end(fake, proxy):
    upstream, _ = fake
    request = anthropic_request(PYTEST_LOG, build_log("stream-a"))
    with claude(proxy[0]).messages.stream(**request) as stream:
        deltas = list(stream.text_stream)
        final = stream.get_final_message()
    assert deltas == ["o", "k"] and final.stop_reason == "end_turn"
    received = upstream.last().json()
    assert received["stream"] is True
    assert [t.text for t in anthropic_messages(received)][0] == compress(PYTEST_LOG).text


def test_openai_streaming_end_to_end(fake, proxy):
    upstream, _ = fake
    log = build_log("stream-o")
    chunks = gpt(proxy[0]).chat.completions.create(model="gpt-test", messages=chat_messages(log), stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "ok"
    assert [t.text for t in openai_chat(upstream.last().json())] == [compress(log).text]


def test_stream_chunks_arrive_as_they_come(fake, proxy):
    """The first event reaches the client while the upstream is still holding the rest."""
    upstream, _ = fake
    upstream.gate.clear()
    body = {"model": "gated-stream", "max_tokens": 5, "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    try:
        with httpx.Client(timeout=15) as client, client.stream(
            "POST", proxy[0] + "/v1/messages", json=body, headers={"x-api-key": ANTHROPIC_KEY}
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.iter_lines()
            first = next(lines)
            assert first == "event: message_start"
            assert not upstream.gate.is_set()  # the rest has not been sent yet
            upstream.gate.set()
            rest = list(lines)
    finally:
        upstream.gate.set()
    assert "event: message_stop" in rest


# --- errors pass through ---

@pytest.mark.parametrize("status", [400, 401, 429, 500, 529])
def test_anthropic_upstream_errors_reach_the_client_unchanged(fake, proxy, status):
    _, upstream_url = fake
    request = {"model": f"status-{status}", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    with pytest.raises(anthropic.APIStatusError) as error:
        claude(proxy[0]).messages.create(**request)
    assert error.value.status_code == status
    assert error.value.body == {"type": "error", "error": {"type": "fake_error",
                                                           "message": f"fake failure for status-{status}"}}
    direct = httpx.post(upstream_url + "/v1/messages", json=request)
    via = httpx.post(proxy[0] + "/v1/messages", json=request)
    assert (via.status_code, via.content) == (direct.status_code, direct.content)
    assert via.headers["x-fake-error"] == "1" and via.headers["retry-after"] == "0"


@pytest.mark.parametrize("status", [404, 503])
def test_openai_upstream_errors_reach_the_client_unchanged(fake, proxy, status):
    with pytest.raises(openai.APIStatusError) as error:
        gpt(proxy[0]).chat.completions.create(model=f"status-{status}", messages=chat_messages(PYTEST_LOG))
    assert error.value.status_code == status
    assert error.value.body == {"message": f"fake failure for status-{status}", "type": "fake_error", "code": None}


def test_unreachable_upstream_is_a_clear_502(tmp_path):
    with running_proxy("http://127.0.0.1:9", tmp_path / "pairs.db") as (url, state):
        response = httpx.post(url + "/v1/messages", json={"model": "m", "messages": []})
    assert response.status_code == 502
    assert response.json()["error"]["type"] == "upstream_unreachable"
    assert state.stats.get("upstream_unreachable") == 1


# --- fail open ---

def test_compressor_failure_still_delivers_the_original(fake, proxy, monkeypatch):
    upstream, upstream_url = fake
    url, state = proxy

    def broken(*args, **kwargs):
        raise RuntimeError("scorer crashed")

    monkeypatch.setattr("tersify.proxy.compressor.compress", broken)
    log = build_log("broken")
    before = state.stats.get("decided_error")
    gpt(upstream_url).chat.completions.create(model="gpt-test", messages=chat_messages(log))
    direct = upstream.last()
    reply = gpt(url).chat.completions.create(model="gpt-test", messages=chat_messages(log))
    assert reply.choices[0].message.content == "ok"
    assert upstream.last().body == direct.body  # byte for byte
    assert state.stats.get("decided_error") == before + 1
    monkeypatch.undo()  # compression works again, but the text's decision stands
    gpt(url).chat.completions.create(model="gpt-test", messages=chat_messages(log))
    assert upstream.last().body == direct.body


def test_deadline_overrun_forwards_the_original(fake, tmp_path, monkeypatch):
    upstream, upstream_url = fake

    def slow(text, **kwargs):
        time.sleep(1.0)
        return compress(text, **kwargs)

    monkeypatch.setattr("tersify.proxy.compressor.compress", slow)
    log = build_log("slow")
    request = anthropic_request(log, "short")
    with running_proxy(upstream_url, tmp_path / "pairs.db", deadline_s=0.3) as (url, state):
        claude(upstream_url).messages.create(**request)
        direct = upstream.last()
        claude(url).messages.create(**request)
        assert upstream.last().body == direct.body
        assert state.stats.get("decided_deadline") == 1
        give_up = time.monotonic() + 10  # the compression stops at its first stage boundary
        while state.stats.get("compressions_cancelled") == 0 and time.monotonic() < give_up:
            time.sleep(0.05)
        assert state.stats.get("compressions_cancelled") == 1
        claude(url).messages.create(**request)  # the next turn sends the same bytes
        assert upstream.last().body == direct.body


def test_unparsable_body_is_forwarded_unchanged(fake, proxy):
    upstream, _ = fake
    url, state = proxy
    before = state.stats.get("failed_open_unparsable")
    raw = b'{"model": "m", "messages": [{"role": "user", "content": "unterminated'
    response = httpx.post(url + "/v1/chat/completions", content=raw, headers={"content-type": "application/json"})
    # the fake cannot parse it either and fails; the proxy relays that failure and forwarded the bytes as sent
    assert response.status_code == 500
    assert upstream.last().body == raw
    assert state.stats.get("failed_open_unparsable") == before + 1


# --- what is not compressed ---

def test_cache_control_block_compressed_small_and_non_tool_text_untouched(fake, proxy):
    upstream, _ = fake
    big = build_log("cached-block")
    request = {
        "model": "claude-test", "max_tokens": 5, "system": big,
        "messages": [
            {"role": "user", "content": big},
            {"role": "assistant", "content": [{"type": "text", "text": big},
                                              {"type": "tool_use", "id": "t1", "name": "bash", "input": {}},
                                              {"type": "tool_use", "id": "t2", "name": "bash", "input": {}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": big, "cache_control": {"type": "ephemeral"}},
                {"type": "tool_result", "tool_use_id": "t2", "content": "exit code 0, 3 files changed"},
            ]},
        ],
    }
    claude(proxy[0]).messages.create(**request)
    received = upstream.last().json()
    assert received["system"] == big and received["messages"][0]["content"] == big
    assert received["messages"][1]["content"][0]["text"] == big
    # cache_control marks where the prefix is cached; the block may change before it is first sent
    assert [t.text for t in anthropic_messages(received)] == [compress(big).text, "exit code 0, 3 files changed"]
    assert received["messages"][2]["content"][0]["cache_control"] == {"type": "ephemeral"}


def test_already_compressed_text_is_not_compressed_again(fake, proxy):
    upstream, _ = fake
    url, state = proxy
    log = PYTEST_LOG.replace("pricing", "twice")  # word dropping leaves it above the size gate
    gpt(url).chat.completions.create(model="gpt-test", messages=chat_messages(log))
    [once] = [t.text for t in openai_chat(upstream.last().json())]
    assert once != log
    before = state.stats.get("decided_already_compressed")
    gpt(url).chat.completions.create(model="gpt-test", messages=chat_messages(once))
    assert [t.text for t in openai_chat(upstream.last().json())] == [once]
    assert state.stats.get("decided_already_compressed") == before + 1


def test_repeated_request_is_byte_identical_upstream(fake, proxy):
    """Agents resend the whole history each turn: the upstream prompt cache needs the same bytes."""
    upstream, _ = fake
    url, state = proxy
    request = anthropic_request(build_log("repeat-1"), build_log("repeat-2"))
    claude(url).messages.create(**request)
    first = upstream.last().body
    hits = state.stats.get("decisions_reused")
    claude(url).messages.create(**request)
    assert upstream.last().body == first
    assert state.stats.get("decisions_reused") == hits + 2


# --- everything else is forwarded ---

def test_other_paths_and_methods_are_forwarded(fake, proxy):
    upstream, _ = fake
    url, _ = proxy
    assert [m.id for m in gpt(url).models.list()] == ["fake-model"]
    assert upstream.last().path == "/v1/models"
    response = httpx.put(url + "/v1/files/abc%20def?purpose=x&n=2", content=b"\x00\x01raw bytes",
                         headers={"x-custom": "kept", "connection": "x-private", "x-private": "dropped",
                                  "authorization": f"Bearer {OPENAI_KEY}"})
    assert response.json() == {"method": "PUT", "path": "/v1/files/abc def", "query": "purpose=x&n=2",
                               "body_bytes": 11}
    got = upstream.last()
    assert got.body == b"\x00\x01raw bytes"
    assert got.header("x-custom") == "kept" and got.header("x-private") is None
    # Anthropic's token counter carries tool results too, but it is not a route the proxy rewrites
    log = build_log("count")
    httpx.post(url + "/v1/messages/count_tokens", json=anthropic_request(log, log))
    assert [t.text for t in anthropic_messages(upstream.last().json())] == [log, log]


def test_body_over_the_limit_gets_413(fake, tmp_path):
    upstream, upstream_url = fake
    with running_proxy(upstream_url, tmp_path / "pairs.db", max_body_bytes=2000) as (url, state):
        seen = len(upstream.received)
        with pytest.raises(anthropic.APIStatusError) as error:
            claude(url).messages.create(**anthropic_request(PYTEST_LOG, "x"))
        assert error.value.status_code == 413
        assert error.value.body["error"]["type"] == "request_too_large"
        chunks = (b"x" * 1000 for _ in range(5))  # no content-length: counted while read
        assert httpx.post(url + "/v1/messages", content=chunks).status_code == 413
        assert httpx.get(url + "/healthz").json() == {"status": "ok"}
        assert len(upstream.received) == seen
        assert state.stats.get("body_too_large") == 2


# --- retrieval, stats, secrets ---

def admin(state: Proxy) -> dict[str, str]:
    return {"authorization": f"Bearer {state.admin_token}"}


def test_originals_retrievable_by_hash(fake, proxy):
    upstream, _ = fake
    url, state = proxy
    log = build_log("retrieve")
    gpt(url).chat.completions.create(model="gpt-test", messages=chat_messages(log))
    [compressed] = [t.text for t in openai_chat(upstream.last().json())]
    response = httpx.get(f"{url}/v1/retrieve/{content_hash(log)}", headers=admin(state))
    assert response.status_code == 200 and response.text == log
    # the hash of the compressed text (anyone who saw the request has it) retrieves nothing
    assert httpx.get(f"{url}/v1/retrieve/{content_hash(compressed)}", headers=admin(state)).status_code == 404
    assert httpx.get(f"{url}/v1/retrieve/{'0' * 64}", headers=admin(state)).status_code == 404


def test_stats_and_healthz(fake, proxy):
    url, _ = proxy
    gpt(url).chat.completions.create(model="gpt-test", messages=chat_messages(build_log("stats")))
    assert httpx.get(url + "/healthz").json() == {"status": "ok"}
    stats = httpx.get(url + "/stats", headers=admin(proxy[1])).json()
    assert stats["requests"] >= 1 and stats["tool_results_seen"] >= stats["tool_results_compressed"] >= 1
    assert stats["tokens_before"] > stats["tokens_after"] > 0
    assert 0 < stats["token_saving"] < 1
    assert stats["compress_ms_p50"] <= stats["compress_ms_p99"]
    assert "baseline" in stats["scorer"] or stats["scorer"].startswith("scorer=")


def test_no_api_key_or_auth_header_in_the_database(fake, proxy):
    url, state = proxy
    client = gpt(url)
    client.chat.completions.create(model="gpt-test", messages=chat_messages(build_log("secret")),
                                   extra_headers={"x-session-token": "tok-SESSION-99"})
    claude(url).messages.create(**anthropic_request(build_log("secret-a"), "tiny"))
    assert state.store.count() > 0
    db = state.store.path
    data = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    assert b"worker-secret" in data  # the pairs are there...
    for secret in (ANTHROPIC_KEY, OPENAI_KEY, "tok-SESSION-99", "Bearer", "x-api-key", "authorization"):
        assert secret.encode() not in data  # ...the credentials are not
        assert secret.encode("utf-16-le") not in data


def test_pair_log_rows_describe_the_compression(fake, proxy):
    url, state = proxy
    log = build_log("row")
    gpt(url).chat.completions.create(model="gpt-row", messages=chat_messages(log))
    [pair] = [p for p in state.store.pairs() if p.original == log]
    assert (pair.provider, pair.model, pair.tool) == ("openai", "gpt-row", "bash")
    assert pair.compressed == compress(log).text
    assert pair.scorer and pair.scorer_version and pair.latency_ms > 0
    assert pair.tokens_in > pair.tokens_out and pair.chars_in > pair.chars_out  # log lines: compacted, not cut
    assert json.dumps(pair.__dict__)  # plain values only
