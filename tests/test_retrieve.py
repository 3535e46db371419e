"""The store of originals and `tersify retrieve`: byte-exact lines, after a restart too."""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tersify.budget import original_id
from tersify.errors import TersifyError
from tersify.proxy.store import PairStore

ROOT = Path(__file__).resolve().parents[1]
HDFS = ROOT / "data" / "loghub" / "HDFS" / "HDFS_2k.log"
# The id, what else the command names (--db PATH for a store not at the default place), the range.
_MARKER = re.compile(rb"^\[lines? [0-9-]+ omitted: .*; run: tersify retrieve ([0-9a-f]{12})((?: --db \S+)?) --lines ([0-9-]+)\]$")


def run_cli(*args: str, db: Path, stdin: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {**os.environ, "TERSIFY_DB": str(db), **(env or {})}
    return subprocess.run([sys.executable, "-m", "tersify", *args], input=stdin, capture_output=True, cwd=ROOT,
                          timeout=300, env=environ)


def lines_of(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) if b"\r" not in data else [
        part + b"\n" for part in data.split(b"\n")[:-1]] + ([data.split(b"\n")[-1]] if not data.endswith(b"\n") else [])


def test_store_put_get_prefix_and_errors(tmp_path: Path) -> None:
    db = tmp_path / "s" / "proxy.db"
    with PairStore(db) as store:
        text = "a\r\nb\n\udcff c"  # CRLF, an undecodable byte, no final newline
        oid = store.originals.put(text)
        assert oid == original_id(text) and len(oid) == 12
        assert store.originals.put(text) == oid  # idempotent
        assert store.originals.get(oid[:6]).text == text
        with pytest.raises(TersifyError, match="not an original's id"):
            store.originals.get("abc")
        with pytest.raises(TersifyError, match="no stored original"):
            store.originals.get("0" * 12 if not oid.startswith("0" * 6) else "f" * 12)
        # Two ids sharing a prefix: the prefix is ambiguous, a longer one is not.
        with store._lock:
            for suffix in ("aaaaaa", "bbbbbb"):
                store._conn.execute("INSERT INTO originals VALUES (?, ?, ?, 0, 0, 1)", ("abcdef" + suffix, "x", b"x"))
        with pytest.raises(TersifyError, match="ambiguous"):
            store.originals.get("abcdef")
        assert store.originals.get("abcdefa").text == "x"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    with PairStore(db, create=False) as again:  # a restart: still there
        assert again.originals.get(oid).text == text


def test_the_cap_evicts_the_least_recently_used(tmp_path: Path) -> None:
    with PairStore(tmp_path / "p.db", originals_max_bytes=2500) as store:
        ids = [store.originals.put(f"{i}\n" + "x" * 1000) for i in range(2)]
        store.originals.get(ids[0])  # used: now the most recent
        third = store.originals.put("2\n" + "y" * 1000)
        assert store.originals.total_bytes() <= 2500
        assert store.originals.get(ids[0]) and store.originals.get(third)
        with pytest.raises(TersifyError, match="evicted"):
            store.originals.get(ids[1])
        assert store.originals.put("z" * 3000) is None  # over the cap on its own: not stored


def test_cli_budget_stores_and_every_range_comes_back_byte_exact(tmp_path: Path) -> None:
    base = HDFS.read_bytes().replace(b"\n", b"\r\n")
    half = base.index(b"\r\n", len(base) // 2) + 2
    data = base[:half] + b"\xff\xfe not utf-8 WARN x\r\n" + base[half:].rstrip(b"\r\n")
    db = tmp_path / "db" / "proxy.db"
    proc = run_cli("compress", "--budget", "1500", "--lossless", "-", db=db, stdin=data)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.split(b"\n")
    markers = [m for m in (_MARKER.match(line) for line in out) if m]
    assert len(markers) > 3
    original = lines_of(data)
    for match in markers:
        oid, where, span = match.group(1).decode(), match.group(2).decode(), match.group(3).decode()
        assert where == f" --db {db.resolve()}"  # the command works in a shell without $TERSIFY_DB
        first, _, last = span.partition("-")
        # the marker's command as written, a new process each time (a restart), another $TERSIFY_DB
        got = run_cli("retrieve", oid, *shlex.split(where), "--lines", span, db=tmp_path / "elsewhere.db")
        assert got.returncode == 0, got.stderr
        assert got.stdout == b"".join(original[int(first) - 1 : int(last or first)])
    whole = run_cli("retrieve", markers[0].group(1).decode()[:6], db=db)
    assert whole.stdout == data
    grep = run_cli("retrieve", markers[0].group(1).decode(), "--grep", "not utf-8", db=db)
    assert grep.stdout == b"\xff\xfe not utf-8 WARN x\r\n"
    bad = run_cli("retrieve", markers[0].group(1).decode(), "--lines", "5-99999", db=db)
    assert bad.returncode == 2 and b"the original has" in bad.stderr and bad.stderr.count(b"\n") == 1


def test_cli_no_store_and_no_budget_write_nothing(tmp_path: Path) -> None:
    db = tmp_path / "db" / "proxy.db"
    proc = run_cli("compress", "--budget", "800", "--no-store", str(HDFS), db=db)
    assert proc.returncode == 0, proc.stderr
    assert b"not stored, cannot be retrieved]" in proc.stdout and b"tersify retrieve" not in proc.stdout
    assert run_cli("compress", str(HDFS), db=db).returncode == 0
    assert not db.exists()
    unknown = run_cli("retrieve", "abcdef", db=db)
    assert unknown.returncode == 2 and b"no originals are stored here" in unknown.stderr
