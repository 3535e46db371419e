"""JSON API responses: REST resources, paginated lists, error envelopes, job status,
health checks, crash reports; pretty-printed, compact or as JSON lines."""

from __future__ import annotations

import json
import random

from tersify_train.sources.generators import _vocab as v


def _resource(rng: random.Random) -> dict:
    kind = rng.choice(v.NOUNS)
    obj: dict = {"id": rng.choice((rng.randint(1, 10**6), v.uuid(rng))), "type": kind}
    for key in rng.sample(("name", "status", "created_at", "updated_at", "owner", "amount", "currency", "tags",
                           "enabled", "retries", "region", "version", "size_bytes", "priority", "email",
                           "parent_id", "checksum", "ttl_seconds", "score"), k=rng.randint(3, 8)):
        obj[key] = {
            "name": f"{rng.choice(v.ADJS)}-{kind}-{rng.randint(1, 99)}", "status": rng.choice(("active", "pending", "failed", "disabled", "archived", "running")),
            "created_at": v.iso_time(rng), "updated_at": v.iso_time(rng), "owner": rng.choice(v.USERS),
            "amount": round(rng.uniform(0, 5000), 2), "currency": rng.choice(("EUR", "USD", "GBP", "JPY")),
            "tags": rng.sample(v.ADJS, k=rng.randint(0, 3)), "enabled": rng.random() < 0.5, "retries": rng.randint(0, 5),
            "region": rng.choice(("eu-west-1", "us-east-2", "ap-south-1", "local")), "version": v.version(rng),
            "size_bytes": rng.randint(0, 10**9), "priority": rng.randint(1, 5), "email": f"{rng.choice(v.USERS)}@example.com",
            "parent_id": rng.choice((None, rng.randint(1, 10**5))), "checksum": "sha256:" + v.hexstr(rng, 64),
            "ttl_seconds": rng.choice((60, 300, 3600, 86400)), "score": round(rng.random(), 4),
        }[key]
    return obj


def _error(rng: random.Random) -> dict:
    code, reason = rng.choice([s for s in v.HTTP_STATUSES if s[0] >= 400])
    err = {"status": code, "error": reason.replace(" ", "_").upper() if rng.random() < 0.5 else reason,
           "message": rng.choice((f"{rng.choice(v.NOUNS)} {rng.randint(1, 9999)} not found", f"field '{rng.choice(v.NOUNS)}' is required",
                                  f"token expired at {v.iso_time(rng)}", f"rate limit exceeded: {rng.randint(10, 1000)} requests per minute",
                                  f"upstream {rng.choice(v.HOSTS)}:{rng.choice((5432, 6379, 8080, 9200))} timed out after {rng.randint(1, 60)}s",
                                  f"validation failed for {rng.randint(1, 5)} field(s)")),
           "request_id": v.uuid(rng) if rng.random() < 0.5 else f"req_{v.token(rng, 12)}"}
    if rng.random() < 0.5:
        err["details"] = [{"field": rng.choice(v.NOUNS), "code": rng.choice(("missing", "invalid", "too_long", "out_of_range")),
                           "value": rng.choice((None, rng.randint(-5, 500), "")) } for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.3:
        err["retry_after"] = rng.randint(1, 120)
    return {"error": err} if rng.random() < 0.6 else err


def _listing(rng: random.Random) -> dict:
    items = [_resource(rng) for _ in range(rng.randint(2, 6))]
    total = rng.randint(len(items), 5000)
    return {"data": items, "pagination": {"page": rng.randint(1, 40), "per_page": len(items), "total": total,
                                          "next_cursor": rng.choice((None, v.token(rng, 16)))}}


def _job(rng: random.Random) -> dict:
    steps = [{"name": f"{rng.choice(v.VERBS)}-{rng.choice(v.NOUNS)}", "status": rng.choice(("succeeded", "failed", "skipped", "running")),
              "duration_ms": rng.randint(5, 600000), "exit_code": rng.choice((0, 0, 0, 1, 2, 137, 139))} for _ in range(rng.randint(2, 5))]
    return {"job_id": f"job-{rng.randint(1000, 99999)}", "pipeline": rng.choice(v.PROJECTS), "commit": v.hexstr(rng, 40),
            "branch": rng.choice(("main", "develop", f"fix/{rng.choice(v.NOUNS)}-{rng.randint(1, 999)}")),
            "state": rng.choice(("failed", "passed", "canceled", "running")), "steps": steps, "started_at": v.iso_time(rng)}


def _crash(rng: random.Random) -> dict:
    sig = rng.choice(((139, "SIGSEGV"), (134, "SIGABRT"), (137, "SIGKILL"), (135, "SIGBUS"), (136, "SIGFPE")))
    return {"pid": rng.randint(100, 65000), "exit_code": sig[0], "signal": sig[1], "address": "0x" + v.hexstr(rng, rng.choice((8, 12))),
            "rss_mb": rng.randint(50, 16000), "dirty_pages": rng.randint(0, 50000), "oom_score": rng.randint(0, 1000),
            "thread": rng.choice(("main", f"worker-{rng.randint(0, 15)}", "tokio-runtime-worker")),
            "binary": f"/usr/local/bin/{rng.choice(v.PROJECTS)}", "core_dumped": rng.random() < 0.5}


def _health(rng: random.Random) -> dict:
    checks = {name: {"status": rng.choice(("ok", "ok", "degraded", "down")), "latency_ms": round(rng.uniform(0.2, 900), 1)}
              for name in rng.sample(("postgres", "redis", "s3", "kafka", "search", "smtp", "auth"), k=rng.randint(2, 5))}
    for c in checks.values():
        if c["status"] != "ok" and rng.random() < 0.7:
            c["error"] = rng.choice(("connection refused", "timeout after 5000ms", f"{rng.randint(1, 9)} of 3 replicas unavailable",
                                     "certificate expired", "disk usage 97%"))
    return {"status": "ok" if all(c["status"] == "ok" for c in checks.values()) else "degraded", "version": v.version(rng),
            "uptime_seconds": rng.randint(1, 10**7), "checks": checks}


LAYOUTS = (_resource, _error, _listing, _job, _crash, _health)


def generate_one(rng: random.Random) -> str:
    make = rng.choice(LAYOUTS)
    style = rng.random()
    if style < 0.15:
        # JSON lines: several compact objects, like a log stream or an NDJSON API.
        return "\n".join(json.dumps(make(rng), separators=(",", ":") if rng.random() < 0.5 else (", ", ": "))
                         for _ in range(rng.randint(2, 6)))
    obj = make(rng)
    if style < 0.3:
        return json.dumps(obj)
    return json.dumps(obj, indent=rng.choice((2, 2, 4)))
