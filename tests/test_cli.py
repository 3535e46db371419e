import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tersify.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "pytest_failures.txt"


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tersify", *args], input=stdin, capture_output=True,
                          cwd=ROOT, timeout=120)


def test_compress_sample_file_with_stats():
    proc = run_cli("compress", str(SAMPLE), "--stats")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "test_discount_rounding[5-50-3]" in out and "assert 2 == 3" in out
    stats = proc.stderr.decode()
    assert "must-keep spans kept" in stats and "o200k_base" in stats
    tokens_in, tokens_out = map(int, re.search(r"tokens (\d+) -> (\d+)", stats).groups())
    assert tokens_out < tokens_in
    # Loading the model and the encoding is reported apart from the time spent compressing.
    assert "compressed in" in stats and "(scorer and token encoding loaded in" in stats
    assert len(out) < SAMPLE.stat().st_size


def test_lossless_then_expand_gives_the_exact_bytes_back(tmp_path):
    data = SAMPLE.read_bytes() + b"\xff\xfe not utf-8\r\n[previous line repeated 2 more times]\n" * 3
    proc = run_cli("compress", "-", "--lossless", stdin=data)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout != data
    back = run_cli("expand", "-", stdin=proc.stdout)
    assert back.returncode == 0, back.stderr
    assert back.stdout == data


def test_show_marks_what_happened():
    proc = run_cli("compress", str(SAMPLE), "--show")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "dropped word" in out and "compacted (reversible: tersify expand)" in out
    assert "noise words removed first" in out and "[ 20%]" not in out
    assert "test_discount_rounding[5-50-3]" in out and "assert 2 == 3" in out


def test_show_through_a_pipe_marks_dropped_words_in_text():
    proc = run_cli("compress", str(ROOT / "samples" / "git_show.txt"), "--show")  # stdout is a pipe here
    out = proc.stdout.decode()
    assert "[-dropped word-]" in out and "[-the-]" in out
    # the marked text is the output with its dropped words shown: unmarking gives the input's line back
    line = next(line for line in out.splitlines() if "nightly sync" in line)
    assert re.sub(r"\[-(.*?)-\]", r"\1", line).strip() == "causing the nightly sync to fail. This change makes the " \
        "client retry up to 3 times and"


def test_stdin_and_json_output():
    proc = run_cli("compress", "-", "--json", "--rate", "0.5", stdin=b"the exit code was 139 and it did not work\n")
    assert proc.returncode == 0
    payload = json.loads(proc.stdout)
    assert "139" in payload["text"] and "not" in payload["text"]
    assert payload["stats"]["rate_target"] == 0.5


def test_non_utf8_bytes_round_trip_through_the_cli():
    raw = b"exit 139 \xff\xfe bad\n"
    proc = run_cli("compress", "-", "--rate", "1", stdin=raw)
    assert proc.returncode == 0
    assert proc.stdout == raw


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compress", "/no/such/file"], "no such file"),
        (["compress", "."], "is a directory"),
        (["compress", "--rate", "1.5"], "rate must be between 0 and 1"),
        (["compress", "--rate", "abc"], "rate must be a number"),
        (["compress", "--threshold", "-1"], "threshold must be between 0 and 1"),
        (["compress", "--categories", "number,bogus"], "unknown must-keep category 'bogus'"),
        (["compress", "--scorer", "bogus"], "unknown scorer 'bogus'"),
    ],
)
def test_errors_are_one_line_without_traceback(args, message):
    proc = run_cli(*args, stdin=b"x")
    err = proc.stderr.decode()
    assert proc.returncode != 0
    assert message in err
    assert "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path):
    f = tmp_path / "secret.log"
    f.write_text("x")
    f.chmod(0)
    proc = run_cli("compress", str(f))
    assert proc.returncode != 0 and "permission denied" in proc.stderr.decode()


def test_unreadable_file_reported_cleanly(tmp_path, monkeypatch, capsys):
    f = tmp_path / "secret.log"
    f.write_text("x")
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    assert main(["compress", str(f)]) == 2
    assert "permission denied" in capsys.readouterr().err


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.decode().startswith("tersify ")


def test_categories_restrict_must_keep(capsysbinary):
    import io

    sys_stdin = sys.stdin
    try:
        sys.stdin = io.TextIOWrapper(io.BytesIO(b"the process got exit 139 SIGSEGV"))  # a sentence: words may go
        assert main(["compress", "--categories", "number", "--threshold", "1"]) == 0
    finally:
        sys.stdin = sys_stdin
    assert capsysbinary.readouterr().out.split() == [b"139"]


@pytest.mark.parametrize("args", [["train", "--config", "configs/default.json"], ["data", "stats", "qa"],
                                  ["experiment", "rung", "teacher"]])
def test_training_commands_name_the_missing_extra(args, monkeypatch, capsys):
    import tersify.cli.extra as extra

    find_spec = extra.importlib.util.find_spec
    monkeypatch.setattr(extra.importlib.util, "find_spec",
                        lambda name, *a: None if name in ("tersify_train", "torch") else find_spec(name, *a))
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "needs the train extra" in err and "tersify[train]" in err and "Traceback" not in err
