"""Multi-turn tool loops with the official ``anthropic`` and ``openai`` SDKs through the proxy.

The SDKs, unmodified, talk to the proxy; behind it a scripted fake API
(``support/scripted_upstream.py``) asks for a tool call on each turn (a shell command whose
output is a real one from ``benchmarks/data/savings_set.jsonl``: pytest, ruff, a Hadoop log,
find, pip's JSON, grep), then answers. Each loop resends its whole history every turn, as
agents do. Checked, streamed and not:

* the answer arrives;
* each tool result is compressed on its first trip upstream (fewer o200k tokens);
* on every later turn every earlier message arrives with the same bytes: compared as raw
  byte spans of the bodies the fake received (``support/raw_json.py``), never re-serialised;
* what is not a tool result arrives as the SDK sent it (captured by an httpx event hook).

A client that moves ``cache_control`` to the newest tool result each turn (as Claude Code
does), and a tool result whose compression misses the deadline, are checked the same way.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest
from support.fake_upstream import Received
from support.raw_json import PrefixCheck, raw_items, raw_members
from support.scripted_upstream import Script, ScriptedUpstream, ToolCall

from tersify.proxy import ProxyConfig, create_app
from tersify.proxy.server import serve_in_thread
from tersify.tokens import count_tokens

ROOT = Path(__file__).resolve().parents[1]
_SET = {row["id"]: row for row in map(json.loads, (ROOT / "benchmarks/data/savings_set.jsonl").open())}
# command -> real output; each one compresses (checked by the first-trip assertions)
OUTPUTS = {_SET[i]["command"]: _SET[i]["text"] for i in (
    "harvest-000-pytest", "harvest-059-ruff", "loghub-hadoop-1214-1347", "harvest-048-find", "harvest-055-grep")}
SCRIPT = Script([ToolCall("bash", {"command": command}, text="Let me look.") for command in OUTPUTS],
                final_text="The checkout fails on the empty cart; fix total().")
TASK = "Why do the shop’s tests fail? Use the shell — «pytest» first. 🙂"
SYSTEM = "You are a careful software engineer working in a Python repository."
BASH_SCHEMA = {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]}
ANTHROPIC_TOOLS = [{"name": "bash", "description": "Run a shell command", "input_schema": BASH_SCHEMA}]
CHAT_TOOLS = [{"type": "function", "function": {"name": "bash", "description": "Run a shell command",
                                                "parameters": BASH_SCHEMA}}]
RESPONSES_TOOLS = [{"type": "function", "name": "bash", "description": "Run a shell command",
                    "parameters": BASH_SCHEMA}]


@dataclass
class Loop:
    """One conversation: what the SDK sent, what the upstream received, the tool outputs."""

    answer: str = ""
    sent: list[bytes] = field(default_factory=list)
    arrived: list[Received] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)  # in the order the tool results were added


@pytest.fixture(scope="module")
def upstream() -> Iterator[tuple[ScriptedUpstream, str]]:
    fake = ScriptedUpstream(SCRIPT)
    with serve_in_thread(fake.app) as server:
        yield fake, server.url


def start_proxy(upstream_url: str, db: Path, **overrides: Any):
    config = ProxyConfig(anthropic_upstream=upstream_url, openai_upstream=upstream_url + "/v1", db=db, **overrides)
    app = create_app(config)
    return serve_in_thread(app), app.state.proxy


@pytest.fixture(scope="module")
def proxy_url(upstream, tmp_path_factory) -> Iterator[str]:
    # A generous deadline: these loops check compression and byte stability, not the deadline.
    server, _ = start_proxy(upstream[1], tmp_path_factory.mktemp("sdk") / "pairs.db", deadline_s=60.0)
    with server:
        yield server.url


def capture(sdk: Any, sent: list[bytes], path: str) -> Any:
    """The SDK's own HTTP client class, keeping each request body on ``path`` as sent."""
    def hook(request: Any) -> None:
        if request.url.path == path:
            sent.append(request.read())
    return sdk.DefaultHttpxClient(event_hooks={"request": [hook]}, timeout=60)


