"""A local stand-in for the Anthropic and OpenAI APIs, for tests, the load benchmark and
trying the proxy offline. It records every request exactly as received and answers in
the real APIs' shapes, streamed (SSE) when the request asks for ``stream``.

Special models: ``status-<code>`` answers that HTTP status with the provider's error
body; ``gated-stream`` sends the first stream event, then waits for :attr:`gate` (up
to 10 s) before the rest, so a test can see a chunk arrive before the stream ends.
``GET /_fake/received`` answers how many requests were recorded.

Run alone: ``python -m tersify.proxy.fake_upstream --port 9999``.
"""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import AsyncIterator

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tersify_train.sources.scripted_upstream import Received


def _sse(events: list[tuple[str | None, object]]) -> list[bytes]:
    out = []
    for event, data in events:
        payload = data if isinstance(data, str) else json.dumps(data)
        out.append(((f"event: {event}\n" if event else "") + f"data: {payload}\n\n").encode())
    return out


class FakeUpstream:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.gate = threading.Event()
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/v1/messages", self.messages, methods=["POST"]),
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/responses", self.responses, methods=["POST"]),
                Route("/v1/models", self.models, methods=["GET"]),
                Route("/_fake/received", self.count, methods=["GET"]),
                Route("/{path:path}", self.echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            ]
        )

    def last(self) -> Received:
        with self._lock:
            return self.received[-1]

    async def _record(self, request: Request) -> Received:
        body = await request.body()
        item = Received(
            request.method, request.url.path, request.url.query,
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw], body,
        )
        with self._lock:
            self.received.append(item)
        return item

    async def _stream(self, chunks: list[bytes], gated: bool) -> AsyncIterator[bytes]:
        for i, chunk in enumerate(chunks):
            yield chunk
            if gated and i == 0:
                await anyio.to_thread.run_sync(self.gate.wait, 10.0)

    def _answer(self, body: dict, error: dict, complete: dict, events: list) -> Response:
        model = str(body.get("model", ""))
        if model.startswith("status-"):
            return JSONResponse(error, status_code=int(model.removeprefix("status-")),
                                headers={"x-fake-error": "1", "retry-after": "0"})
        if body.get("stream"):
            return StreamingResponse(self._stream(_sse(events), model == "gated-stream"),
                                     media_type="text/event-stream")
        return JSONResponse(complete, headers={"x-fake-upstream": "1"})

    async def messages(self, request: Request) -> Response:
        body = (await self._record(request)).json()
        model = body.get("model")
        usage = {"input_tokens": 10, "output_tokens": 2}
        message = {"id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                   "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
                   "stop_sequence": None, "usage": usage}
        events = [
            ("message_start", {"type": "message_start", "message": {**message, "content": [],
                                                                     "stop_reason": None}}),
            ("content_block_start", {"type": "content_block_start", "index": 0,
                                     "content_block": {"type": "text", "text": ""}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                     "delta": {"type": "text_delta", "text": "o"}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                     "delta": {"type": "text_delta", "text": "k"}}),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn",
                                                                  "stop_sequence": None},
                               "usage": {"output_tokens": 2}}),
            ("message_stop", {"type": "message_stop"}),
        ]
        error = {"type": "error", "error": {"type": "fake_error", "message": f"fake failure for {model}"}}
        return self._answer(body, error, message, events)

    async def chat(self, request: Request) -> Response:
        body = (await self._record(request)).json()
        model = body.get("model")
        base = {"id": "chatcmpl-fake", "created": 1700000000, "model": model}
        complete = {**base, "object": "chat.completion",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}}
        events = [
            (None, {**base, "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": {"role": "assistant", "content": piece},
                                 "finish_reason": None}]})
            for piece in ("o", "k")
        ]
        events.append((None, {**base, "object": "chat.completion.chunk",
                              "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
        events.append((None, "[DONE]"))
        error = {"error": {"message": f"fake failure for {model}", "type": "fake_error", "code": None}}
        return self._answer(body, error, complete, events)

    async def responses(self, request: Request) -> Response:
        body = (await self._record(request)).json()
        model = body.get("model")
        item = {"type": "message", "id": "msg_fake", "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "text": "ok", "annotations": []}]}
        response = {"id": "resp_fake", "object": "response", "created_at": 1700000000, "model": model,
                    "status": "completed", "output": [item], "parallel_tool_calls": True,
                    "tool_choice": "auto", "tools": []}
        events = [
            ("response.created", {"type": "response.created", "sequence_number": 0,
                                  "response": {**response, "status": "in_progress", "output": []}}),
            ("response.output_text.delta", {"type": "response.output_text.delta", "sequence_number": 1,
                                            "item_id": "msg_fake", "output_index": 0, "content_index": 0,
                                            "delta": "ok"}),
            ("response.completed", {"type": "response.completed", "sequence_number": 2,
                                    "response": response}),
        ]
        error = {"error": {"message": f"fake failure for {model}", "type": "fake_error", "code": None}}
        return self._answer(body, error, response, events)

    async def models(self, request: Request) -> Response:
        await self._record(request)
        return JSONResponse({"object": "list", "data": [
            {"id": "fake-model", "object": "model", "created": 1700000000, "owned_by": "tersify"}]})

    async def count(self, request: Request) -> Response:
        """How many requests arrived (not recorded itself): lets a benchmark in another process
        check that every request reached the upstream."""
        with self._lock:
            return JSONResponse({"received": len(self.received)})

    async def echo(self, request: Request) -> Response:
        item = await self._record(request)
        return JSONResponse({"method": item.method, "path": item.path, "query": item.query,
                             "body_bytes": len(item.body)})


def main() -> None:
    from tersify.proxy.server import serve

    parser = argparse.ArgumentParser(description="A local fake Anthropic/OpenAI API that answers 'ok'.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9999)
    args = parser.parse_args()
    serve(FakeUpstream().app, args.host, args.port)


if __name__ == "__main__":
    main()
