"""The proxy's own access checks: the ``Host`` header (DNS rebinding), the admin token of
``/stats`` and ``/v1/retrieve``, and URLs made safe to show.

A web page can make a browser send requests to ``127.0.0.1`` under a name the attacker
controls (DNS rebinding); the one thing it cannot forge is the ``Host`` header, which then
carries the attacker's name. :class:`HostGuard` answers every request whose ``Host`` is not
an address the proxy listens on with 421, before any route (forwarded ones included) runs.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})

Scope = dict[str, Any]


def split_host(value: str) -> tuple[str, int | None] | None:
    """``Host`` header value -> (lower-case name without brackets or trailing dot, port or
    None); ``None`` when it is not a host[:port]."""
    value = value.strip().lower()
    if value.startswith("["):
        name, sep, rest = value[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else None
    else:
        name, sep, port_text = value.rpartition(":")
        if not sep:
            name, port_text = value, None
        elif ":" in name:  # a bare IPv6 address is not a valid Host
            return None
    if port_text is not None and not (port_text.isdigit() and len(port_text) <= 5):
        return None
    name = name.rstrip(".")
    if not name:
        return None
    return name, int(port_text) if port_text is not None else None


def host_allowed(host: str | None, server: tuple[str, int | None] | None, names: Iterable[str]) -> bool:
    """Whether a request's ``Host`` names this server: one of ``names`` (or the local address
    the connection arrived on), with the port the server listens on (no port only for 80)."""
    if host is None:
        return False
    parsed = split_host(host)
    if parsed is None:
        return False
    name, port = parsed
    allowed = {n.lower().strip("[]").rstrip(".") for n in names}
    if server is not None:
        allowed.add(str(server[0]).lower())
        # A unix socket has no port; a TCP listener's must match (no port in Host means 80).
        if server[1] is not None and (port if port is not None else 80) != int(server[1]):
            return False
    return name in allowed


class HostGuard:
    """Pure ASGI middleware: 421 with a JSON error for any HTTP request whose ``Host`` is not
    this server's loopback names, ``extra_names`` (the ``--host`` value) or the address the
    connection arrived on, at the port it arrived on."""

    def __init__(self, app: Any, extra_names: Iterable[str] = ()) -> None:
        self.app = app
        self.names = LOOPBACK_NAMES | {n for n in extra_names if n}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), None)
        server = scope.get("server")
        if host_allowed(host, tuple(server) if server else None, self.names):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = json.dumps({"type": "error", "error": {
            "type": "misdirected_request",
            "message": f"tersify proxy: Host {host!r} is not an address this proxy listens on; "
                       "use http://127.0.0.1:PORT or http://localhost:PORT (DNS-rebinding protection)",
        }}).encode()
        await send({"type": "http.response.start", "status": 421, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def token_ok(headers: Any, token: str) -> bool:
    """Whether the request carries the admin token, as ``Authorization: Bearer <token>`` or
    ``x-tersify-token: <token>`` (compared in constant time)."""
    expected = token.encode()
    offered = []
    auth = headers.get("authorization", "")
    scheme, _, credential = auth.partition(" ")
    if scheme.lower() == "bearer":
        offered.append(credential.strip())
    if "x-tersify-token" in headers:
        offered.append(headers["x-tersify-token"].strip())
    ok = False
    for candidate in offered:  # every candidate compared, so timing tells nothing about which
        ok |= hmac.compare_digest(candidate.encode("utf-8", errors="replace"), expected)
    return ok


def public_url(url: str) -> str:
    """``url`` without userinfo (``user:password@``), query string or fragment: safe to show."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except ValueError:
        return "<unparsable URL>"
