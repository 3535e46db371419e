"""Nothing exposed by default: the pair log's file modes, --no-log, --log-days, --redact, the
admin token of /stats and /v1/retrieve, the Host check, no credentials in any output, routing
by protocol (a key never reaches the other provider), bypass and tool exclusion, upstream
error kinds and graceful shutdown. Everything listens on 127.0.0.1 only."""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import anthropic
import httpx
import openai
import pytest
from support.proxies import build_log, running_proxy

from tersify.compress import compress
from tersify.proxy import ProxyConfig, create_app
from tersify.proxy.app import Proxy
from tersify.proxy.guard import host_allowed, public_url, split_host, token_ok
from tersify.proxy.providers import anthropic_messages
from tersify.proxy.server import serve_in_thread
from tersify.proxy.store import PairStore, content_hash

ANTHROPIC_KEY = "sk-ant-test-KEY-security-0a1b2c"
OPENAI_KEY = "sk-proj-test-KEY-security-3d4e5f"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def proxy(ant, oai, tmp_path_factory) -> Iterator[tuple[str, Proxy]]:
    with running_proxy(ant[1], tmp_path_factory.mktemp("sec") / "pairs.db", openai_url=oai[1],
                       exclude_tools=frozenset({"Read"})) as running:
        yield running


def claude(base_url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=base_url, api_key=ANTHROPIC_KEY, max_retries=0, timeout=30)


def gpt(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url + "/v1", api_key=OPENAI_KEY, max_retries=0, timeout=30)


def tool_request(outputs: dict[str, str]) -> dict:
    """An Anthropic request whose tool results are ``outputs`` (tool name -> text)."""
    uses = [{"type": "tool_use", "id": f"t{i}", "name": name, "input": {}} for i, name in enumerate(outputs)]
    results = [{"type": "tool_result", "tool_use_id": f"t{i}", "content": text}
               for i, text in enumerate(outputs.values())]
    return {"model": "claude-test", "max_tokens": 5, "messages": [
        {"role": "user", "content": "go"}, {"role": "assistant", "content": uses},
        {"role": "user", "content": results}]}


def proxy_log(caplog: pytest.LogCaptureFixture) -> str:
    """What the proxy and its server logged (the test's own clients log their headers at DEBUG)."""
    formatter = logging.Formatter("%(name)s %(message)s")
    return "\n".join(formatter.format(r) for r in caplog.records if r.name.startswith(("tersify", "uvicorn")))


def admin(state: Proxy) -> dict[str, str]:
    return {"authorization": f"Bearer {state.admin_token}"}


# --- the pair log on disk ---

def test_new_log_directory_0700_and_files_0600(tmp_path):
    db = tmp_path / "fresh" / "pairs.db"
    with PairStore(db) as store:
        store.record(provider="anthropic", model=None, tool=None, options="o", original="x" * 40, compressed="x",
                     scorer="s", scorer_version="1", tokens_in=10, tokens_out=1, words_in=1, words_out=1,
                     latency_ms=1.0)
        files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
        assert all(f.exists() for f in files)
        assert mode(db.parent) == 0o700
        assert [mode(f) for f in files] == [0o600] * 3


def test_existing_looser_directory_and_file_are_tightened_or_warned_about(tmp_path, caplog):
    own = tmp_path / "own"
    own.mkdir(mode=0o755)
    os.chmod(own, 0o755)
    (own / "pairs.db").touch(mode=0o644)
    os.chmod(own / "pairs.db", 0o644)  # a log written by an older version
    with PairStore(own / "pairs.db") as store:
        assert store.warnings == []
    assert mode(own) == 0o700 and mode(own / "pairs.db") == 0o600

    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o755)
    (shared / "notes.txt").write_text("someone else's file")
    with caplog.at_level(logging.WARNING, logger="tersify.proxy"), PairStore(shared / "pairs.db") as store:
        assert len(store.warnings) == 1 and "readable by other users" in store.warnings[0]
    assert mode(shared) == 0o755  # not ours alone: left as it is, but said
    assert mode(shared / "pairs.db") == 0o600
    assert "readable by other users" in caplog.text


def test_retention_deletes_old_pairs_and_their_bytes(tmp_path):
    db = tmp_path / "pairs.db"
    with PairStore(db) as store:
        for tag in ("old-one", "old-two", "new-one"):
            store.record(provider="openai", model=None, tool=None, options="o", original=build_log(tag),
                         compressed=f"short {tag}", scorer="s", scorer_version="1", tokens_in=9, tokens_out=2,
                         words_in=9, words_out=2, latency_ms=1.0)
        store._conn.execute("UPDATE pairs SET created_at = created_at - 3 * 86400 WHERE original LIKE '%old-%'")
        assert store.prune(2 * 86400) == 2
        assert [p.original for p in store.pairs()] == [build_log("new-one")]
        assert store.prune(2 * 86400) == 0
    data = b"".join(p.read_bytes() for p in tmp_path.glob("pairs.db*"))
    assert b"worker-new-one" in data and b"worker-old-one" not in data and b"worker-old-two" not in data


