"""``tersify run -- CMD``: exit status, signals, stream order, tiny and binary output, a big log."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from support.claude_hook_run import lost_lines

from tersify import run as run_module
from tersify.compaction import expand
from tersify.run import (
    DEFAULT_MAX_CHARS,
    FAILED_MAX_CHARS,
    TINY_TOKENS,
    is_tiny,
    looks_binary,
    render,
)
from tersify.tokens import count_tokens

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch):
    """Originals a budget leaves out go to a store of this test's own."""
    monkeypatch.setenv("TERSIFY_DB", str(tmp_path / "store" / "proxy.db"))


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def tersify_run(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tersify", "run", "--", *argv], capture_output=True, cwd=ROOT,
                          env=env(), timeout=timeout, stdin=subprocess.DEVNULL)


def shows_every_error(out: str, text: str, errors: list[str]) -> None:
    """Every error line is in ``out`` (compaction may write the start all lines share once,
    above them: then from the level on) and nothing is lost (compaction markers expand,
    budget markers retrieve the exact lines)."""
    for line in errors:
        assert line[line.index(" ", 11) + 1:] in out
    assert lost_lines(out, text, env()) == []


def big_log(lines: int = 400) -> tuple[str, list[str]]:
    """A service log: INFO lines of one shape, a few distinct error lines among them."""
    errors = {
        57: "2026-11-28 10:14:03 ERROR db.pool: connection refused to 10.0.0.7:5432 after 3 retries",
        211: "2026-11-28 10:17:41 ERROR api.orders: OrderValidationError: quantity must be positive, got -2",
        340: "2026-11-28 10:19:09 FATAL worker.3: segmentation fault in libimage.so (exit code 139)",
    }
    out = []
    for i in range(lines):
        out.append(errors.get(i) or f"2026-11-28 10:{10 + i // 60:02d}:{i % 60:02d} INFO worker.{i % 4}: "
                   f"processed batch {i} in {(i * 37) % 90 + 10} ms, {(i * 113) % 900 + 100} rows")
    return "\n".join(out) + "\n", list(errors.values())


def test_exit_status_is_the_commands():
    done = tersify_run("sh", "-c", "echo some output; exit 3")
    assert done.returncode == 3
    assert done.stdout == b"some output\n"
    assert tersify_run("true").returncode == 0


def test_a_command_killed_by_a_signal_gives_128_plus_n():
    assert tersify_run("sh", "-c", "kill -TERM $$").returncode == 128 + signal.SIGTERM
    assert tersify_run("sh", "-c", "kill -KILL $$").returncode == 128 + signal.SIGKILL


def test_command_not_found_is_127_like_a_shell_and_not_executable_126(tmp_path):
    done = tersify_run("no-such-command-for-tersify", "--flag")
    assert done.returncode == 127
    assert done.stdout == b""
    assert b"no-such-command-for-tersify: command not found" in done.stderr
    text = tmp_path / "notes.txt"
    text.write_text("not a program\n")
    done = tersify_run(str(text))
    assert done.returncode == 126 and b"permission denied" in done.stderr


def test_stdout_and_stderr_come_out_merged_in_the_order_written():
    script = "import sys\nfor i in range(6):\n    s = sys.stderr if i % 2 else sys.stdout\n    print(f'line {i}', file=s, flush=True)\n"
    done = tersify_run(sys.executable, "-c", script)
    assert done.returncode == 0
    assert done.stdout.decode() == "".join(f"line {i}\n" for i in range(6))
    assert done.stderr == b""


def test_a_process_left_in_the_background_does_not_hold_the_output_back():
    # Without the end of the wait, this would hang until the 25 s timeout fails it.
    done = tersify_run("sh", "-c", "(sleep 30; echo late) & echo early; exit 5", timeout=25)
    assert done.returncode == 5 and done.stdout == b"early\n"


def test_no_shell_unless_asked():
    done = tersify_run("echo", "$HOME", "a;b", "*")
    assert done.stdout == b"$HOME a;b *\n"


def test_tiny_output_is_printed_unchanged():
    text = "  exact    spacing\tkept\r\n\n" + "the the the a an\n" * 3 + "no newline at the end"
    done = tersify_run("printf", "%s", text)
    assert done.returncode == 0 and done.stdout.decode() == text
    assert is_tiny(text.encode()) and not is_tiny(("word " * (TINY_TOKENS + 1)).encode())


def test_binary_output_passes_through_unchanged():
    data = bytes(range(256)) * 40
    done = tersify_run(sys.executable, "-c", "import sys; sys.stdout.buffer.write(bytes(range(256)) * 40)")
    assert done.returncode == 0 and done.stdout == data
    assert looks_binary(data) and not looks_binary("caf\u00e9 na\u00efve ".encode() * 100)
    assert looks_binary(b"\xff\xfe\xfa" * 200) and not looks_binary(b"plain text\n" * 100)
    assert render(data) == (data, "binary")


def test_a_big_log_is_compressed_and_keeps_every_error_line(tmp_path):
    text, errors = big_log()
    log = tmp_path / "service.log"
    log.write_text(text)
    done = tersify_run("cat", str(log))
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert len(out) < len(text) // 2
    shows_every_error(out, text, errors)
    assert "worker" in out and "processed batch" in out


def test_the_exit_status_survives_compression(tmp_path):
    text, errors = big_log()
    log = tmp_path / "service.log"
    log.write_text(text)
    done = tersify_run("sh", "-c", f"cat {log}; echo 'make: *** [all] Error 2' >&2; exit 2")
    assert done.returncode == 2
    assert done.stdout.decode().rstrip().endswith("make: *** [all] Error 2")
    shows_every_error(done.stdout.decode(), text + "make: *** [all] Error 2\n", errors)


