"""Shared vocabulary for the domain generators: names, paths, errors, hosts.

Generators draw from these pools (and combine entries) so that every domain sees many
identifiers and no two records read alike. Everything here is benign, made-up project
material; no real host outside loopback/private ranges, no real secrets.
"""

from __future__ import annotations

import random
import string

PROJECTS = (
    "billing", "inventory", "auth", "gateway", "scheduler", "ledger", "catalog", "notify", "search",
    "ingest", "reports", "payments", "orders", "metrics", "storage", "webhooks", "profiles", "chat",
    "render", "tiles", "router", "quota", "audit", "exporter", "sync", "pricing", "checkout",
)
DIRS = (
    "src", "lib", "app", "core", "internal", "pkg", "services", "handlers", "models", "utils", "api",
    "db", "cache", "workers", "jobs", "config", "middleware", "adapters", "domain", "io", "cli",
)
STEMS = (
    "client", "server", "session", "token", "config", "parser", "loader", "cache", "queue", "worker",
    "handler", "router", "models", "schema", "views", "store", "pool", "retry", "limits", "metrics",
    "auth", "users", "orders", "invoice", "pricing", "discount", "upload", "export", "backup",
    "migrate", "settings", "registry", "resolver", "encoder", "decoder", "buffer", "index", "shard",
)
VERBS = (
    "load", "parse", "fetch", "build", "resolve", "validate", "apply", "compute", "render", "merge",
    "flush", "open", "close", "read", "write", "send", "handle", "process", "encode", "decode",
    "refresh", "sync", "update", "create", "delete", "lookup", "normalize", "schedule", "retry",
    "connect", "acquire", "release", "commit", "rollback", "split", "collect", "emit", "dispatch",
)
NOUNS = (
    "settings", "token", "user", "order", "invoice", "discount", "payload", "header", "session",
    "batch", "record", "config", "schema", "row", "chunk", "page", "event", "message", "request",
    "response", "account", "price", "cart", "item", "entry", "snapshot", "manifest", "segment",
    "lease", "offset", "cursor", "window", "quota", "limit", "report", "metric", "span", "ticket",
)
ADJS = ("fast", "safe", "raw", "cached", "pending", "active", "stale", "remote", "local", "default",
        "partial", "nested", "legacy", "async", "bulk", "retry", "sorted", "unique", "empty", "max")
USERS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
         "oscar", "peggy", "trent", "victor", "walter", "deploy", "ci", "build", "www-data", "postgres")
HOSTS = ("localhost", "127.0.0.1", "db.internal", "cache.internal", "api.internal", "queue.local",
         "10.0.3.17", "192.168.1.40", "172.18.0.5", "search.svc.cluster.local", "redis", "postgres")
PY_ERRORS = ("ValueError", "KeyError", "TypeError", "AttributeError", "IndexError", "RuntimeError",
             "FileNotFoundError", "PermissionError", "TimeoutError", "ConnectionRefusedError",
             "ZeroDivisionError", "AssertionError", "ImportError", "ModuleNotFoundError",
             "json.decoder.JSONDecodeError", "UnicodeDecodeError", "OSError", "NotImplementedError",
             "RecursionError", "sqlite3.OperationalError", "StopIteration")
JS_ERRORS = ("TypeError", "ReferenceError", "RangeError", "SyntaxError", "Error", "AbortError",
             "ValidationError", "TokenExpiredError", "FetchError", "UnhandledPromiseRejection")
JAVA_ERRORS = ("java.lang.NullPointerException", "java.lang.IllegalStateException",
               "java.lang.IllegalArgumentException", "java.io.IOException",
               "java.util.ConcurrentModificationException", "java.lang.ArrayIndexOutOfBoundsException",
               "java.net.SocketTimeoutException", "java.lang.NumberFormatException",
               "java.lang.ClassCastException", "java.sql.SQLException", "java.lang.OutOfMemoryError",
               "java.util.NoSuchElementException")