def test_log_days_prunes_at_start_up(ant, oai, tmp_path):
    db = tmp_path / "pairs.db"
    with PairStore(db) as store:
        store.record(provider="openai", model=None, tool=None, options="o", original=build_log("stale"),
                     compressed="s", scorer="s", scorer_version="1", tokens_in=9, tokens_out=2, words_in=9,
                     words_out=2, latency_ms=1.0)
        store._conn.execute("UPDATE pairs SET created_at = created_at - 10 * 86400")
    with running_proxy(ant[1], db, openai_url=oai[1], log_days=7) as (_, state):
        deadline = time.monotonic() + 20
        while state.store.count() and time.monotonic() < deadline:  # pruned off the event loop
            time.sleep(0.05)
        assert state.store.count() == 0


def test_no_log_writes_nothing_and_still_compresses_and_caches(ant, oai, tmp_path):
    upstream, _ = ant
    logdir = tmp_path / "logdir"
    log = build_log("nolog")
    with running_proxy(ant[1], logdir / "pairs.db", openai_url=oai[1], log=False) as (url, state):
        request = tool_request({"bash": log})
        claude(url).messages.create(**request)
        [first] = [t.text for t in anthropic_messages(upstream.last().json())]
        claude(url).messages.create(**request)
        assert upstream.last().body and [t.text for t in anthropic_messages(upstream.last().json())] == [first]
        assert first == compress(log).text
        assert state.stats.get("decisions_reused") == 1
        assert httpx.get(url + "/stats", headers=admin(state)).json()["db"] is None
    assert not logdir.exists() and list(tmp_path.iterdir()) == []


def test_redact_changes_only_the_logged_copy(ant, oai, tmp_path):
    upstream, _ = ant
    key = "sk-ant-api03-" + "Zq8vN3xK1pL9mR2tY6wB4cH7jD0fG5sA" * 2
    log = build_log("redact") + f"export ANTHROPIC_API_KEY={key}\nDB_PASSWORD=hunter2-Correct-Horse\n"
    with running_proxy(ant[1], tmp_path / "pairs.db", openai_url=oai[1], redact=True) as (url, state):
        claude(url).messages.create(**tool_request({"bash": log}))
        [sent] = [t.text for t in anthropic_messages(upstream.last().json())]
        assert sent == compress(log).text and key in sent  # upstream gets the compression, unredacted
        [pair] = list(state.store.pairs())
        assert key not in pair.original and "hunter2" not in pair.original and "[REDACTED]" in pair.original
        assert key not in pair.compressed and pair.original_hash == content_hash(log)
        claude(url).messages.create(**tool_request({"bash": log}))  # the cache serves the exact output
        assert [t.text for t in anthropic_messages(upstream.last().json())] == [sent]
        retrieved = httpx.get(f"{url}/v1/retrieve/{content_hash(log)}", headers=admin(state))
        assert retrieved.status_code == 200 and key not in retrieved.text
    data = b"".join(p.read_bytes() for p in tmp_path.glob("pairs.db*"))
    assert key.encode() not in data and b"hunter2" not in data
    with PairStore(tmp_path / "pairs.db") as store:  # after a restart a redacted copy is never sent
        assert store.cached(content_hash(log), state.compressor.options) is None


# --- admin endpoints ---

def test_stats_and_retrieve_need_the_token(proxy):
    url, state = proxy
    assert state.admin_token and len(state.admin_token) >= 32
    assert httpx.get(url + "/healthz").status_code == 200
    for path in ("/stats", f"/v1/retrieve/{'0' * 64}"):
        denied = httpx.get(url + path)
        assert denied.status_code == 401 and denied.json()["error"]["type"] == "authentication_error"
        assert httpx.get(url + path, headers={"authorization": "Bearer wrong"}).status_code == 401
        assert httpx.get(url + path, headers={"x-tersify-token": state.admin_token[:-1]}).status_code == 401
    assert httpx.get(url + "/stats", headers=admin(state)).status_code == 200
    assert httpx.get(url + "/stats", headers={"x-tersify-token": state.admin_token}).status_code == 200
    assert token_ok({"authorization": "bearer  tok "}, "tok") and not token_ok({}, "tok")


def test_admin_token_option_and_no_admin(ant, oai, tmp_path):
    upstream, _ = ant
    with running_proxy(ant[1], tmp_path / "a.db", openai_url=oai[1], admin_token="chosen-token") as (url, state):
        assert state.admin_token == "chosen-token"
        assert httpx.get(url + "/stats", headers={"x-tersify-token": "chosen-token"}).status_code == 200
    with running_proxy(ant[1], tmp_path / "b.db", openai_url=oai[1], admin=False) as (url, state):
        seen = len(upstream.received)
        assert state.admin_token is None
        for path in ("/stats", f"/v1/retrieve/{'0' * 64}"):
            assert httpx.get(url + path, headers={"x-api-key": ANTHROPIC_KEY}).status_code == 404
        assert len(upstream.received) == seen  # not forwarded either
        assert httpx.get(url + "/healthz").status_code == 200


