"""The CLI on big and odd inputs: pieces, binary input, a terminal with nothing piped in."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tersify import compress
from tersify.io import decode

ROOT = Path(__file__).resolve().parents[1]
LOGS = sorted((ROOT / "data" / "loghub").glob("*/*_2k.log"))


def run_cli(*args: str, stdin: bytes | int | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    kwargs = {"stdin": stdin} if isinstance(stdin, int) else {"input": stdin}
    return subprocess.run([sys.executable, "-m", "tersify", *args], capture_output=True, cwd=ROOT,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)}, **kwargs)


@pytest.fixture(scope="module")
def odd_log() -> bytes:
    """Real logs with CRLF lines, undecodable bytes, marker-like lines and no final newline."""
    head = LOGS[0].read_bytes()[:60000] + LOGS[1].read_bytes()[:60000]
    odd = b"\xff\xfe not utf-8\r\n[previous line repeated 2 more times]\n\\[JSON minified from tab indent]\n" * 5
    return head + odd + b"same line\n" * 400 + b"last line, no newline"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_lossless_in_pieces_expands_to_the_exact_bytes(tmp_path, odd_log, jobs):
    src = tmp_path / "in.log"
    src.write_bytes(odd_log)
    proc = run_cli("compress", str(src), "--lossless", "--piece-size", "20000", "--jobs", jobs)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout) < len(odd_log)
    back = run_cli("expand", stdin=proc.stdout)
    assert back.returncode == 0, back.stderr
    assert back.stdout == odd_log


def test_default_mode_in_pieces_with_stats(odd_log):
    proc = run_cli("compress", "-", "--piece-size", "30000", "--scorer", "baseline", "--stats", stdin=odd_log)
    assert proc.returncode == 0, proc.stderr
    assert b"last line, no newline" in proc.stdout and not proc.stdout.endswith(b"\n")
    # The pieces' statistics add up to the input's.
    lines = odd_log.count(b"\n") + 1
    assert f"lines {lines} -> " in proc.stderr.decode()


def test_an_input_of_one_piece_is_as_before():
    text = LOGS[2].read_bytes()
    proc = run_cli("compress", str(LOGS[2]), "--scorer", "baseline")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == compress(decode(text), scorer="baseline").text.encode("utf-8", "surrogateescape")


def test_binary_input_passes_through_unchanged_with_a_note():
    data = Path(sys.executable).read_bytes()[:300000]
    proc = run_cli("compress", "-", stdin=data)
    assert proc.returncode == 0
    assert proc.stdout == data
    err = proc.stderr.decode()
    assert err.startswith("tersify: input looks binary (") and err.endswith("; passed through unchanged\n")
    assert err.count("\n") == 1


def test_binary_input_refused_on_request():
    proc = run_cli("compress", "--binary=error", "-", stdin=b"\x00\x01\x02\x03" * 100)
    assert proc.returncode == 2 and proc.stdout == b""
    err = proc.stderr.decode()
    assert "input looks binary" in err and "Traceback" not in err and err.count("\n") == 1


def test_binary_input_with_json_is_an_error_not_raw_bytes():
    proc = run_cli("compress", "--json", "-", stdin=b"\x00\x01\x02\x03" * 100)
    assert proc.returncode == 2 and proc.stdout == b""
    assert "--json describes a compression" in proc.stderr.decode()


@pytest.mark.parametrize("command", ["compress", "expand"])
def test_a_terminal_with_nothing_piped_in_gets_a_hint(command):
    import pty

    leader, follower = pty.openpty()
    try:
        proc = run_cli(command, stdin=follower, timeout=60)
    finally:
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 2
    assert "standard input is a terminal" in proc.stderr.decode() and f"tersify {command}" in proc.stderr.decode()


def test_expand_streams_a_big_input(tmp_path):
    data = b"".join(LOGS[i].read_bytes() for i in range(3)) * 2
    src = tmp_path / "in.log"
    src.write_bytes(data)
    packed = run_cli("compress", str(src), "--lossless", "--piece-size", "100000")
    assert packed.returncode == 0, packed.stderr
    (tmp_path / "packed").write_bytes(packed.stdout)
    back = run_cli("expand", str(tmp_path / "packed"))
    assert back.returncode == 0 and back.stdout == data


def test_lines_longer_than_pieces_round_trip():
    data = (b"head\n" + b"word " * 4000 + b"\n" + b"[" + b"x" * 9000 + b"]\n" + b"tail 1\ntail 2\ntail 3\n") * 3
    proc = run_cli("compress", "-", "--lossless", "--piece-size", "1000", "--jobs", "1", stdin=data)
    assert proc.returncode == 0, proc.stderr
    back = run_cli("expand", stdin=proc.stdout)
    assert back.returncode == 0 and back.stdout == data


def test_an_over_long_line_passed_through_is_said():
    data = b"short line\n" * 50 + b"y" * 3_000_000 + b"\n" + b"short line\n" * 50
    proc = run_cli("compress", "--piece-size", "100000", "--jobs", "1", "-", stdin=data)
    assert proc.returncode == 0, proc.stderr
    assert b"y" * 3_000_000 in proc.stdout
    assert b"passed through unchanged" in proc.stderr and b"longer than 4 pieces" in proc.stderr
