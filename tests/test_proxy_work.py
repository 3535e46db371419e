"""Bounded compression work in the proxy: one decision per text, kept; admission; cancellation."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from support.fake_upstream import FakeUpstream
from support.proxies import fake_upstream, running_proxy

from tersify.compress import compress
from tersify.errors import Cancelled
from tersify.proxy.providers import openai_chat
from tersify.proxy.store import content_hash

HEADERS = {"authorization": "Bearer sk-test-work"}


def tool_log(tag: str, lines: int = 60) -> str:
    return "".join(f"2024-05-01 12:00:{i % 60:02d} {tag} INFO request {i} served in {i * 3} ms from cache\n"
                   for i in range(lines))


def chat(*outputs: str) -> dict:
    messages: list[dict] = [{"role": "user", "content": "check the logs"}]
    for i, output in enumerate(outputs):
        messages.append({"role": "assistant", "content": None, "tool_calls": [
            {"id": f"c{i}", "type": "function", "function": {"name": "bash", "arguments": "{}"}}]})
        messages.append({"role": "tool", "tool_call_id": f"c{i}", "content": output})
    return {"model": "gpt-test", "messages": messages}


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[FakeUpstream, str]]:
    with fake_upstream() as running:
        yield running


def post(url: str, body: dict) -> httpx.Response:
    response = httpx.post(url + "/v1/chat/completions", json=body, headers=HEADERS, timeout=30)
    assert response.status_code == 200
    return response


def wait_until(condition, timeout: float = 10.0) -> None:
    """Wait for work the proxy does after answering (log writes, token counts)."""
    give_up = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < give_up, "condition not met in time"
        time.sleep(0.02)


def forwarded(upstream: FakeUpstream) -> list[str]:
    return [t.text for t in openai_chat(upstream.last().json())]


def test_compress_stops_at_a_stage_boundary_once_cancelled():
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        compress(tool_log("x"), cancel=cancel)
    assert compress(tool_log("x"), cancel=threading.Event()).text == compress(tool_log("x")).text


def test_identical_texts_in_one_request_are_compressed_once(fake, tmp_path):
    upstream, upstream_url = fake
    log = tool_log("twice")
    with running_proxy(upstream_url, tmp_path / "p.db") as (url, state):
        post(url, chat(log, log))
        assert forwarded(upstream) == [compress(log).text] * 2
        assert state.stats.get("compressions_started") == 1


def test_concurrent_requests_share_one_compression(fake, tmp_path, monkeypatch):
    upstream, upstream_url = fake
    calls = []

    def slow(text, **kwargs):
        calls.append(text)
        time.sleep(0.3)
        return compress(text, **kwargs)

    monkeypatch.setattr("tersify.proxy.compressor.compress", slow)
    log = tool_log("shared")
    with running_proxy(upstream_url, tmp_path / "p.db") as (url, state):
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: post(url, chat(log)), range(4)))
        assert calls == [log]
        assert state.stats.get("tool_results_compressed") == 4


def test_over_the_size_cap_goes_at_once_unchanged_and_stays_so(fake, tmp_path):
    upstream, upstream_url = fake
    log = tool_log("big", lines=400)
    with running_proxy(upstream_url, tmp_path / "p.db", max_compress_chars=len(log) - 1) as (url, state):
        post(url, chat(log))
        assert forwarded(upstream) == [log]
        assert state.stats.get("decided_too_large") == 1
        assert state.stats.get("compressions_started") == 0


def test_admission_sends_unchanged_at_once_when_the_queue_cannot_make_the_deadline(fake, tmp_path):
    upstream, upstream_url = fake
    log = tool_log("busy")
    with running_proxy(upstream_url, tmp_path / "p.db") as (url, state):
        state.work.rate = 10.0  # tokens/s: nothing can be compressed within 2 s
        post(url, chat(log))
        assert forwarded(upstream) == [log]
        assert state.stats.get("decided_busy") == 1
        assert state.stats.get("compressions_started") == 0  # nothing to wait for
        state.work.rate = 1e6
        post(url, chat(log, tool_log("later")))  # the busy decision is kept; a new text compresses
        assert forwarded(upstream) == [log, compress(tool_log("later")).text]


def test_decisions_survive_a_restart(fake, tmp_path, monkeypatch):
    upstream, upstream_url = fake
    fresh, slow_one = tool_log("kept"), tool_log("slow")

    def slow_for_one(text, **kwargs):
        if text == slow_one:
            time.sleep(3.0)
        return compress(text, **kwargs)

    monkeypatch.setattr("tersify.proxy.compressor.compress", slow_for_one)
    db = tmp_path / "p.db"
    with running_proxy(upstream_url, db, deadline_s=1.0) as (url, state):
        post(url, chat(fresh, slow_one))
        first = upstream.last().body
        assert forwarded(upstream) == [compress(fresh).text, slow_one]
        wait_until(lambda: state.store.count() == 1 and state.store.unchanged_reason(
            content_hash(slow_one), state.compressor.options) == "deadline")
    monkeypatch.undo()
    with running_proxy(upstream_url, db) as (url, state):
        post(url, chat(fresh, slow_one))
        assert upstream.last().body == first
        assert state.stats.get("compressions_started") == 0
        assert state.stats.get("decisions_reused") == 2


def test_text_with_lone_surrogates_compresses_and_is_logged(fake, tmp_path):
    upstream, upstream_url = fake
    log = tool_log("surrogate") + "bad byte \udc80 here\n"
    with running_proxy(upstream_url, tmp_path / "p.db") as (url, state):
        raw = json.dumps(chat(log)).encode()  # ASCII-escaped JSON carries the surrogate as \udc80
        response = httpx.post(url + "/v1/chat/completions", content=raw,
                              headers={**HEADERS, "content-type": "application/json"})
        assert response.status_code == 200
        [text] = forwarded(upstream)
        assert text == compress(log).text and "\udc80" in text
        wait_until(lambda: state.store.count() == 1)
        assert state.store.original(state.store.pairs().__next__().original_hash) == log


def test_request_tokens_are_counted_in_real_tokens(fake, tmp_path):
    upstream, upstream_url = fake
    log = tool_log("tokens")
    with running_proxy(upstream_url, tmp_path / "p.db") as (url, state):
        post(url, chat(log))
        wait_until(lambda: state.stats.get("request_tokens_before") > 0)
        snapshot = state.stats.snapshot()
    assert snapshot["request_tokens_before"] > snapshot["tokens_before"] > snapshot["tokens_after"] > 0
    saved = snapshot["tokens_before"] - snapshot["tokens_after"]
    assert snapshot["request_tokens_before"] - snapshot["request_tokens_after"] == saved


def test_decision_memory_forgets_the_oldest_first():
    from tersify.proxy.compressor import Decision
    from tersify.proxy.work import DecisionMemory

    memory = DecisionMemory(max_chars=10, max_items=3)
    memory.put("a", Decision("compressed", "x" * 6))
    memory.put("b", Decision("unchanged"))
    memory.get("a")  # used: now the newest
    memory.put("c", Decision("compressed", "y" * 6))  # over 10 characters: the oldest, b, goes... then a
    assert memory.get("b") is None and memory.get("a") is None and memory.get("c") is not None
    for key in "defg":
        memory.put(key, Decision("unchanged"))
    assert [memory.get(k) is not None for k in "cdefg"] == [False, False, True, True, True]


def test_request_bodies_are_counted_in_pieces_that_repeat_across_turns():
    from tersify.proxy.accounting import body_pieces, count_body
    from tersify.tokens import count_tokens

    turn = json.dumps(chat(*(tool_log(f"t{i}", 400) for i in range(6)))).encode()
    later = json.dumps(chat(*(tool_log(f"t{i}", 400) for i in range(7)))).encode()
    pieces, later_pieces = body_pieces(turn, 4096), body_pieces(later, 4096)
    assert b"".join(pieces) == turn and len(pieces) > 10
    assert all(4096 <= len(p) <= 8192 + 4 for p in pieces[:-1])
    assert later_pieces[: len(pieces) - 1] == pieces[:-1]  # the shared prefix cuts the same way
    exact = count_tokens(turn.decode())
    counted, estimated = count_body(turn)
    assert not estimated and exact <= counted <= exact + len(body_pieces(turn))


def test_logs_stats_reports_savings_over_whole_requests(fake, tmp_path, capsys):
    from tersify.cli import main

    upstream, upstream_url = fake
    db = tmp_path / "p.db"
    first, second = tool_log("stats-1"), tool_log("stats-2")
    with running_proxy(upstream_url, db) as (url, state):
        post(url, chat(first))
        post(url, chat(first, second))  # the next turn resends the first result
        wait_until(lambda: state.store.summary()["requests"]["count"] == 2)
        live = state.stats.snapshot()
    assert main(["logs", "stats", "--db", str(db), "--json"]) == 0
    requests = json.loads(capsys.readouterr().out)["requests"]
    assert requests["tool_results"] == 3
    assert requests["tokens_before"] == live["request_tokens_before"]
    assert requests["tool_tokens_before"] - requests["tool_tokens_after"] == (
        requests["tokens_before"] - requests["tokens_after"]) > 0
    assert main(["logs", "stats", "--db", str(db)]) == 0
    assert "saved" in capsys.readouterr().out.split("requests", 1)[1].splitlines()[0]