def arrived_since(fake: ScriptedUpstream, start: int, path: str) -> list[Received]:
    return [r for r in fake.received[start:] if r.path == path]


def anthropic_loop(fake: ScriptedUpstream, url: str, *, stream: bool, mark_newest: bool = False,
                   outputs: dict[str, str] = OUTPUTS, pause: Any = None) -> Loop:
    loop, start = Loop(), len(fake.received)
    client = anthropic.Anthropic(base_url=url, api_key="sk-ant-test", max_retries=0,
                                 http_client=capture(anthropic, loop.sent, "/v1/messages"))
    messages: list[dict] = [{"role": "user", "content": TASK}]
    for _ in range(len(SCRIPT.calls) + 1):
        request = dict(model="claude-test", max_tokens=1024, system=SYSTEM, tools=ANTHROPIC_TOOLS, messages=messages)
        if stream:
            with client.messages.stream(**request) as events:
                reply = events.get_final_message()
        else:
            reply = client.messages.create(**request)
        if pause is not None:  # called with the number of tool results upstream has seen
            pause(len(loop.outputs))
        messages.append({"role": "assistant", "content": reply.content})  # the SDK's own blocks, as agents do
        if reply.stop_reason != "tool_use":
            loop.answer = "".join(b.text for b in reply.content if b.type == "text")
            break
        results = []
        for block in reply.content:
            if block.type == "tool_use":
                loop.outputs.append(outputs[block.input["command"]])
                results.append({"type": "tool_result", "tool_use_id": block.id, "content": loop.outputs[-1]})
        if mark_newest:  # Claude Code's way: the marker moves to the newest tool result
            for message in messages:
                for block in message["content"] if isinstance(message["content"], list) else []:
                    if isinstance(block, dict):
                        block.pop("cache_control", None)
            results[-1]["cache_control"] = {"type": "ephemeral"}
        messages.append({"role": "user", "content": results})
    loop.arrived = arrived_since(fake, start, "/v1/messages")
    return loop


def chat_loop(fake: ScriptedUpstream, url: str, *, stream: bool) -> Loop:
    loop, start = Loop(), len(fake.received)
    client = openai.OpenAI(base_url=url + "/v1", api_key="sk-test", max_retries=0,
                           http_client=capture(openai, loop.sent, "/v1/chat/completions"))
    messages: list[Any] = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": TASK}]
    for _ in range(len(SCRIPT.calls) + 1):
        request = dict(model="gpt-test", messages=messages, tools=CHAT_TOOLS)
        if stream:
            with client.chat.completions.stream(**request) as events:
                reply = events.get_final_completion().choices[0].message
        else:
            reply = client.chat.completions.create(**request).choices[0].message
        if not reply.tool_calls:
            loop.answer = reply.content or ""
            break
        messages.append({"role": "assistant", "content": reply.content,
                         "tool_calls": [call.model_dump(exclude_none=True) for call in reply.tool_calls]})
        for call in reply.tool_calls:
            loop.outputs.append(OUTPUTS[json.loads(call.function.arguments)["command"]])
            messages.append({"role": "tool", "tool_call_id": call.id, "content": loop.outputs[-1]})
    loop.arrived = arrived_since(fake, start, "/v1/chat/completions")
    return loop


def responses_loop(fake: ScriptedUpstream, url: str) -> Loop:
    loop, start = Loop(), len(fake.received)
    client = openai.OpenAI(base_url=url + "/v1", api_key="sk-test", max_retries=0,
                           http_client=capture(openai, loop.sent, "/v1/responses"))
    items: list[Any] = [{"role": "user", "content": TASK}]
    for _ in range(len(SCRIPT.calls) + 1):
        reply = client.responses.create(model="gpt-test", instructions=SYSTEM, input=items, tools=RESPONSES_TOOLS)
        calls = [item for item in reply.output if item.type == "function_call"]
        if not calls:
            loop.answer = reply.output_text
            break
        items += [item.model_dump(exclude_none=True) for item in reply.output]
        for call in calls:
            loop.outputs.append(OUTPUTS[json.loads(call.arguments)["command"]])
            items.append({"type": "function_call_output", "call_id": call.call_id, "output": loop.outputs[-1]})
    loop.arrived = arrived_since(fake, start, "/v1/responses")
    return loop


