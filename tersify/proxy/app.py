"""The proxy as an ASGI app (Starlette): routes, forwarding, fail-open rewriting.

Every request is forwarded to its upstream with its headers (auth included; hop-by-hop
headers dropped) and its body. Only on the routes of :data:`providers.ROUTES` is the
body parsed and are tool-result strings replaced, in place, by what :mod:`.work` decided
for them; every other byte of the body goes as received. Anything that goes wrong there
(an unparsable body, an error) forwards the original bytes instead and is counted.
Responses stream back chunk by chunk as they arrive, with the upstream's status, headers
and bytes (errors included).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
import httpx
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tersify.budget import ID_CHARS
from tersify.errors import TersifyError
from tersify.proxy.accounting import RequestTokens, count_request
from tersify.proxy.body import NotEditable, decode_body, splice
from tersify.proxy.compressor import Decision, ToolResultCompressor
from tersify.proxy.config import ProxyConfig, excluded
from tersify.proxy.guard import HostGuard, public_url, token_ok
from tersify.proxy.originals import UnknownOriginal, parse_range, split_lines
from tersify.proxy.providers import ROUTES, ToolText
from tersify.proxy.providers import Route as ToolRoute
from tersify.proxy.redact import redact
from tersify.proxy.routing import RoutingError, provider_for
from tersify.proxy.stats import ProxyStats
from tersify.proxy.store import MEMORY, PairStore, content_hash
from tersify.proxy.work import Context, Work
from tersify.scorers import Scorer

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


def _parse(
    raw: bytes, route: ToolRoute, config: ProxyConfig, needs_decision: Any
) -> tuple[Any, list[ToolText], list[str | None]]:
    """The body parsed, its tool results (of tools not excluded), and the content hashes of
    those that need a decision (``None`` for the rest). Runs in a worker thread: bodies can
    be megabytes, and the decoded text is not kept (a request that changes nothing goes as
    the bytes it came as)."""
    body = json.loads(raw)
    texts = [t for t in route.find(body) if not excluded(t.tool, config)]
    return body, texts, [content_hash(t.text) if needs_decision(t.text) else None for t in texts]


def _edit(raw: bytes, changed: dict, expected: dict) -> bytes:
    """``raw`` with the strings at the paths of ``changed`` replaced (a worker thread)."""
    return splice(decode_body(raw), changed, expected).encode("utf-8")


class Proxy:
    """The proxy's state and request handlers (one per app)."""

    def __init__(self, config: ProxyConfig, *, scorer: Scorer | None = None) -> None:
        self.config = config
        self.stats = ProxyStats()
        self.store = PairStore(MEMORY if not config.log else config.db, redact=redact if config.redact else None,
                               originals_max_bytes=config.originals_max_bytes)
        # The token of /stats and /v1/retrieve (printed once by `tersify proxy`); None: endpoints off.
        self.admin_token: str | None = (config.admin_token or secrets.token_urlsafe(32)) if config.admin else None
        self.compressor = ToolResultCompressor(
            self.store, min_tokens=config.min_tokens, rate=config.rate, scorer=scorer, budget=config.budget,
            # Markers name `tersify retrieve` only where the original outlives the process, exactly.
            durable_originals=config.log and not config.redact,
        )
        self.work = Work(
            self.compressor, self.stats, threads=config.compress_threads,
            max_compress_chars=config.max_compress_chars,
        )
        self._accounting: set[asyncio.Task] = set()
        self.upstreams = {
            "anthropic": _base_url(config.anthropic_upstream),
            "openai": _base_url(config.openai_upstream),
        }
        self.client: httpx.AsyncClient | None = None

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        timeout = httpx.Timeout(
            connect=self.config.upstream_connect_timeout_s,
            read=self.config.upstream_read_timeout_s,
            write=self.config.upstream_read_timeout_s,
            pool=self.config.upstream_connect_timeout_s,
        )
        # Idle upstream connections are dropped after 4 s: servers close theirs after a few
        # seconds too (uvicorn: 5 s), and a request sent on a connection the server has just
        # closed fails; retrying it could bill a request twice, reconnecting costs a handshake.
        limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200, keepalive_expiry=4.0)
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
                self.work.close()
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
        key = request.path_params["hash"].lower()
        if len(key) <= ID_CHARS:  # a budget marker's id: the lines it left out (?lines=A-B), or all
            try:
                text = await run_in_threadpool(self._original_lines, key, request.query_params.get("lines"))
            except UnknownOriginal as exc:
                return _error(404, "not_found_error", str(exc))
            except TersifyError as exc:  # a bad id or range
                return _error(400, "invalid_request_error", str(exc))
            return Response(text.encode("utf-8", errors="surrogatepass"), media_type="text/plain; charset=utf-8")
        original = await run_in_threadpool(self.store.original, key)
        if original is None:
            return _error(404, "not_found_error", f"no original with hash {key}")
        return Response(original.encode("utf-8", errors="surrogatepass"), media_type="text/plain; charset=utf-8")

    def _original_lines(self, original_id: str, spec: str | None) -> str:
        """Lines ``spec`` (``A-B``, 1-based) of the stored original ``original_id``, or all of it."""
        text = self.store.originals.get(original_id).text
        if spec is None:
            return text
        lines = split_lines(text)
        start, stop = parse_range(spec, len(lines))
        return "".join(lines[start:stop])

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
        """The body to forward: tool-result strings replaced in place, or ``raw`` itself (fail open)."""
        self.stats.add("requests_rewritable")
        if request.headers.get("content-encoding", "identity").lower() not in ("identity", ""):
            self.stats.add("failed_open_unparsable")
            return raw
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.deadline_s
        try:
            body, texts, hashes = await anyio.to_thread.run_sync(
                _parse, raw, route, self.config, self.work.needs_decision
            )
        except (ValueError, RecursionError):
            self.stats.add("failed_open_unparsable")
            return raw
        if not texts:
            return raw
        self.stats.add("tool_results_seen", len(texts))
        model = body.get("model") if isinstance(body.get("model"), str) else None
        contexts = [Context(route.provider, model, t.tool) for t in texts]
        t0 = time.perf_counter()
        try:
            decisions = await self.work.decide([t.text for t in texts], hashes, contexts, deadline)
        except Exception:
            log.exception("compression failed; forwarding the request unchanged")
            self.stats.add("failed_open_error")
            return raw
        finally:
            self.stats.rewrite_time((time.perf_counter() - t0) * 1000.0)
        forwarded = raw
        changed = {t.path: d.text for t, d in zip(texts, decisions, strict=True) if d.changed}
        if changed:
            expected = {t.path: t.text for t in texts}
            try:
                forwarded = await anyio.to_thread.run_sync(_edit, raw, changed, expected)
            except NotEditable:
                log.warning("tool results found but not editable in place; forwarding the request unchanged")
                self.stats.add("failed_open_unparsable")
                decisions = [Decision("small") if d.changed else d for d in decisions]  # nothing changed
            else:
                self.stats.add("tool_results_compressed", len(changed))
                self.stats.add("requests_rewritten")
        self._account(raw, texts, hashes, decisions, contexts[0])
        return forwarded

    def _log_request(self, context: Context, tool_results: int, tokens: RequestTokens) -> None:
        try:
            self.store.record_request(
                provider=context.provider, model=context.model, tool_results=tool_results,
                tools_before=tokens.tools_before, tools_after=tokens.tools_after,
                tokens_before=tokens.request_before, tokens_after=tokens.request_after,
            )
        except Exception:  # accounting is best effort; the request is long gone
            log.exception("could not log a request's token counts")
            self.stats.add("log_errors")

    def _account(
        self, raw: bytes, texts: list[ToolText], hashes: list[str | None], decisions: list[Decision],
        context: Context,
    ) -> None:
        """Count the request's tokens in a worker thread while it is upstream."""
        task = asyncio.ensure_future(
            anyio.to_thread.run_sync(count_request, raw, [t.text for t in texts], decisions)
        )
        self._accounting.add(task)

        def done(finished: asyncio.Task[RequestTokens]) -> None:
            self._accounting.discard(finished)
            if finished.cancelled() or finished.exception() is not None:
                return
            tokens = finished.result()
            for name, value in (("tokens_before", tokens.tools_before), ("tokens_after", tokens.tools_after),
                                ("request_tokens_before", tokens.request_before),
                                ("request_tokens_after", tokens.request_after),
                                ("token_counts_estimated", tokens.estimated)):
                self.stats.add(name, value)
            for text_hash, original, counted in zip(hashes, decisions, tokens.counted, strict=True):
                if text_hash and original.status == "unchanged" and original.tokens_in is None:
                    self.work.memory.put(text_hash, counted)  # counted once
            asyncio.get_running_loop().run_in_executor(None, self._log_request, context, len(texts), tokens)

        task.add_done_callback(done)

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
