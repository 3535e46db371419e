"""Budget mode on an input read in pieces: within the budget, every kind of error shown,
every marker's range retrievable byte-exact by the input's own line numbers."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tersify import compress, expand
from tersify.budget import original_id
from tersify.budget.markers import Omitted
from tersify.budget.stage import Shown
from tersify.budget.streamed import Candidate
from tersify.io import decode, encode
from tersify.proxy.originals import retrieve_ref
from tersify.tokens import count_tokens

ROOT = Path(__file__).resolve().parents[1]
LOGS = sorted((ROOT / "data" / "loghub").glob("*/*_2k.log"))
MARKER = re.compile(rb"^\[lines? ([0-9]+)(?:-([0-9]+))? omitted: [^\n]*\]$")
RETRIEVE = re.compile(rb"; run: tersify retrieve ([0-9a-f]{12})((?: --db \S+)?) --lines ([0-9-]+)\]$")
# Error lines of kinds seen once each, planted in different pieces.
PLANTED = [
    b"FATAL: kernel panic in module zfs_arc_reclaim (code 0x7e)",
    b"ERROR Traceback: ValueError: invalid literal for int() with base 10: 'abc'",
    b"WARNING: certificate for api.example.org expires in 3 days",
    b"Segmentation fault (core dumped) ./bin/indexer --rebuild",
    b"connection refused by 10.0.0.7:5432 after 3 retries",
]


def run_cli(*args: str, db: Path, stdin: bytes) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERSIFY_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "tersify", *args], input=stdin, capture_output=True, cwd=ROOT,
                          timeout=300, env=env)


def lines_of(data: bytes) -> list[bytes]:
    parts = data.split(b"\n")
    return [p + b"\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


@pytest.fixture(scope="module")
def big_log() -> bytes:
    """Real logs (about 240 KB), CRLF and undecodable lines in the middle, errors of rare kinds
    planted through it, no final newline."""
    chunks = [log.read_bytes()[:40000] for log in LOGS[:6]]
    chunks.insert(3, b"\xff\xfe not utf-8\r\nwindows line\r\n" * 20)
    body = b"".join(c if c.endswith(b"\n") else c + b"\n" for c in chunks)
    lines = body.split(b"\n")
    step = len(lines) // (len(PLANTED) + 1)
    for k, planted in enumerate(PLANTED):
        lines.insert((k + 1) * step, planted)
    return b"\n".join(lines).rstrip(b"\n")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_pieces_fit_show_every_error_kind_and_retrieve_exactly(tmp_path: Path, big_log: bytes, jobs: str) -> None:
    db = tmp_path / "db" / "proxy.db"
    budget = 3000
    proc = run_cli("compress", "-", "--budget", str(budget), "--piece-size", "30000", "--jobs", jobs, "--stats",
                   db=db, stdin=big_log)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert count_tokens(decode(out)) <= budget
    for planted in PLANTED:
        assert planted in out.split(b"\n"), planted
    assert b"lines left out" in proc.stderr
    original = lines_of(big_log)
    oid = original_id(decode(big_log))
    spans = []
    for line in out.split(b"\n"):
        marker = MARKER.match(line)
        if marker is None:
            continue
        how = RETRIEVE.search(line)
        assert how is not None and how.group(1).decode() == oid
        first, last = int(marker.group(1)), int(marker.group(2) or marker.group(1))
        spans.append((first, last))
        # the command as the marker writes it (it names the store), run elsewhere's $TERSIFY_DB
        got = run_cli("retrieve", oid, *shlex.split(how.group(2).decode()), "--lines", how.group(3).decode(),
                      db=db.parent / "elsewhere.db", stdin=b"")
        assert got.returncode == 0, got.stderr
        assert got.stdout == b"".join(original[first - 1 : last])
    assert len(spans) > 3
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))  # in order, apart
    whole = run_cli("retrieve", oid, db=db, stdin=b"")
    assert whole.stdout == big_log


def test_no_store_in_pieces_says_so_and_writes_nothing(tmp_path: Path, big_log: bytes) -> None:
    db = tmp_path / "db" / "proxy.db"
    proc = run_cli("compress", "-", "--budget", "600", "--piece-size", "50000", "--jobs", "1", "--no-store",
                   db=db, stdin=big_log)
    assert proc.returncode == 0, proc.stderr
    assert b"not stored, cannot be retrieved]" in proc.stdout and b"tersify retrieve" not in proc.stdout
    assert count_tokens(decode(proc.stdout)) <= 600
    assert not db.exists()


def test_an_input_of_one_piece_is_budgeted_as_before(tmp_path: Path) -> None:
    data = LOGS[0].read_bytes()
    db = tmp_path / "db" / "proxy.db"
    proc = run_cli("compress", "-", "--budget", "700", "--scorer", "baseline", db=db, stdin=data)
    text = decode(data)
    expected = compress(text, budget=700, scorer="baseline", retrieve_id=retrieve_ref(original_id(text), db)).text
    assert proc.returncode == 0 and decode(proc.stdout) == expected


def test_ranges_left_out_by_pieces_merge_into_one_marker() -> None:
    candidate = Candidate(64, count_tokens)
    first = [Shown("first line", 0, 1), Omitted(1, 40, kinds=2, errors=3, kind_keys=frozenset({1, 2})),
             Shown("x " * 200, 40, 41)]
    candidate.add(first, 41)
    candidate.add([Omitted(41, 90, kinds=2, errors=1, kind_keys=frozenset({2, 3})), Shown("last line", 90, 91),
                   Shown("", 91, 91, end=True)], 91)
    text, omitted = candidate.output("abcdef012345", 91)
    assert text.split("\n")[0] == "first line" and text.endswith("last line\n")
    assert omitted == [Omitted(1, 90, kinds=3, errors=4)]  # the long line went; kind 2 counted once
    assert "[lines 2-90 omitted: 89 lines (4 error/warning), 3 kinds; run: tersify retrieve abcdef012345" in text
    assert count_tokens(text) <= 64


def test_lossless_in_pieces_shown_and_left_out_lines_make_the_input(tmp_path: Path, big_log: bytes) -> None:
    """Each marker's range put back (lossless: no line is hidden otherwise), expand gives the input."""
    proc = run_cli("compress", "-", "--budget", "2000", "--lossless", "--piece-size", "30000", "--jobs", "1",
                   "--no-store", db=tmp_path / "proxy.db", stdin=big_log)
    assert proc.returncode == 0, proc.stderr
    original = lines_of(big_log)
    back = []
    for line in proc.stdout.split(b"\n"):
        marker = MARKER.match(line)
        if marker is None:
            back.append(line)
        else:
            first, last = int(marker.group(1)), int(marker.group(2) or marker.group(1))
            back.append(b"".join(original[first - 1 : last]).removesuffix(b"\n"))
    assert len(back) > 10 and count_tokens(decode(proc.stdout)) <= 2000
    assert encode(expand(decode(b"\n".join(back)))) == big_log


def test_put_file_stores_as_put_does(tmp_path: Path) -> None:
    import hashlib
    import io

    from tersify.proxy.store import PairStore

    text = "a\r\nb\n\udcff c"  # CRLF, an undecodable byte, no final newline
    data = text.encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(data).hexdigest()
    with PairStore(tmp_path / "p.db", originals_max_bytes=64) as store:
        oid = store.originals.put_file(io.BytesIO(data), len(data), digest)
        assert oid == original_id(text) and store.originals.get(oid).text == text
        assert store.originals.put(text) == oid  # the same row
        assert store.originals.put_file(io.BytesIO(data), len(data), digest) == oid
        assert store.originals.put_file(io.BytesIO(b"x" * 65), 65, hashlib.sha256(b"x" * 65).hexdigest()) is None
