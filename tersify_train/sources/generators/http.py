"""HTTP exchanges: ``curl -v`` transcripts, raw request/response pairs, ``curl -i``
responses, and access-log lines."""

from __future__ import annotations

import json
import random

from tersify_train.sources.generators import _vocab as v

_METHODS = ("GET", "GET", "POST", "PUT", "PATCH", "DELETE")


def _url_path(rng: random.Random) -> str:
    p = f"/{rng.choice(('api', 'v1', 'api/v2', 'internal'))}/{rng.choice(v.NOUNS)}s"
    if rng.random() < 0.6:
        p += f"/{v.ident_value(rng)}"
    if rng.random() < 0.3:
        p += f"/{rng.choice(v.NOUNS)}s"
    if rng.random() < 0.3:
        p += f"?{rng.choice(('page', 'limit', 'since', 'q'))}={rng.randint(1, 100)}"
    return p


def _body(rng: random.Random, status: int) -> str:
    if status == 204 or status == 304:
        return ""
    if status >= 400:
        obj = {"error": rng.choice(("not_found", "invalid_request", "rate_limited", "internal", "unauthorized")),
               "message": f"{rng.choice(v.NOUNS)} {rng.choice(('not found', 'is invalid', 'expired', 'missing'))}",
               "trace_id": v.hexstr(rng, 16)}
    else:
        obj = {"id": v.ident_value(rng), rng.choice(v.NOUNS): rng.randint(0, 9999), "status": rng.choice(("ok", "queued", "done"))}
    return json.dumps(obj, indent=2 if rng.random() < 0.4 else None)


def _headers(rng: random.Random, status: int, body: str) -> list[str]:
    h = [f"Content-Type: {rng.choice(('application/json', 'application/json; charset=utf-8', 'text/plain'))}",
         f"Content-Length: {len(body)}", f"Date: {rng.choice(('Mon', 'Tue', 'Wed'))}, {rng.randint(1, 28):02d} {rng.choice(v.MONTHS)} 2024 {v.clock(rng)} GMT"]
    extra = [f"X-Request-Id: {v.uuid(rng)}", f"Server: {rng.choice(('nginx/1.25.3', 'uvicorn', 'gunicorn', 'envoy'))}",
             f"Cache-Control: {rng.choice(('no-cache', 'max-age=60', 'private'))}", f"ETag: \"{v.hexstr(rng, 12)}\"",
             "Connection: keep-alive", f"X-RateLimit-Remaining: {rng.randint(0, 1000)}"]
    if status == 429:
        extra.append(f"Retry-After: {rng.randint(1, 120)}")
    if status in (301, 302):
        extra.append(f"Location: {_url_path(rng)}")
    if status == 401:
        extra.append('WWW-Authenticate: Bearer error="invalid_token"')
    return h + rng.sample(extra, k=rng.randint(1, len(extra)))


def _curl_v(rng: random.Random) -> list[str]:
    host, port = rng.choice((("127.0.0.1", rng.choice((8000, 8080, 3000, 5000))), ("localhost", rng.choice((8000, 9000))),
                             ("api.internal", 443)))
    method = rng.choice(_METHODS)
    path = _url_path(rng)
    code, reason = rng.choice(v.HTTP_STATUSES)
    body = _body(rng, code)
    scheme = "https" if port == 443 else "http"
    out = [f"$ curl -v {'-X ' + method + ' ' if method != 'GET' else ''}{scheme}://{host}:{port}{path}" if rng.random() < 0.5 else f"*   Trying {host}:{port}...",
           f"* Connected to {host} ({'127.0.0.1' if host != 'api.internal' else v.ipv4_private(rng)}) port {port} (#0)",
           f"> {method} {path} HTTP/1.1", f"> Host: {host}:{port}", f"> User-Agent: curl/{rng.choice(('7.88.1', '8.5.0', '8.9.1'))}", "> Accept: */*"]
    if method in ("POST", "PUT", "PATCH"):
        out += ["> Content-Type: application/json", f"> Content-Length: {rng.randint(10, 400)}"]
    out.append(">")
    out.append(f"< HTTP/1.1 {code} {reason}")
    out += [f"< {h}" for h in _headers(rng, code, body)]
    out.append("<")
    if body:
        out += body.split("\n")
    out.append(f"* Connection #0 to host {host} left intact")
    return out


def _raw_pair(rng: random.Random) -> list[str]:
    method, path = rng.choice(_METHODS), _url_path(rng)
    code, reason = rng.choice(v.HTTP_STATUSES)
    body = _body(rng, code)
    out = [f"{method} {path} HTTP/1.1", f"Host: {rng.choice(v.HOSTS)}", "Accept: application/json"]
    if rng.random() < 0.5:
        out.append("Authorization: Bearer <redacted>")
    if method in ("POST", "PUT", "PATCH"):
        req = json.dumps({rng.choice(v.NOUNS): rng.randint(0, 999), "name": f"{rng.choice(v.ADJS)}-{rng.choice(v.NOUNS)}"})
        out += [f"Content-Length: {len(req)}", "", req]
    out += ["", f"HTTP/{rng.choice(('1.1', '2'))} {code}{' ' + reason if rng.random() < 0.8 else ''}", *_headers(rng, code, body), ""]
    if body:
        out += body.split("\n")
    return out


def _access_log(rng: random.Random) -> list[str]:
    out = []
    for _ in range(rng.randint(3, 15)):
        code, _reason = rng.choice(v.HTTP_STATUSES)
        ip = v.ipv4_private(rng)
        if rng.random() < 0.5:
            out.append(f'{ip} - - [{rng.randint(1, 28):02d}/{rng.choice(v.MONTHS)}/2024:{v.clock(rng)} +0000] "{rng.choice(_METHODS)} {_url_path(rng)} HTTP/1.1" '
                       f'{code} {rng.randint(0, 90000)} "-" "{rng.choice(("curl/8.5.0", "python-httpx/0.27.0", "Mozilla/5.0", "Go-http-client/1.1"))}"')
        else:
            out.append(f"INFO:     {ip}:{rng.randint(30000, 65000)} - \"{rng.choice(_METHODS)} {_url_path(rng)} HTTP/1.1\" {code} {_reason}")
    return out


def _curl_i(rng: random.Random) -> list[str]:
    code, reason = rng.choice(v.HTTP_STATUSES)
    body = _body(rng, code)
    out = [f"HTTP/{rng.choice(('1.1', '2'))} {code}{' ' + reason if rng.random() < 0.7 else ''}", *_headers(rng, code, body), ""]
    if body:
        out += body.split("\n")
    if rng.random() < 0.2:
        out.append(f"curl: (22) The requested URL returned error: {code}" if code >= 400 else
                   f"curl: (28) Operation timed out after {rng.randint(1000, 30000)} milliseconds with 0 bytes received")
    return out


LAYOUTS = (_curl_v, _raw_pair, _access_log, _curl_i)


def generate_one(rng: random.Random) -> str:
    return "\n".join(rng.choice(LAYOUTS)(rng))
