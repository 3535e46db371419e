"""The proxy under --budget: each tool result fits, the originals of what it left out are
stored and `tersify retrieve` prints them after the proxy is restarted."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.fake_upstream import FakeUpstream
from support.proxies import fake_upstream, running_proxy

from tersify.budget import original_id
from tersify.cli import main
from tersify.errors import TersifyError
from tersify.proxy.providers import openai_chat
from tersify.proxy.store import PairStore
from tersify.tokens import count_tokens

ROOT = Path(__file__).resolve().parents[1]
LOG = (ROOT / "data" / "loghub" / "HDFS" / "HDFS_2k.log").read_text()
HEADERS = {"authorization": "Bearer sk-test-budget"}
_MARKER = re.compile(r"^\[lines? [0-9-]+ omitted: .*; run: tersify retrieve ([0-9a-f]{12}) --db (\S+) --lines ([0-9-]+)\]$",
                     re.M)


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[FakeUpstream, str]]:
    with fake_upstream() as running:
        yield running


def send(url: str, upstream: FakeUpstream, output: str) -> str:
    body = {"model": "gpt-test", "messages": [
        {"role": "user", "content": "why does the cluster lose blocks?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c0", "type": "function", "function": {"name": "bash", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c0", "content": output}]}
    response = httpx.post(url + "/v1/chat/completions", json=body, headers=HEADERS, timeout=120)
    assert response.status_code == 200
    [text] = [t.text for t in openai_chat(upstream.last().json())]
    return text


def wait_until(condition, timeout: float = 10.0) -> None:
    give_up = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < give_up, "condition not met in time"
        time.sleep(0.02)


def test_results_fit_and_originals_are_retrievable_after_a_restart(fake, tmp_path, capsysbinary):
    upstream, upstream_url = fake
    db = tmp_path / "p.db"
    with running_proxy(upstream_url, db, budget=1200, deadline_s=60.0) as (url, state):
        assert ";budget=1200;retrievable=1" in state.compressor.options
        sent = send(url, upstream, LOG)
        assert count_tokens(sent) <= 1200
        wait_until(lambda: state.store.count() == 1)
        again = send(url, upstream, LOG)  # the decision is kept: the same bytes next turn
        assert again == sent
    markers = _MARKER.findall(sent)
    assert len(markers) > 2 and {(oid, where) for oid, where, _ in markers} == {(original_id(LOG), str(db))}
    with PairStore(db, create=False) as store:  # after the restart
        assert store.originals.get(original_id(LOG)).text == LOG
    lines = LOG.splitlines(keepends=True)
    capsysbinary.readouterr()
    for oid, where, span in markers:  # the command the marker names
        assert main(["retrieve", oid, "--db", where, "--lines", span]) == 0
        first, _, last = span.partition("-")
        assert capsysbinary.readouterr().out == "".join(lines[int(first) - 1 : int(last or first)]).encode()
    # a restarted proxy sends the same bytes
    with running_proxy(upstream_url, db, budget=1200, deadline_s=60.0) as (url, state):
        assert send(url, upstream, LOG) == sent
        assert state.stats.get("decisions_reused") == 1


def test_without_a_log_the_markers_do_not_promise_retrieval(fake, tmp_path):
    upstream, upstream_url = fake
    with running_proxy(upstream_url, tmp_path / "p.db", budget=1200, log=False, deadline_s=60.0) as (url, state):
        sent = send(url, upstream, LOG)
        assert count_tokens(sent) <= 1200
        assert "omitted: " in sent and "tersify retrieve" not in sent
        assert "not stored, cannot be retrieved]" in sent
        with pytest.raises(TersifyError, match="no stored original"):  # nothing kept: nothing promised
            state.store.originals.get(original_id(LOG))
    assert not (tmp_path / "p.db").exists()


def test_with_redaction_no_original_is_stored(fake, tmp_path):
    upstream, upstream_url = fake
    secret_log = LOG.replace("INFO", "INFO token=sk-ant-api03-SECRETSECRETSECRET0000", 3)
    with running_proxy(upstream_url, tmp_path / "p.db", budget=1200, redact=True, deadline_s=60.0) as (url, state):
        sent = send(url, upstream, secret_log)
        assert "not stored, cannot be retrieved]" in sent

    with sqlite3.connect(tmp_path / "p.db") as db:
        assert db.execute("SELECT COUNT(*) FROM originals").fetchone()[0] == 0


def test_no_budget_keeps_the_options_key(fake, tmp_path):
    with running_proxy(fake[1], tmp_path / "p.db", deadline_s=60.0) as (_, state):
        assert "budget" not in state.compressor.options


def test_the_proxy_serves_left_out_lines_by_the_markers_id(fake, tmp_path):
    upstream, upstream_url = fake
    with running_proxy(upstream_url, tmp_path / "p.db", budget=1200, deadline_s=60.0,
                       admin_token="retrieve-token") as (url, state):
        sent = send(url, upstream, LOG)
        wait_until(lambda: state.store.count() == 1)
        oid, _, span = _MARKER.findall(sent)[0]
        token = {"x-tersify-token": "retrieve-token"}
        got = httpx.get(f"{url}/v1/retrieve/{oid}", params={"lines": span}, headers=token)
        first, _, last = span.partition("-")
        assert got.status_code == 200
        assert got.text == "".join(LOG.splitlines(keepends=True)[int(first) - 1 : int(last or first)])
        assert httpx.get(f"{url}/v1/retrieve/{oid}", headers=token).text == LOG
        assert httpx.get(f"{url}/v1/retrieve/{oid}", params={"lines": "9-999999"}, headers=token).status_code == 400
        assert httpx.get(f"{url}/v1/retrieve/abcdef123456", headers=token).status_code == 404
        assert httpx.get(f"{url}/v1/retrieve/{oid}").status_code == 401
