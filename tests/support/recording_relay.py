"""A recording relay: forwards every request unchanged to a target (the proxy) and keeps
the request exactly as the client sent it. Put in front of the proxy, it shows what a
real client (Claude Code) sent, byte for byte, next to what the upstream received, so a
change the client made itself between turns (moving ``cache_control``) is told apart
from one the proxy made. Loopback only; responses stream back as they arrive."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from support.fake_upstream import Received

_DROP = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class RecordingRelay:
    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._client: httpx.AsyncClient | None = None
        self.app = Starlette(routes=[Route("/{path:path}", self.relay, methods=_METHODS)], lifespan=self._lifespan)

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=httpx.Timeout(600, connect=30)) as client:
            self._client = client
            yield

    def bodies(self, path: str = "/v1/messages") -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    async def relay(self, request: Request) -> Response:
        assert self._client is not None
        body = await request.body()
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        with self._lock:
            self.received.append(Received(request.method, request.url.path, request.url.query, headers, body))
        url = self.target + request.url.path + ("?" + request.url.query if request.url.query else "")
        forwarded = [(k, v) for k, v in headers if k.lower() not in _DROP]
        upstream_request = self._client.build_request(request.method, url, headers=forwarded, content=body or None)
        for name in ("accept", "accept-encoding", "user-agent"):  # httpx's own defaults: not the client's
            if not any(k.lower() == name for k, _ in forwarded):
                upstream_request.headers.pop(name, None)
        upstream = await self._client.send(upstream_request, stream=True)

        async def chunks() -> AsyncIterator[bytes]:
            try:
                async for chunk in upstream.aiter_raw():
                    yield chunk
            finally:
                await upstream.aclose()

        response = StreamingResponse(chunks(), status_code=upstream.status_code)
        response.raw_headers = [(k, v) for k, v in upstream.headers.raw if k.decode().lower() not in _DROP]
        return response
