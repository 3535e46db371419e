"""The pair log (SQLite, WAL) and the commands around it: `tersify logs export|stats`, `tersify proxy`."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tersify.cli import main
from tersify.proxy.store import PairStore, content_hash
from tersify_train.sources.pairs import load_pairs
from tersify_train.sources.records import PairRecord

ROOT = Path(__file__).resolve().parents[1]


def add(store: PairStore, original: str, compressed: str, *, tool: str | None = "bash",
        provider: str = "anthropic", options: str = "scorer=baseline@0.1.0;rate=None") -> None:
    store.record(provider=provider, model="claude-test", tool=tool, options=options, original=original,
                 compressed=compressed, scorer="baseline", scorer_version="0.1.0", tokens_in=len(original) // 4,
                 tokens_out=len(compressed) // 4, words_in=len(original.split()),
                 words_out=len(compressed.split()), latency_ms=1.5)


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "pairs.db"
    with PairStore(path) as store:
        add(store, "the build has failed with exit code 2 in src/main.c:14", "build failed exit code 2 src/main.c:14")
        add(store, "it is not the case that 3 tests passed", "not 3 tests passed", tool=None, provider="openai")
        add(store, "the build has failed with exit code 2 in src/main.c:14", "build failed 2 src/main.c:14",
            options="scorer=model@2;rate=0.5")
    return path


def test_store_is_wal_and_serves_cache_registry_and_retrieval(db):
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with PairStore(db) as store:
        original = "the build has failed with exit code 2 in src/main.c:14"
        assert store.cached(content_hash(original), "scorer=baseline@0.1.0;rate=None") == (
            "build failed exit code 2 src/main.c:14")
        assert store.cached(content_hash(original), "scorer=other;rate=None") is None
        assert store.is_output(content_hash("not 3 tests passed"))
        assert not store.is_output(content_hash(original))
        assert store.original(content_hash("it is not the case that 3 tests passed")) == (
            "it is not the case that 3 tests passed")
        assert store.original(content_hash("not 3 tests passed")) is None  # an output's hash retrieves nothing
        assert store.original("f" * 64) is None
        add(store, original, "something else")  # same original and options: the first output stays
        assert store.count() == 3


def test_logs_export_writes_pair_records(db, tmp_path, capsys):
    out = tmp_path / "pairs.jsonl"
    assert main(["logs", "export", "--db", str(db), "--out", str(out)]) == 0
    assert "wrote 2 pair records" in capsys.readouterr().err
    records = [PairRecord(**json.loads(line)) for line in out.read_text().splitlines()]
    # one record per original: its latest compression
    assert [(r.text, r.reference, r.domain, r.source) for r in records] == [
        ("it is not the case that 3 tests passed", "not 3 tests passed", "proxy", "proxy:openai"),
        ("the build has failed with exit code 2 in src/main.c:14", "build failed 2 src/main.c:14", "proxy",
         "proxy:anthropic"),
    ]
    assert all(r.id and r.id.startswith("proxy-") for r in records)
    assert load_pairs(out, strict=True) == records  # the training data loader takes the file as it is
    assert main(["logs", "export", "--db", str(db), "--out", "-", "--domain", "tool"]) == 0
    domains = [json.loads(line)["domain"] for line in capsys.readouterr().out.splitlines()]
    assert domains == ["proxy", "bash"]
    assert out.stat().st_mode & 0o777 == 0o600  # raw tool outputs, as private as the pair log


def test_logs_export_parquet_shards_feed_the_batch_steps(db, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    from tersify_train.scale.shards import read_rows

    jsonl, shards = tmp_path / "pairs.jsonl", tmp_path / "shards"
    assert main(["logs", "export", "--db", str(db), "--out", str(jsonl)]) == 0
    assert main(["logs", "export", "--db", str(db), "--out", str(shards), "--format", "parquet",
                 "--shard-records", "1"]) == 0
    assert "2 Parquet shards" in capsys.readouterr().err
    assert sorted(p.name for p in shards.iterdir()) == ["part-00000.parquet", "part-00001.parquet"]
    assert shards.stat().st_mode & 0o777 == 0o700 and all(p.stat().st_mode & 0o777 == 0o600 for p in shards.iterdir())
    assert read_rows([shards]) == read_rows([jsonl])
    assert main(["logs", "export", "--db", str(db), "--out", str(shards), "--format", "parquet"]) == 0
    assert [p.name for p in shards.iterdir()] == ["part-00000.parquet"]  # the longer export's shard is gone
    assert main(["data", "label", str(shards), "--out", str(tmp_path / "labelled.jsonl")]) == 0
    assert len(load_pairs(tmp_path / "labelled.jsonl", quiet=True)) == 2


def test_logs_stats(db, capsys):
    assert main(["logs", "stats", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "pairs       3" in out and "anthropic 2" in out and "saved" in out
    assert main(["logs", "stats", "--db", str(db), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["pairs"] == 3 and summary["provider"]["openai"]["pairs"] == 1
    assert summary["tool"]["?"]["pairs"] == 1


def test_logs_errors_are_one_line(tmp_path, capsys):
    assert main(["logs", "stats", "--db", str(tmp_path / "missing.db")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tersify: error:") and "no such pair log" in err and err.count("\n") == 1
    assert not (tmp_path / "missing.db").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_proxy_command_serves_and_reports_a_busy_port(tmp_path):
    port = _free_port()
    command = [sys.executable, "-m", "tersify", "proxy", "--port", str(port), "--db", str(tmp_path / "p.db"),
               "--anthropic-upstream", "http://127.0.0.1:9", "--openai-upstream", "http://127.0.0.1:9/v1",
               "--admin-token", "test-admin-token"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(300):  # up to ~30 s on a busy machine
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the proxy did not start")
        stats_url = f"http://127.0.0.1:{port}/stats"
        assert httpx.get(stats_url).status_code == 401
        stats = httpx.get(stats_url, headers={"x-tersify-token": "test-admin-token"}).json()
        assert stats["upstreams"]["openai"] == "http://127.0.0.1:9"
        busy = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=60)
        assert busy.returncode == 2
        assert busy.stderr.decode().strip().splitlines()[-1].startswith(f"tersify: error: cannot listen on 127.0.0.1:{port}")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert b"ANTHROPIC_BASE_URL=http://127.0.0.1:" in err and b"Traceback" not in err
    assert b"test-admin-token" not in err  # a token the user chose is not echoed
    assert b"admin token: the one given" in err and b"/stats" in err


def test_proxy_command_rejects_bad_options(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["proxy", "--rate", "2"])
    assert exit_.value.code == 2
    assert "rate must be above 0 and at most 1" in capsys.readouterr().err
    assert main(["proxy", "--openai-upstream", "api.openai.com", "--db", "/nonexistent-dir/x.db"]) == 2


def test_logs_export_undoes_compaction_and_leaves_out_budget_outputs(tmp_path, capsys):
    from tersify import compress

    log = "".join(f"2024-05-01 12:00:{i:02d} worker INFO request {i} served in {i * 3} ms\n" for i in range(40))
    compacted = compress(log).text
    assert compacted != log and "[" in compacted  # written with a compaction marker
    budgeted = compress(log, budget=80).text
    assert " omitted: " in budgeted
    db, out = tmp_path / "pairs.db", tmp_path / "pairs.jsonl"
    with PairStore(db) as store:
        add(store, log, compacted)
        add(store, log + "more\n", budgeted)
    assert main(["logs", "export", "--db", str(db), "--out", str(out)]) == 0
    assert "left out 1 pairs" in capsys.readouterr().err
    [record] = load_pairs(out, strict=True)  # extractive: the loader keeps it
    assert record.text == log and record.reference == log  # log lines lose no words