HTTP_STATUSES = ((200, "OK"), (201, "Created"), (204, "No Content"), (301, "Moved Permanently"),
                 (304, "Not Modified"), (400, "Bad Request"), (401, "Unauthorized"), (403, "Forbidden"),
                 (404, "Not Found"), (409, "Conflict"), (422, "Unprocessable Entity"),
                 (429, "Too Many Requests"), (500, "Internal Server Error"), (502, "Bad Gateway"),
                 (503, "Service Unavailable"), (504, "Gateway Timeout"))
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LANG_EXT = {"python": "py", "javascript": "js", "typescript": "ts", "go": "go", "rust": "rs", "java": "java",
            "c": "c", "cpp": "cpp"}


def snake(rng: random.Random) -> str:
    """A snake_case function name: verb_noun, sometimes with an adjective or a leading _."""
    parts = [rng.choice(VERBS)]
    if rng.random() < 0.3:
        parts.append(rng.choice(ADJS))
    parts.append(rng.choice(NOUNS))
    name = "_".join(parts)
    return "_" + name if rng.random() < 0.12 else name


def camel(rng: random.Random, upper: bool = False) -> str:
    """camelCase (or CamelCase) from the same pools."""
    words = [rng.choice(VERBS), rng.choice(NOUNS)]
    if rng.random() < 0.3:
        words.insert(1, rng.choice(ADJS))
    out = "".join(w.capitalize() for w in words)
    return out if upper else out[0].lower() + out[1:]


def class_name(rng: random.Random) -> str:
    suffix = rng.choice(("Service", "Client", "Manager", "Handler", "Repository", "Controller", "Store",
                         "Factory", "Worker", "Parser", "Resolver", "Cache", "Pool", ""))
    return rng.choice(NOUNS).capitalize() + rng.choice(STEMS).capitalize() * (suffix == "") + suffix


def module_path(rng: random.Random, ext: str = "py", depth: int | None = None) -> str:
    """A relative source path like ``src/billing/handlers/invoice.py``."""
    depth = rng.randint(1, 3) if depth is None else depth
    parts = [rng.choice(("src", "lib", "app", "pkg", "internal"))] if rng.random() < 0.7 else []
    if rng.random() < 0.6:
        parts.append(rng.choice(PROJECTS))
    parts += rng.sample(DIRS, k=min(depth - 1, len(DIRS))) if depth > 1 else []
    parts = list(dict.fromkeys(parts))  # no "src/src"
    stem = rng.choice(STEMS)
    if rng.random() < 0.25:
        stem = f"{stem}_{rng.choice(NOUNS)}"
    return "/".join([*parts, f"{stem}.{ext}"])


def abs_root(rng: random.Random) -> str:
    return rng.choice(("/app", "/srv/app", "/home/dev/project", "/workspace", "/opt/service",
                       "/home/ci/build", "/usr/src/app", "/Users/dev/code"))


def hexstr(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def ident_value(rng: random.Random) -> str:
    """A random id-like value: a number, a short hash, or a slug."""
    r = rng.random()
    if r < 0.4:
        return str(rng.randint(1, 99999))
    if r < 0.7:
        return hexstr(rng, rng.choice((8, 12, 16)))
    return f"{rng.choice(NOUNS)}-{rng.randint(1, 999)}"


def uuid(rng: random.Random) -> str:
    h = hexstr(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def iso_time(rng: random.Random, with_ms: bool | None = None) -> str:
    base = (f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
            f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}")
    with_ms = rng.random() < 0.5 if with_ms is None else with_ms
    return base + (f".{rng.randint(0, 999):03d}Z" if with_ms else "Z")


def clock(rng: random.Random) -> str:
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


def version(rng: random.Random) -> str:
    v = f"{rng.randint(0, 5)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}"
    return v + (f"-rc{rng.randint(1, 4)}" if rng.random() < 0.08 else "")


def token(rng: random.Random, n: int = 6) -> str:
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def ipv4_private(rng: random.Random) -> str:
    return rng.choice((f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                       f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                       f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                       "127.0.0.1"))
