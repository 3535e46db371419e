"""A scripted stand-in for the Anthropic and OpenAI APIs that drives a tool loop.

Where :mod:`fake_upstream` always answers "ok", this one answers a request that offers
tools with the next tool call of its script, then, once every call has its result,
with a final text. It keeps no state per conversation: the turn is the number of tool
results the request carries, so many conversations can share one instance (the
multi-turn benchmark) and a client may retry freely.

* Anthropic ``POST /v1/messages`` (also with ``?beta=true``): ``tool_use`` blocks, streamed
  as the real API does (``message_start``, ``content_block_start``/``delta``/``stop``,
  ``input_json_delta`` pieces, ``message_delta``, ``message_stop``) or whole. A request
  without tools (a client's side call: titles, quota checks) gets a short text.
  ``POST /v1/messages/count_tokens`` answers an estimate.
* OpenAI ``POST /v1/chat/completions``: ``tool_calls``, streamed or whole;
  ``POST /v1/responses``: a ``function_call`` output item (whole only).
* Anything else (``HEAD /``, ``GET /v1/models``...) is recorded and answered ``200 {}``.

Every request is recorded exactly as received (:attr:`received`), unless ``keep_bodies``
is off; then only :attr:`calls` (method, path) and, with a tracker (the tests' and
benchmarks' ``PrefixTracker``), the prefix check and the first-seen tool-result texts per
conversation are kept.

It lives in the training package because ``tersify data proxy-traffic`` drives the proxy
against it (:mod:`tersify_train.sources.proxy_traffic`); the proxy's tests and benchmarks
use it too (``tests/support/scripted_upstream.py`` runs it alone).
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@dataclass(frozen=True)
class Received:
    """One request as a fake API received it."""

    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self) -> object:
        return json.loads(self.body)


class Tracker(Protocol):
    """What tracking mode needs (the tests' ``PrefixTracker``): the items of a body, and a summary."""

    def add(self, body: bytes, conversation: str | None = None) -> list[bytes]: ...

    def snapshot(self) -> dict: ...


@dataclass(frozen=True)
class ToolCall:
    name: str
    input: dict[str, Any]
    text: str = ""  # said before the call, as a model does


@dataclass
class Script:
    calls: list[ToolCall]
    final_text: str = "All done: the tests pass."
    # Pieces an input's JSON is split into when streamed (the real API sends many small ones).
    json_piece: int = 17


def _sse(event: str | None, data: Any) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data)
    return ((f"event: {event}\n" if event else "") + f"data: {payload}\n\n").encode()


