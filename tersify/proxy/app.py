"""The proxy as an ASGI app (Starlette): routes, forwarding, fail-open rewriting.

Every request is forwarded to its upstream with its headers (auth included; hop-by-hop
headers dropped) and its body. Only on the routes of :data:`providers.ROUTES` is the
body parsed and are tool-result texts replaced by their compressed form; anything that
goes wrong there (an unparsable body, a compressor error, the deadline) forwards the
original bytes instead and is counted. Responses stream back chunk by chunk as they
arrive, with the upstream's status, headers and bytes (errors included).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
import httpx
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tersify.proxy.compressor import Outcome, ToolResultCompressor
from tersify.proxy.config import ProxyConfig, excluded
from tersify.proxy.guard import HostGuard, public_url, token_ok
from tersify.proxy.providers import ROUTES, ToolText
from tersify.proxy.providers import Route as ToolRoute
from tersify.proxy.redact import redact
from tersify.proxy.routing import RoutingError, provider_for
from tersify.proxy.stats import ProxyStats
from tersify.proxy.store import MEMORY, PairStore
from tersify.scorers import Scorer
from tersify.tokens import count_tokens

log = logging.getLogger("tersify.proxy")

# Headers that describe one connection, not the message (RFC 9110 7.6.1), plus the ones
# the proxy recomputes (host, content-length of a rewritten body).
_HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization", b"proxy-connection",
     b"te", b"trailer", b"trailers", b"transfer-encoding", b"upgrade"}
)
# The proxy's own headers (bypass switch, admin token) never go upstream.
_REQUEST_DROP = _HOP_BY_HOP | {b"host", b"content-length", b"x-tersify-bypass", b"x-tersify-token"}
# Headers httpx adds on its own when a request has none; the proxy must not add them
# (an added Accept-Encoding would bring back a body the client cannot decode).
_HTTPX_DEFAULTS = ("accept", "accept-encoding", "user-agent")
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class BodyTooLarge(Exception):
    pass


def _filter_headers(raw: list[tuple[bytes, bytes]], drop: frozenset[bytes]) -> list[tuple[bytes, bytes]]:
    """Headers minus ``drop`` and minus those the Connection header names."""
    listed = {
        token.strip().lower()
        for name, value in raw
        if name.lower() == b"connection"
        for token in value.split(b",")
    }
    return [(name, value) for name, value in raw if name.lower() not in drop and name.lower() not in listed]


def _error(status: int, kind: str, message: str) -> JSONResponse:
    """An error in a shape both SDKs read (``error.type`` / ``error.message``)."""
    return JSONResponse({"type": "error", "error": {"type": kind, "message": message}}, status_code=status)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _dump(body: Any) -> bytes:
    """Compact, deterministic JSON; ASCII-escaped only when the text holds lone surrogates."""
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body, separators=(",", ":"), allow_nan=False).encode("ascii")


class Proxy:
    """The proxy's state and request handlers (one per app)."""

    def __init__(self, config: ProxyConfig, *, scorer: Scorer | None = None) -> None:
        self.config = config
        self.stats = ProxyStats()
        self.store = PairStore(MEMORY if not config.log else config.db, redact=redact if config.redact else None)
        # The token of /stats and /v1/retrieve (printed once by `tersify proxy`); None: endpoints off.
        self.admin_token: str | None = (config.admin_token or secrets.token_urlsafe(32)) if config.admin else None
        self.compressor = ToolResultCompressor(
            self.store, self.stats, min_tokens=config.min_tokens, rate=config.rate, scorer=scorer
        )
        self.upstreams = {
            "anthropic": _base_url(config.anthropic_upstream),
            "openai": _base_url(config.openai_upstream),
        }
        self.limiter = anyio.CapacityLimiter(max(1, config.compress_threads))
        self.client: httpx.AsyncClient | None = None

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        timeout = httpx.Timeout(
            connect=self.config.upstream_connect_timeout_s,
            read=self.config.upstream_read_timeout_s,
            write=self.config.upstream_read_timeout_s,
            pool=self.config.upstream_connect_timeout_s,
        )
        limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
        async with (
            httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False) as client,
            anyio.create_task_group() as tasks,
        ):
            self.client = client
            if self.config.log_days is not None:
                tasks.start_soon(self._prune_periodically)
            try:
                yield
            finally:
                tasks.cancel_scope.cancel()
                self.client = None
                self.store.close()

    async def _prune_periodically(self) -> None:
        """--log-days: delete old pairs at start-up, then every prune interval, off the event loop."""
        assert self.config.log_days is not None
        max_age_s = self.config.log_days * 86400.0
        while True:
            try:
                deleted = await anyio.to_thread.run_sync(self.store.prune, max_age_s)
                if deleted:
                    log.info("deleted %d pairs older than %g days", deleted, self.config.log_days)
            except Exception as exc:  # a locked or full disk must not stop the proxy
                log.warning("pruning the pair log failed: %s", type(exc).__name__)
            await anyio.sleep(self.config.prune_interval_s)

    # --- own endpoints ---

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def root(self, request: Request) -> Response:
        """``HEAD /`` and ``GET /`` (Claude Code's start-up probe) answered here: they carry no
        provider, and nothing is forwarded."""
        return JSONResponse({"status": "ok", "service": "tersify proxy"})

    def _admin_denied(self, request: Request) -> Response | None:
        """The answer for a request to an admin endpoint without the token (None: let it in)."""
        if self.admin_token is None:
            return _error(404, "not_found_error", "tersify proxy: admin endpoints are off (--no-admin)")
        if token_ok(request.headers, self.admin_token):
            return None
        response = _error(401, "authentication_error", "tersify proxy: this endpoint needs the admin token "
                          "printed at start-up (Authorization: Bearer <token> or x-tersify-token: <token>)")
        response.headers["www-authenticate"] = "Bearer"
        return response

    async def stats_endpoint(self, request: Request) -> Response:
        if (denied := self._admin_denied(request)) is not None:
            return denied
        return JSONResponse(
            {
                **self.stats.snapshot(),
                "scorer": self.compressor.options,
                "min_tokens": self.config.min_tokens,
                "db": None if self.store.in_memory else str(self.store.path),
                "upstreams": {name: public_url(url) for name, url in self.upstreams.items()},
            }
        )

    async def retrieve(self, request: Request) -> Response:
        if (denied := self._admin_denied(request)) is not None:
            return denied
        text_hash = request.path_params["hash"].lower()
        original = await run_in_threadpool(self.store.original, text_hash)
        if original is None:
            return _error(404, "not_found_error", f"no original with hash {text_hash}")
        return Response(original.encode("utf-8"), media_type="text/plain; charset=utf-8")

    # --- forwarding ---

    async def forward(self, request: Request) -> Response:
        self.stats.add("requests")
        try:
            provider = provider_for(request.url.path, request.headers)
        except RoutingError as exc:
            self.stats.add("requests_unroutable")
            return _error(400, "invalid_request_error", f"tersify proxy: {exc}")
        try:
            body = await self._read_body(request)
        except BodyTooLarge:
            self.stats.add("body_too_large")
            return _error(
                413, "request_too_large",
                f"request body over the proxy's limit of {self.config.max_body_bytes} bytes",
            )
        route = ROUTES.get((request.method, request.url.path))
        if route is not None and request.headers.get("x-tersify-bypass", "").strip().lower() in ("1", "true"):
            self.stats.add("requests_bypassed")
        elif route is not None:
            body = await self._rewrite(route, body, request)
        return await self._send(request, body, provider)

    async def _read_body(self, request: Request) -> bytes:
        limit = self.config.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    async def _rewrite(self, route: ToolRoute, raw: bytes, request: Request) -> bytes:
        """The body to forward: tool results compressed, or ``raw`` itself (fail open)."""
        self.stats.add("requests_rewritable")
        if request.headers.get("content-encoding", "identity").lower() not in ("identity", ""):
            self.stats.add("failed_open_unparsable")
            return raw
        try:
            body = json.loads(raw, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            self.stats.add("failed_open_unparsable")
            return raw
        texts = [t for t in route.find(body) if not excluded(t.tool, self.config)]
        if not texts:
            return raw
        self.stats.add("tool_results_seen", len(texts))
        # Real tokens, counted off the event loop.
        tokens_before = await anyio.to_thread.run_sync(lambda: sum(count_tokens(t.text) for t in texts))
        self.stats.add("tokens_before", tokens_before)
        model = body.get("model") if isinstance(body.get("model"), str) else None
        todo = [t for t in texts if t.skip is None]
        self.stats.add("skipped_cache_control", len(texts) - len(todo))

        outcomes: list[Outcome] | None = None
        t0 = time.perf_counter()
        try:
            with anyio.fail_after(self.config.deadline_s):
                outcomes = await self._outcomes(todo, route.provider, model)
        except TimeoutError:
            self.stats.add("failed_open_timeout")
        except Exception:
            log.exception("compression failed; forwarding the request unchanged")
            self.stats.add("failed_open_error")
        finally:
            self.stats.rewrite_time((time.perf_counter() - t0) * 1000.0)

        if outcomes is not None:
            saved = sum(outcome.tokens_saved for outcome in outcomes)
            new_body = self._apply(body, todo, outcomes)
            if new_body is not None:
                self.stats.add("tokens_after", tokens_before - saved)
                return new_body
        self.stats.add("tokens_after", tokens_before)
        return raw

    async def _outcomes(self, todo: list[ToolText], provider: str, model: str | None) -> list[Outcome]:
        """Lookups first (small, already compressed, cached), then the compressions still
        needed, under the compression limiter. Both run in worker threads."""
        texts = [t.text for t in todo]
        found = await anyio.to_thread.run_sync(
            lambda: [self.compressor.lookup(text) for text in texts], abandon_on_cancel=True
        )
        missing = [i for i, outcome in enumerate(found) if outcome is None]
        if missing:
            fresh = await anyio.to_thread.run_sync(
                lambda: [
                    self.compressor.compress(texts[i], provider=provider, model=model, tool=todo[i].tool)
                    for i in missing
                ],
                abandon_on_cancel=True,
                limiter=self.limiter,
            )
            for i, outcome in zip(missing, fresh, strict=True):
                found[i] = outcome
        return found  # type: ignore[return-value]  # every None was filled

    def _apply(self, body: Any, todo: list[ToolText], outcomes: list[Outcome]) -> bytes | None:
        """The rewritten body, or ``None`` when it is to go unchanged."""
        for outcome in outcomes:
            name = {
                "small": "skipped_small",
                "already_compressed": "skipped_already_compressed",
                "not_smaller": "skipped_not_smaller",
                "cached": "cache_hits",
            }.get(outcome.status)
            if name:
                self.stats.add(name)
        changed = [(t, o) for t, o in zip(todo, outcomes, strict=True) if o.changed]
        if not changed:
            return None
        originals = [t.text for t, _ in changed]
        for tool_text, outcome in changed:
            tool_text.replace(outcome.text)
        try:
            new_body = _dump(body)
        except ValueError:  # a number JSON cannot carry back (1e999 parsed as inf)
            for tool_text, original in zip((t for t, _ in changed), originals, strict=True):
                tool_text.replace(original)
            self.stats.add("failed_open_unparsable")
            return None
        self.stats.add("tool_results_compressed", len(changed))
        self.stats.add("requests_rewritten")
        return new_body

    async def _send(self, request: Request, body: bytes, provider: str) -> Response:
        assert self.client is not None, "the proxy app runs inside its lifespan"
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        url = self.upstreams[provider] + raw_path.decode("latin-1")
        if request.url.query:
            url += "?" + request.url.query
        headers = _filter_headers(request.headers.raw, _REQUEST_DROP)
        upstream_request = self.client.build_request(request.method, url, headers=headers, content=body or None)
        sent = {name.lower() for name, _ in headers}
        for name in _HTTPX_DEFAULTS:
            if name.encode() not in sent:
                upstream_request.headers.pop(name, None)
        shown = public_url(self.upstreams[provider])  # never the upstream's userinfo
        try:
            upstream = await self.client.send(upstream_request, stream=True)
        except httpx.ProtocolError as exc:  # it answered, but not in HTTP (or hung up mid-answer)
            self.stats.add("upstream_protocol_error")
            return _error(502, "upstream_protocol_error",
                          f"tersify proxy: upstream protocol error from {shown}: {type(exc).__name__}")
        except httpx.HTTPError as exc:  # connect error, timeout, network error
            self.stats.add("upstream_unreachable")
            return _error(502, "upstream_unreachable", f"tersify proxy: cannot reach {shown}: {type(exc).__name__}")

        async def relay() -> AsyncIterator[bytes]:
            try:
                async for chunk in upstream.aiter_raw():
                    yield chunk
            finally:
                await upstream.aclose()

        response = StreamingResponse(relay(), status_code=upstream.status_code)
        response.raw_headers = _filter_headers(upstream.headers.raw, _HOP_BY_HOP)
        return response


def _base_url(url: str) -> str:
    """Upstream base without a trailing slash or ``/v1`` (request paths carry ``/v1``)."""
    url = url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def create_app(config: ProxyConfig, *, scorer: Scorer | None = None) -> Starlette:
    """The ASGI app. ``app.state.proxy`` is the :class:`Proxy` (stats, store, config)."""
    proxy = Proxy(config, scorer=scorer)
    app = Starlette(
        routes=[
            Route("/", proxy.root, methods=["GET", "HEAD"]),
            Route("/healthz", proxy.healthz, methods=["GET"]),
            Route("/stats", proxy.stats_endpoint, methods=["GET"]),
            Route("/v1/retrieve/{hash}", proxy.retrieve, methods=["GET"]),
            Route("/{path:path}", proxy.forward, methods=_METHODS),
        ],
        # Every request, forwarded ones included, must name this server (DNS rebinding).
        middleware=[Middleware(HostGuard, extra_names=[config.host])],
        lifespan=proxy.lifespan,
    )
    app.state.proxy = proxy
    return app
