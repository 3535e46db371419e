"""``tersify run -- CMD ARGS...``: run a command and print its output compressed, before an
agent's tool cuts it.

Some agents never pass a big output on: Claude Code's Bash tool saves anything over
30,000 characters to a file and shows the model a 2 KB preview, so a proxy between the
agent and the API only ever sees the preview. Compressing where the command runs is the
only place the whole output can still be read.

What a run does:

* The command is run directly (no shell, unless the user writes ``sh -c``), with the
  caller's standard input. Its standard output and standard error go to **one pipe**, so
  their lines come out interleaved in the order the command wrote them, as a terminal
  shows them; two pipes would lose that order (an error would land after every line
  of output instead of next to the step that failed), and Claude Code's Bash tool shows
  the model both streams anyway. Everything is printed on standard output.
* The exit status is the command's; a command killed by signal N gives 128+N, a
  command not found 127 and one that cannot be executed 126, as a shell does.
* SIGTERM and SIGHUP are passed on to the command, and SIGINT too unless it came from the
  terminal (then the command, in the terminal's foreground group, already got it).
* Output of a few hundred tokens or less is printed unchanged; output that is not text
  (NUL bytes, or much that is not UTF-8) is passed through unchanged, and so is output
  over :data:`MAX_BYTES` (with a note on standard error); anything else
  goes through :func:`tersify.compress` (lossless compaction and safe word dropping, then
  the budget where the installed tersify has one, see :func:`compress_output`).
* The default budget (:data:`DEFAULT_BUDGET`) keeps the output inside Claude Code's inline
  limit, and the budget shrinks further where the output would still be over that many
  characters (fewer for a command that failed: :data:`FAILED_MAX_CHARS`); lines left out
  are stored for ``tersify retrieve`` and each range is named by a marker (budget mode,
  where this tersify has it: :func:`compress_output`).
* If compression itself fails, the original is printed (with a note on standard error):
  a command's output is never lost to a tersify bug.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from tersify.io import decode, encode

# Output of at most this many tokens is printed as it is: nothing to gain, and the agent
# sees exactly what the command printed.
TINY_TOKENS = 300
# The default budget: Claude Code sends a Bash output of up to 30,000 characters inline;
# 6,000 o200k tokens of logs and build output is about 18,000-24,000 characters, leaving room.
DEFAULT_BUDGET = 6000
# Claude Code's own limits, in characters: a Bash output over 30,000 is replaced by a preview
# of a saved file; the output of a command that failed (exit status not 0) over 10,000 has
# its middle cut ("... [N characters truncated] ...", the first and last 5,000 kept), and
# "Exit code N" comes first. With budget mode the output is fitted under these too.
DEFAULT_MAX_CHARS = 29_000
FAILED_MAX_CHARS = 9_800
_MIN_BUDGET = 256  # the smallest budget tried when fitting a character limit
# Output over this size is printed unchanged: compressing runs at about 0.2 MB/s today (2.2 MB of
# log: 10 s on the 2-core machine), and an agent's tool gives up on a command after a few minutes
# (Claude Code: 2 by default), which would lose the output altogether.
MAX_BYTES = 4 << 20
# Binary detection reads this much of the output.
_SNIFF = 64 * 1024
_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# Once the command has exited, how long a pipe still held open by a process it left behind
# may stay quiet before the output is taken as complete.
AFTER_EXIT_S = 2.0


@dataclass(frozen=True)
class RunResult:
    returncode: int  # the exit status tersify gives: the command's, 128+N for signal N, 126/127
    output: bytes  # what the command wrote, both streams in order
    printed: bytes  # what tersify printed
    how: str  # "unchanged (tiny)", "binary", "compressed", "budget", "failed to start", ...


def looks_binary(data: bytes) -> bool:
    """True for output that is not text: a NUL byte, or more than 10% of the sampled
    bytes not decodable as UTF-8 (Latin-1 text with a few accents stays text)."""
    sample = data[:_SNIFF]
    if not sample:
        return False
    if b"\0" in sample:
        return True
    bad = sum(1 for ch in sample.decode("utf-8", errors="surrogateescape") if "\udc80" <= ch <= "\udcff")
    return bad > len(sample) // 10


def is_tiny(data: bytes) -> bool:
    """At most :data:`TINY_TOKENS` o200k tokens. A token is at least one byte, so short
    output is decided without loading the encoding."""
    if len(data) <= TINY_TOKENS:
        return True
    if len(data) > TINY_TOKENS * 16:  # no o200k token is that long
        return False
    from tersify.tokens import count_tokens

    return count_tokens(decode(data)) <= TINY_TOKENS


def compress_output(text: str, *, budget: int | None, lossless: bool,
                    max_chars: int | None = None) -> tuple[str, str]:
    """The one place ``tersify run`` compresses: ``(printed text, how)``.

    With a budget, the output fits the budget (and ``max_chars``: the budget shrinks until
    it does) and the original is stored where lines are left out, so every marker's
    ``tersify retrieve`` command works (:mod:`tersify.budget.keeping`). Without one, the
    compressed text is printed as it is (compaction and word dropping, no line left out)."""
    from tersify.budget.keeping import compress_keeping_original
    from tersify.compress import compress

    if budget is None:
        return compress(text, lossless=lossless).text, "compressed"
    for _ in range(4):
        result = compress_keeping_original(
            text, lambda retrieve_id, n=budget: compress(text, lossless=lossless, budget=n, retrieve_id=retrieve_id),
            budget=budget)
        if not max_chars or len(result.text) <= max_chars or budget <= _MIN_BUDGET:
            break
        budget = max(_MIN_BUDGET, int(budget * max_chars / len(result.text) * 0.9))
    elision = getattr(result, "elision", None)
    if elision is None:
        return result.text, "compressed"
    return result.text, "budget" if elision.retrieve_id else "budget (original not stored)"


def render(data: bytes, *, budget: int | None = DEFAULT_BUDGET, lossless: bool = False,
           max_chars: int | None = DEFAULT_MAX_CHARS) -> tuple[bytes, str]:
    """What ``tersify run`` prints for a command's output ``data``, and how it got there."""
    if is_tiny(data):
        return data, "unchanged (tiny)"
    if looks_binary(data):
        return data, "binary"
    if len(data) > MAX_BYTES:
        return data, "unchanged (too big)"
    text, how = compress_output(decode(data), budget=budget, lossless=lossless, max_chars=max_chars)
    return encode(text), how