def first_trips(loop: Loop, key: str, texts_of: Any) -> list[tuple[str, str]]:
    """(original, as the upstream first received it) for each tool result of the loop."""
    pairs = []
    for turn, received in enumerate(loop.arrived):
        newest = [t for item in raw_items(received.body, key)[-1:] for t in texts_of(json.loads(item))]
        if turn and newest:
            pairs += zip(loop.outputs[len(pairs):len(pairs) + len(newest)], newest, strict=True)
    return pairs


def anthropic_texts(message: dict) -> list[str]:
    return [b["content"] for b in message.get("content") or [] if isinstance(b, dict) and b.get("type") == "tool_result"]


def chat_texts(message: dict) -> list[str]:
    return [message["content"]] if message.get("role") == "tool" else []


def responses_texts(item: dict) -> list[str]:
    return [item["output"]] if item.get("type") == "function_call_output" else []


def assert_loop(loop: Loop, key: str, texts_of: Any) -> None:
    """The answer came, each tool result was compressed on its first trip, every earlier
    message kept its bytes, and whatever is not a tool result arrived as the SDK sent it."""
    assert loop.answer == SCRIPT.final_text
    assert len(loop.arrived) == len(loop.sent) == len(SCRIPT.calls) + 1
    trips = first_trips(loop, key, texts_of)
    assert len(trips) == len(SCRIPT.calls)
    for original, forwarded in trips:
        assert count_tokens(forwarded) < count_tokens(original)
    check = PrefixCheck()
    for received in loop.arrived:
        check.add(raw_items(received.body, key))
    sizes = [len(raw_items(received.body, key)) for received in loop.arrived]
    assert sizes == sorted(set(sizes))  # the history grows every turn: each earlier item is compared
    assert check.pairs == sum(sizes[:-1])
    assert check.changed == []
    for sent, received in zip(loop.sent, loop.arrived, strict=True):
        members_sent, members_arrived = raw_members(sent), raw_members(received.body)
        assert {k: v for k, v in members_arrived.items() if k != key} == \
               {k: v for k, v in members_sent.items() if k != key}
        for mine, theirs in zip(raw_items(sent, key), raw_items(received.body, key), strict=True):
            if not texts_of(json.loads(mine)):
                assert theirs == mine


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_anthropic_tool_loop(upstream, proxy_url, stream):
    assert_loop(anthropic_loop(upstream[0], proxy_url, stream=stream), "messages", anthropic_texts)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_openai_chat_tool_loop(upstream, proxy_url, stream):
    assert_loop(chat_loop(upstream[0], proxy_url, stream=stream), "messages", chat_texts)


def test_openai_responses_tool_loop(upstream, proxy_url):
    assert_loop(responses_loop(upstream[0], proxy_url), "input", responses_texts)


def test_same_output_same_bytes_across_conversations(upstream, proxy_url):
    """Two conversations meeting the same tool outputs send the same compressed bytes."""
    first = first_trips(anthropic_loop(upstream[0], proxy_url, stream=False), "messages", anthropic_texts)
    second = first_trips(anthropic_loop(upstream[0], proxy_url, stream=True), "messages", anthropic_texts)
    assert first == second