# --- Host header (DNS rebinding) ---

def test_foreign_host_header_is_refused_everywhere(ant, proxy):
    upstream, _ = ant
    url, state = proxy
    port = int(url.rsplit(":", 1)[1])
    seen = len(upstream.received)
    for path, method in (("/healthz", "GET"), ("/stats", "GET"), ("/v1/messages", "POST"), ("/v1/models", "GET")):
        for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1:{port + 1}", f"localhost.evil.example:{port}"):
            response = httpx.request(method, url + path, headers={"host": host, **admin(state),
                                                                   "x-api-key": ANTHROPIC_KEY})
            assert response.status_code == 421, (path, host)
            assert response.json()["error"]["type"] == "misdirected_request"
    assert len(upstream.received) == seen
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LOCALHOST.:{port}"):
        assert httpx.get(url + "/healthz", headers={"host": host}).status_code == 200


def test_host_parsing():
    assert split_host("[::1]:8787") == ("::1", 8787) and split_host("Example.COM.") == ("example.com", None)
    assert split_host("::1") is None and split_host("a:b") is None and split_host("[::1]x") is None
    names = {"127.0.0.1", "localhost", "::1"}
    assert host_allowed("localhost:8787", ("127.0.0.1", 8787), names)
    assert not host_allowed("localhost:8788", ("127.0.0.1", 8787), names)
    assert host_allowed("localhost", ("127.0.0.1", 80), names)
    assert host_allowed("192.168.1.5:8787", ("192.168.1.5", 8787), names)  # --host 0.0.0.0: the address used
    assert not host_allowed(None, ("127.0.0.1", 8787), names)
    assert host_allowed("localhost", ("/run/tersify.sock", None), names)  # a unix socket: no port to match


# --- no credentials in any output ---

def test_stats_and_errors_show_no_upstream_credentials(tmp_path, caplog):
    upstream_url = "http://user:upstream-PASSWORD@127.0.0.1:9/base?key=query-SECRET"
    assert public_url(upstream_url) == "http://127.0.0.1:9/base"
    config = ProxyConfig(anthropic_upstream=upstream_url, openai_upstream=upstream_url, db=tmp_path / "p.db")
    app = create_app(config)
    with caplog.at_level(logging.DEBUG), serve_in_thread(app) as server:
        state = app.state.proxy
        stats = httpx.get(server.url + "/stats", headers=admin(state)).text
        failed = httpx.post(server.url + "/v1/messages", json={"model": "m", "messages": []},
                            headers={"x-api-key": ANTHROPIC_KEY})
    assert failed.status_code == 502 and "cannot reach http://127.0.0.1:9" in failed.text
    for secret in ("upstream-PASSWORD", "query-SECRET", ANTHROPIC_KEY):
        assert secret not in stats and secret not in failed.text and secret not in proxy_log(caplog)


def test_log_messages_carry_no_headers(ant, proxy, monkeypatch, caplog):
    url, _ = proxy

    def broken(*args, **kwargs):
        raise RuntimeError("scorer crashed")

    monkeypatch.setattr("tersify.proxy.compressor.compress", broken)
    with caplog.at_level(logging.DEBUG):
        claude(url).messages.create(**tool_request({"bash": build_log("broken")}), extra_headers={
            "x-session-token": "tok-SESSION-77"})
    logged = proxy_log(caplog)
    assert "compression failed" in logged and "scorer crashed" in logged  # the failure is logged...
    for secret in (ANTHROPIC_KEY, "tok-SESSION-77", "x-api-key"):
        assert secret not in logged  # ...without the request's headers


def test_proxy_command_prints_a_generated_token_once_with_a_curl(tmp_path, monkeypatch, capsys):
    from tersify.cli import main

    served = {}
    monkeypatch.setattr("tersify.proxy.server.serve",
                        lambda app, host, port, **kw: served.update(app=app, grace=kw["shutdown_grace_s"]))
    assert main(["proxy", "--db", str(tmp_path / "p.db"), "--port", "8799", "--shutdown-grace", "7",
                 "--exclude-tool", "Read", "--exclude-tool", "Glob", "--log-days", "3", "--redact"]) == 0
    state = served["app"].state.proxy
    err = capsys.readouterr().err
    assert f"admin token: {state.admin_token}\n" in err
    assert f'curl -s -H "Authorization: Bearer {state.admin_token}" http://127.0.0.1:8799/stats\n' in err
    assert err.count(state.admin_token) == 2 and served["grace"] == 7
    config = state.config
    assert config.exclude_tools == {"Read", "Glob"} and config.log_days == 3 and config.redact and config.log
    assert main(["proxy", "--db", str(tmp_path / "p.db"), "--no-admin", "--no-log"]) == 0
    assert served["app"].state.proxy.admin_token is None and served["app"].state.proxy.store.in_memory
    assert "are off (--no-admin)" in capsys.readouterr().err