def _start(tmp_path: Path, handled: str) -> tuple[subprocess.Popen, Path]:
    """tersify run around a Python child that reports the signal it gets, then exits 7."""
    ready = tmp_path / "ready"
    child = ("import signal, sys, time, pathlib\n"
             f"def got(n, f):\n    print('child got signal', n, flush=True); sys.exit(7)\n"
             f"signal.signal(signal.{handled}, got)\n"
             f"pathlib.Path({str(ready)!r}).write_text('x')\n"
             "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-m", "tersify", "run", "--", sys.executable, "-c", child],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env(),
                            stdin=subprocess.DEVNULL, start_new_session=True)  # no terminal: like an agent
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    return proc, ready


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT"])
def test_sigterm_and_sigint_are_passed_on_to_the_command(tmp_path, name):
    proc, _ = _start(tmp_path, name)
    sig = getattr(signal, name)
    proc.send_signal(sig)  # to tersify only, as `kill` or an agent's timeout does
    out, err = proc.communicate(timeout=60)
    assert f"child got signal {int(sig)}".encode() in out, err
    assert proc.returncode == 7


def test_output_over_the_size_limit_is_printed_unchanged_with_a_note(monkeypatch):
    monkeypatch.setattr(run_module, "MAX_BYTES", 2000)
    written, notes = [], []
    result = run_module.run([sys.executable, "-c", "print('the build step number 7 was fine ' * 200)"],
                            write=written.append, warn=notes.append)
    assert result.how == "unchanged (too big)" and written == [result.output] and len(result.output) > 2000
    assert notes and "printed unchanged" in notes[0]


def test_compression_failure_prints_the_original(monkeypatch):
    def broken(text, **kw):
        raise RuntimeError("boom")

    monkeypatch.setattr(run_module, "compress_output", broken)
    written = []
    result = run_module.run([sys.executable, "-c", "print('x ' * 400)"], write=written.append,
                            warn=lambda line: written.append(line.encode()))
    assert result.returncode == 0 and result.how == "unchanged (compression failed)"
    assert written[-1] == result.output and b"compression failed" in written[0]


def test_without_a_budget_the_compressed_text_is_printed():
    text, errors = big_log()
    printed, how = run_module.compress_output(text, budget=None, lossless=False)
    assert how == "compressed"
    shows_every_error(printed, text, errors)


def test_a_log_over_the_budget_fits_it_and_every_left_out_line_can_be_retrieved(tmp_path):
    text, errors = big_log(2000)
    log = tmp_path / "service.log"
    log.write_text(text)
    done = subprocess.run([sys.executable, "-m", "tersify", "run", "--budget", "2000", "--", "cat", str(log)],
                          capture_output=True, cwd=ROOT, env=env(), timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert count_tokens(out) <= 2000 and "tersify retrieve" in out
    shows_every_error(out, text, errors)


def test_a_failed_commands_output_fits_what_claude_code_keeps_of_it(tmp_path):
    text, errors = big_log(2000)
    log = tmp_path / "service.log"
    log.write_text(text)
    done = tersify_run("sh", "-c", f"cat {log}; exit 1")
    out = done.stdout.decode()
    assert done.returncode == 1 and len(out) <= run_module.FAILED_MAX_CHARS
    shows_every_error(out, text, errors)


def test_the_budget_shrinks_until_the_output_fits_the_character_limit(monkeypatch):
    pipeline = importlib.import_module("tersify.compress")  # the module (tersify.compress is the function)
    budgets = []

    def fake_compress(text, *, lossless=False, budget=None, retrieve_id=None):
        budgets.append(budget)  # four characters a token, as if nothing but budget mattered
        return SimpleNamespace(text="x" * (4 * budget), elision=SimpleNamespace(retrieve_id=retrieve_id))

    monkeypatch.setattr(pipeline, "compress", fake_compress)
    keeping = importlib.import_module("tersify.budget.keeping")
    monkeypatch.setattr(keeping, "compress_keeping_original", lambda text, run, **kw: run("3f9a2c1d2e4f"))
    printed, how = run_module.compress_output("a log", budget=6000, lossless=False, max_chars=9800)
    assert how == "budget" and budgets[0] == 6000 and len(printed) <= 9800 < 4 * 6000
    budgets.clear()
    printed, _ = run_module.compress_output("a log", budget=6000, lossless=False, max_chars=None)
    assert budgets == [6000]


@pytest.mark.parametrize(("code", "limit"), [(0, DEFAULT_MAX_CHARS), (2, FAILED_MAX_CHARS)])
def test_a_failed_command_gets_the_smaller_character_limit(monkeypatch, code, limit):
    seen = {}

    def fake_render(data, **kw):
        seen.update(kw)
        return data, "unchanged (tiny)"

    monkeypatch.setattr(run_module, "render", fake_render)
    result = run_module.run(["sh", "-c", f"exit {code}"], write=lambda data: None)
    assert result.returncode == code and seen["max_chars"] == limit


def test_lossless_output_expands_to_the_exact_bytes(tmp_path):
    text, _ = big_log()
    log = tmp_path / "service.log"
    log.write_text(text)
    done = subprocess.run([sys.executable, "-m", "tersify", "run", "--lossless", "--budget", "0", "--", "cat",
                           str(log)], capture_output=True, cwd=ROOT, env=env(), timeout=120)
    assert done.returncode == 0 and len(done.stdout) < len(text)
    assert expand(done.stdout.decode()) == text


def test_no_command_is_a_one_line_error():
    done = subprocess.run([sys.executable, "-m", "tersify", "run", "--"], capture_output=True, cwd=ROOT, env=env(),
                          timeout=60)
    assert done.returncode == 2 and b"no command given" in done.stderr