def test_moving_cache_control_keeps_the_prefix(upstream, tmp_path):
    """cache_control on the newest tool result, moved on each turn (Claude Code's way): the
    block is compressed the first time it goes upstream, marker and all, and from then on
    sent with the same bytes; only the marker's own removal changes an earlier message."""
    outputs = {command: text + "\n# fresh for this test\n" for command, text in OUTPUTS.items()}
    server, _ = start_proxy(upstream[1], tmp_path / "pairs.db", deadline_s=60.0)
    with server:
        loop = anthropic_loop(upstream[0], server.url, stream=True, mark_newest=True, outputs=outputs)
    assert loop.answer == SCRIPT.final_text
    client, forwarded = PrefixCheck(), PrefixCheck()
    for sent, received in zip(loop.sent, loop.arrived, strict=True):
        client.add(raw_items(sent))
        forwarded.add(raw_items(received.body))
    assert client.changed and client.changed_beyond_marker == []  # the client moved the marker, nothing else
    assert forwarded.changed_beyond_marker == []
    for turn_and_index in forwarded.changed:  # only where the client moved the marker away
        assert turn_and_index in client.changed
    trips = first_trips(loop, "messages", anthropic_texts)
    assert [count_tokens(f) < count_tokens(o) for o, f in trips] == [True] * len(SCRIPT.calls)
    for received in loop.arrived[1:]:  # the marker itself arrives where the client put it
        assert b'"cache_control"' in raw_items(received.body)[-1]


def test_a_deadline_miss_is_kept_on_later_turns(upstream, tmp_path):
    """A tool result whose compression misses the deadline goes up as it is, and keeps going
    up as it is, even once a compression of it has finished in the background."""
    # ~1.1 MB of real outputs: compressing it takes seconds, looking it up (hash, tokens) a
    # fraction of one, so the deadline falls between the two.
    big = "".join(row["text"] for row in _SET.values() if row["kind"] in ("log", "test", "lint", "search")) * 3
    outputs = {**OUTPUTS, next(iter(OUTPUTS)): big}
    server, proxy = start_proxy(upstream[1], tmp_path / "pairs.db", deadline_s=1.0)

    def wait_for_background_work(done: int) -> None:
        # Give a compression still running after the deadline time to finish and be logged,
        # so that the next turn could pick it up (which would change the prefix).
        if done == 1:
            deadline = time.monotonic() + 60
            count = getattr(proxy.store, "count", lambda: 1)  # no pair log API: the loop below ends at once
            while time.monotonic() < deadline and count() == 0:
                time.sleep(0.2)

    with server:
        loop = anthropic_loop(upstream[0], server.url, stream=False, outputs=outputs, pause=wait_for_background_work)
    assert loop.answer == SCRIPT.final_text
    check = PrefixCheck()
    for received in loop.arrived:
        check.add(raw_items(received.body))
    assert check.changed == []


def test_a_client_spacing_its_json_keeps_its_bytes(upstream, proxy_url):
    """A client that serialises with Python's json.dumps defaults (", " and ": ", non-ASCII
    escaped): the first tool result is too small to compress, the next ones are not. Every
    earlier message still arrives as the client sent it, whichever turn rewrote a tool result."""
    fake = upstream[0]
    start = len(fake.received)
    outputs = ["ok: 3 files checked ✓", *list(OUTPUTS.values())[:3]]
    messages = [json.dumps({"role": "user", "content": TASK})]
    head = json.dumps({"model": "claude-test", "max_tokens": 1024, "tools": ANTHROPIC_TOOLS})[:-1]
    sent = []
    for turn in range(len(outputs) + 1):
        body = f'{head}, "messages": [{", ".join(messages)}]}}'.encode()
        sent.append(body)
        reply = httpx.post(proxy_url + "/v1/messages", content=body, timeout=60,
                           headers={"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01",
                                    "content-type": "application/json"}).json()
        if turn == len(outputs):
            break
        [call] = [b for b in reply["content"] if b["type"] == "tool_use"]
        messages.append(json.dumps({"role": "assistant", "content": reply["content"]}))
        messages.append(json.dumps({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": call["id"], "content": outputs[turn]}]}))
    arrived = arrived_since(fake, start, "/v1/messages")
    check = PrefixCheck()
    for body, received in zip(sent, arrived, strict=True):
        check.add(raw_items(received.body))
        for mine, theirs in zip(raw_items(body), raw_items(received.body), strict=True):
            if not anthropic_texts(json.loads(mine)):
                assert theirs == mine
    assert check.changed == []