@contextlib.contextmanager
def _forwarding(proc: subprocess.Popen) -> Iterator[None]:
    """Pass SIGINT/SIGTERM/SIGHUP on to ``proc`` while it runs; restore the handlers after."""

    def forward(signum: int, frame: object) -> None:
        if signum == signal.SIGINT and _terminal_sent_it():
            return  # Ctrl-C: the terminal sent it to the command too; a second one could cut its cleanup
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signum)

    previous = {}
    for sig in _FORWARDED:
        with contextlib.suppress(ValueError, OSError):  # not the main thread: nothing to install
            previous[sig] = signal.signal(sig, forward)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _terminal_sent_it() -> bool:
    """True when we are in the foreground process group of a controlling terminal: a SIGINT
    then came from the keyboard and reached the command (same group) as well."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


def run(argv: Sequence[str], *, budget: int | None = DEFAULT_BUDGET, lossless: bool = False,
        max_chars: int | None = DEFAULT_MAX_CHARS, write: Callable[[bytes], None] | None = None,
        warn: Callable[[str], None] | None = None) -> RunResult:
    """Run ``argv``, print its output compressed through ``write`` (default: standard output)
    and return what happened; see the module docstring. ``max_chars``: the most characters
    to print where budget mode can get there, :data:`FAILED_MAX_CHARS` at most when the
    command failed (None or 0: no limit)."""
    write = write or _write_stdout
    warn = warn or (lambda line: print(line, file=sys.stderr))
    if not argv:
        raise ValueError("no command to run")
    try:
        proc = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except FileNotFoundError:
        warn(f"tersify run: {argv[0]}: command not found")
        return RunResult(127, b"", b"", "failed to start")
    except PermissionError:
        warn(f"tersify run: {argv[0]}: permission denied")
        return RunResult(126, b"", b"", "failed to start")
    except OSError as exc:  # not an executable format, a directory, ...
        warn(f"tersify run: {argv[0]}: cannot execute ({exc.strerror or exc})")
        return RunResult(126, b"", b"", "failed to start")
    assert proc.stdout is not None
    with _forwarding(proc):
        data = _read_all(proc)
        status = proc.wait()
    proc.stdout.close()
    returncode = 128 - status if status < 0 else status
    try:
        limit = min(max_chars, FAILED_MAX_CHARS) if max_chars and returncode != 0 else max_chars
        printed, how = render(data, budget=budget, lossless=lossless, max_chars=limit)
    except Exception as exc:  # noqa: BLE001 - the command's output must reach the caller whatever broke
        warn(f"tersify run: compression failed ({type(exc).__name__}: {exc}); the output follows unchanged")
        printed, how = data, "unchanged (compression failed)"
    if how == "unchanged (too big)":
        warn(f"tersify run: {len(data) / (1 << 20):.1f} MB of output printed unchanged "
             f"(tersify run compresses up to {MAX_BYTES >> 20} MB)")
    write(printed)
    return RunResult(returncode, data, printed, how)


def _read_all(proc: subprocess.Popen) -> bytes:
    """Everything the command writes, until the pipe closes, or until it has been quiet for
    :data:`AFTER_EXIT_S` once the command itself has exited: a process it left in the
    background may hold the pipe open for as long as it lives."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    chunks = []
    exited_at: float | None = None
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            if exited_at is None and proc.poll() is not None:
                exited_at = time.monotonic()
            wait = 0.2 if exited_at is None else exited_at + AFTER_EXIT_S - time.monotonic()
            if exited_at is not None and wait <= 0:
                break
            if selector.select(timeout=wait):
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
                if exited_at is not None:
                    exited_at = time.monotonic()  # still writing: wait for quiet again
    return b"".join(chunks)


def _write_stdout(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