async def _chunks(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


def _pieces(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def _anthropic_texts(message: dict) -> list[str]:
    """The tool-result texts of one Anthropic message."""
    found = []
    content = message.get("content")
    for block in content if isinstance(content, list) else []:
        if isinstance(block, dict) and block.get("type") == "tool_result":
            inner = block.get("content")
            if isinstance(inner, str):
                found.append(inner)
            elif isinstance(inner, list):
                found += [p["text"] for p in inner if isinstance(p, dict) and isinstance(p.get("text"), str)]
    return found


class ScriptedUpstream:
    def __init__(self, script: Script, *, keep_bodies: bool = True, tracker: Tracker | None = None) -> None:
        self.script = script
        self.keep_bodies = keep_bodies
        self.tracker = tracker
        self.received: list[Received] = []
        self.calls: list[tuple[str, str]] = []
        # conversation -> message index -> tool-result texts as first received (benchmark accounting)
        self.tool_texts: dict[str, dict[int, list[str]]] = {}
        self._lock = threading.Lock()
        self.app = Starlette(routes=[
            Route("/v1/messages", self.messages, methods=["POST"]),
            Route("/v1/messages/count_tokens", self.count_tokens, methods=["POST"]),
            Route("/v1/chat/completions", self.chat, methods=["POST"]),
            Route("/v1/responses", self.responses, methods=["POST"]),
            Route("/_fake/report", self.report, methods=["GET"]),
            Route("/_fake/tool_texts", self.tool_texts_endpoint, methods=["GET"]),
            Route("/{path:path}", self.other, methods=_METHODS),
        ])

    def bodies(self, path: str = "/v1/messages", *, with_tools: bool = True) -> list[Received]:
        """The recorded requests on ``path`` (by default those offering tools: the loop's turns)."""
        with self._lock:
            items = [r for r in self.received if r.path == path]
        return [r for r in items if not with_tools or "tools" in r.json()]  # type: ignore[operator]

    async def _record(self, request: Request) -> Received:
        body = await request.body()
        item = Received(request.method, request.url.path, request.url.query,
                        [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw], body)
        with self._lock:
            self.calls.append((request.method, request.url.path + ("?" + request.url.query if request.url.query
                                                                   else "")))
            if self.keep_bodies:
                self.received.append(item)
        return item

    def _track(self, item: Received, texts_of: Any) -> int:
        """Prefix check and first-seen tool texts (tracking mode); returns the item count."""
        assert self.tracker is not None
        conversation = item.header("x-conversation") or ""
        items = self.tracker.add(item.body, conversation or None)
        if items and conversation:
            texts = texts_of(json.loads(items[-1]))
            if texts:
                with self._lock:
                    self.tool_texts.setdefault(conversation, {}).setdefault(len(items) - 1, texts)
        return len(items)

    # --- Anthropic ---

    async def messages(self, request: Request) -> Response:
        item = await self._record(request)
        if self.tracker is not None:
            self._track(item, _anthropic_texts)
        body = json.loads(item.body)
        messages = body.get("messages") or []
        model = body.get("model", "claude-fake")
        turn = sum(len([b for b in m.get("content") or [] if isinstance(b, dict) and b.get("type") == "tool_result"])
                   for m in messages if isinstance(m, dict) and isinstance(m.get("content"), list))
        blocks: list[dict] = []
        if not body.get("tools"):
            blocks.append({"type": "text", "text": "Tool loop"})
            stop = "end_turn"
        elif turn < len(self.script.calls):
            call = self.script.calls[turn]
            if call.text:
                blocks.append({"type": "text", "text": call.text})
            blocks.append({"type": "tool_use", "id": f"toolu_{turn:03d}", "name": call.name, "input": call.input})
            stop = "tool_use"
        else:
            blocks.append({"type": "text", "text": self.script.final_text})
            stop = "end_turn"
        usage = {"input_tokens": len(item.body) // 4, "output_tokens": 20, "cache_creation_input_tokens": 0,
                 "cache_read_input_tokens": 0}
        message = {"id": f"msg_{turn:03d}", "type": "message", "role": "assistant", "model": model,
                   "content": blocks, "stop_reason": stop, "stop_sequence": None, "usage": usage}
        if not body.get("stream"):
            return JSONResponse(message)
        events = [_sse("message_start", {"type": "message_start", "message": {
            **message, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}})]
        for index, block in enumerate(blocks):
            if block["type"] == "text":
                start, deltas = {"type": "text", "text": ""}, [
                    {"type": "text_delta", "text": piece} for piece in _pieces(block["text"], 9)]
            else:
                start = {**block, "input": {}}
                deltas = [{"type": "input_json_delta", "partial_json": piece}
                          for piece in _pieces(json.dumps(block["input"]), self.script.json_piece)]
            events.append(_sse("content_block_start", {"type": "content_block_start", "index": index,
                                                       "content_block": start}))
            if index == 0:
                events.append(_sse("ping", {"type": "ping"}))
            events += [_sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
                       for d in deltas]
            events.append(_sse("content_block_stop", {"type": "content_block_stop", "index": index}))
        events.append(_sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop,
                                                                                "stop_sequence": None},
                                             "usage": {"output_tokens": 20}}))
        events.append(_sse("message_stop", {"type": "message_stop"}))
        return StreamingResponse(_chunks(events), media_type="text/event-stream",
                                 headers={"request-id": f"req_fake_{turn:03d}"})

    async def count_tokens(self, request: Request) -> Response:
        item = await self._record(request)
        return JSONResponse({"input_tokens": max(1, len(item.body) // 4)})

    # --- OpenAI ---

    async def chat(self, request: Request) -> Response:
        item = await self._record(request)
        if self.tracker is not None:
            self._track(item, lambda m: [m["content"]] if m.get("role") == "tool" else [])
        body = json.loads(item.body)
        turn = sum(1 for m in body.get("messages") or [] if isinstance(m, dict) and m.get("role") == "tool")
        base = {"id": f"chatcmpl-{turn:03d}", "created": 1700000000, "model": body.get("model")}
        if body.get("tools") and turn < len(self.script.calls):
            call = self.script.calls[turn]
            tool_call = {"id": f"call_{turn:03d}", "type": "function",
                         "function": {"name": call.name, "arguments": json.dumps(call.input)}}
            message: dict[str, Any] = {"role": "assistant", "content": call.text or None, "tool_calls": [tool_call]}
            finish = "tool_calls"
        else:
            message, finish = {"role": "assistant", "content": self.script.final_text}, "stop"
        if not body.get("stream"):
            return JSONResponse({**base, "object": "chat.completion",
                                 "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                                 "usage": {"prompt_tokens": len(item.body) // 4, "completion_tokens": 20,
                                           "total_tokens": len(item.body) // 4 + 20}})
        chunk = {**base, "object": "chat.completion.chunk"}
        deltas: list[dict] = [{"role": "assistant", "content": message["content"] or ""}]
        for call in message.get("tool_calls", []):
            deltas.append({"tool_calls": [{"index": 0, "id": call["id"], "type": "function",
                                           "function": {"name": call["function"]["name"], "arguments": ""}}]})
            deltas += [{"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
                       for piece in _pieces(call["function"]["arguments"], self.script.json_piece)]
        events = [_sse(None, {**chunk, "choices": [{"index": 0, "delta": d, "finish_reason": None}]}) for d in deltas]
        events.append(_sse(None, {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}))
        events.append(_sse(None, "[DONE]"))
        return StreamingResponse(_chunks(events), media_type="text/event-stream")

    async def responses(self, request: Request) -> Response:
        item = await self._record(request)
        body = json.loads(item.body)
        items = body.get("input") if isinstance(body.get("input"), list) else []
        turn = sum(1 for i in items if isinstance(i, dict) and i.get("type") == "function_call_output")
        if body.get("tools") and turn < len(self.script.calls):
            call = self.script.calls[turn]
            output = [{"type": "function_call", "id": f"fc_{turn:03d}", "call_id": f"call_{turn:03d}",
                       "name": call.name, "arguments": json.dumps(call.input), "status": "completed"}]
        else:
            output = [{"type": "message", "id": f"msg_{turn:03d}", "status": "completed", "role": "assistant",
                       "content": [{"type": "output_text", "text": self.script.final_text, "annotations": []}]}]
        return JSONResponse({"id": f"resp_{turn:03d}", "object": "response", "created_at": 1700000000,
                             "model": body.get("model"), "status": "completed", "output": output,
                             "parallel_tool_calls": True, "tool_choice": "auto", "tools": body.get("tools", [])})

    # --- the rest ---

    async def other(self, request: Request) -> Response:
        await self._record(request)
        return JSONResponse({})

    async def report(self, request: Request) -> Response:
        with self._lock:
            calls = len(self.calls)
        return JSONResponse({"received": calls, "prefix": self.tracker.snapshot() if self.tracker else None})

    async def tool_texts_endpoint(self, request: Request) -> Response:
        with self._lock:
            return JSONResponse(self.tool_texts)


__all__ = ["Received", "Script", "ScriptedUpstream", "ToolCall", "Tracker"]
