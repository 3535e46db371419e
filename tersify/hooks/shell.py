"""Which shell commands go through ``tersify run``, and the command that does it.

An agent's Bash command is one shell string, run by the agent's shell. It is rewritten to
``tersify run -- bash -c '<the command>'`` (a leading ``cd DIR &&`` stays outside, so the
directory change still reaches the agent's shell), except where that would change what
the command does or could not help:

* interactive programs (editors, pagers, ``top``, ``ssh``, a REPL started without a
  script): they need a terminal, and their output is not a result to read;
* commands already going through tersify;
* heredocs and background jobs (``&``): their meaning depends on the shell that reads them;
* commands that change the shell itself (``cd``, ``export``, ``source``...) anywhere but a
  leading ``cd DIR &&``: in a child shell the change would be lost;
* commands made only of small known ones (``pwd``, ``echo``, ``mkdir``...): nothing to gain;
* anything this scanner cannot read (an unclosed quote): left to the shell as written.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

# Programs that need a terminal or start a session, whatever their arguments.
INTERACTIVE = frozenset({
    "vi", "vim", "nvim", "view", "nano", "pico", "emacs", "ed", "less", "more", "most", "man", "info",
    "top", "htop", "btop", "atop", "iotop", "watch", "ssh", "mosh", "telnet", "ftp", "sftp", "tmux",
    "screen", "fzf", "mc", "ranger", "nnn", "tig", "lazygit", "gdb", "lldb", "pdb", "visudo", "crontab",
    "passwd", "su", "login", "vipe", "dialog", "whiptail",
})
# Interpreters and clients that start a REPL when given no script or query.
REPLS = frozenset({
    "python", "python2", "python3", "ipython", "bpython", "node", "deno", "bun", "irb", "ruby", "pry",
    "php", "lua", "R", "julia", "ghci", "scala", "sbt", "clojure", "lein", "erl", "iex", "ocaml", "sqlite3",
    "psql", "mysql", "mariadb", "mongo", "mongosh", "redis-cli", "bash", "sh", "zsh", "fish", "dash", "ksh",
})
# Builtins that change the shell they run in.
SHELL_STATE = frozenset({
    "cd", "pushd", "popd", "export", "unset", "source", ".", "alias", "unalias", "set", "shopt", "ulimit",
    "umask", "declare", "typeset", "local", "readonly", "eval", "exec", "exit", "logout", "trap", "hash",
    "builtin", "disown", "fg", "bg", "jobs", "wait",
})
# Commands whose output is a line or nothing: not worth a process.
TINY = frozenset({
    "pwd", "echo", "printf", "true", "false", ":", "which", "type", "command", "whoami", "id", "date",
    "hostname", "uname", "nproc", "tty", "mkdir", "rmdir", "touch", "rm", "mv", "cp", "ln", "chmod", "chown",
    "kill", "sleep", "basename", "dirname", "realpath", "readlink", "test", "[", "[[", "mktemp", "clear",
})
# Words that run the next word as the command.
_WRAPPERS = frozenset({"sudo", "time", "nice", "nohup", "env", "stdbuf", "ionice", "timeout", "xargs"})
# Shell-state commands that may lead a command (`cd DIR && make`): they stay outside.
_LEADING = frozenset({"cd", "pushd", "export", "source", "."})
_OPERATORS = ("&&", "||", "|&", ";;", "|", ";", "&", "\n")


@dataclass(frozen=True)
class Decision:
    command: str | None  # the rewritten command; None: leave the command as it is
    reason: str


@dataclass(frozen=True)
class _Scan:
    segments: list[tuple[str, str]]  # (raw text, operator after it: "&&", "|", ... or "")
    heredoc: bool
    background: bool


def _skip_substitution(command: str, i: int) -> int:
    """``command[i:]`` starts with ``$(``: the index after its closing ``)`` (quotes and
    nested substitutions inside skipped), or -1 when it is not closed."""
    depth, i, n = 1, i + 2, len(command)
    quote = ""
    while i < n:
        ch = command[i]
        if quote == "'":
            quote = "" if ch == "'" else quote
        elif ch == "\\":
            i += 1
        elif quote == '"' and ch == '"':
            quote = ""
        elif command.startswith("$(", i):
            end = _skip_substitution(command, i)
            if end < 0:
                return -1
            i = end
            continue
        elif not quote and ch in "'\"":
            quote = ch
        elif not quote and ch == "(":
            depth += 1
        elif not quote and ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _scan(command: str) -> _Scan | None:
    """Split ``command`` at its top-level operators, keeping each segment's raw text.
    None when a quote, ``$(`` or backtick is left open."""
    segments: list[tuple[str, str]] = []
    heredoc = background = False
    start = i = depth = 0
    quote = ""
    n = len(command)
    while i < n:
        ch = command[i]
        if quote == "'":
            quote = "" if ch == "'" else quote
            i += 1
            continue
        if ch == "\\":
            i += 2
            continue
        if command.startswith("$(", i):
            i = _skip_substitution(command, i)
            if i < 0:
                return None
            continue
        if ch == "`":
            end = i + 1
            while end < n and command[end] != "`":
                end += 2 if command[end] == "\\" else 1
            if end >= n:
                return None
            i = end + 1
            continue
        if quote == '"':
            quote = "" if ch == '"' else quote
            i += 1
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == "#" and (i == 0 or command[i - 1] in " \t\n;&|("):
            end = command.find("\n", i)
            i = n if end < 0 else end
            continue
        elif command.startswith("<<", i) and not command.startswith("<<<", i):
            heredoc = True
            i += 2
            continue
        elif command.startswith("<<<", i):
            i += 3
            continue
        elif depth == 0 and ch in "&|;\n":
            if ch == "&" and (command[i - 1:i] in (">", "<") or command[i + 1:i + 2] == ">"):
                i += 1  # >&2, &>file, <&0: redirections, not operators
                continue
            op = next(o for o in _OPERATORS if command.startswith(o, i))
            background = background or op == "&"
            segments.append((command[start:i], op))
            i += len(op)
            start = i
            continue
        i += 1
    if quote or depth:
        return None
    segments.append((command[start:], ""))
    return _Scan([(s, op) for s, op in segments if s.strip() or op], heredoc, background)


def segments(command: str) -> list[tuple[str, str]]:
    """``command`` split at its top-level operators: ``(raw text, operator after it)``; empty
    when it cannot be read, holds a heredoc or runs something in the background."""
    scan = _scan(command)
    return [] if scan is None or scan.heredoc or scan.background else scan.segments


def follows(name: str, args: list[str]) -> bool:
    """A command that keeps printing until it is stopped (``tail -f``, ``docker logs -f``):
    under ``tersify run`` nothing would show until the end."""
    if name in ("tail", "journalctl") or (name in ("docker", "podman", "kubectl") and "logs" in args):
        return any(a in ("-f", "-F", "--follow") or a.startswith("--follow=")
                   or (a.startswith("-") and not a.startswith("--") and "f" in a.lower()[1:] and name == "tail")
                   for a in args)
    return False


def program(segment: str) -> tuple[str, list[str]] | None:
    """The program a segment runs and its arguments, past ``VAR=value`` words and wrappers
    such as ``sudo`` or ``env``; None when the segment cannot be read."""
    try:
        words = shlex.split(segment, comments=True)
    except ValueError:
        return None
    while words:
        word = words[0]
        if "=" in word and not word.startswith("=") and word.split("=", 1)[0].isidentifier():
            words = words[1:]
        elif word in _WRAPPERS:
            words = words[1:]
            while words and (words[0].startswith("-") or (word == "timeout" and words[0][:1].isdigit())):
                words = words[1:]
        elif word in ("(", "{", "!"):
            words = words[1:]
        else:
            break
    if not words:
        return None
    return words[0].rsplit("/", 1)[-1], words[1:]


def _is_repl(name: str, args: list[str]) -> bool:
    if name not in REPLS and not (name.startswith("python") and name[6:].replace(".", "").isdigit()):
        return False
    real = [a for a in args if a not in ("-i", "--interactive", "-q", "--quiet", "-u")]
    return not real or "-i" in args or "--interactive" in args


def tersify_command() -> str:
    """How the rewritten command starts tersify: ``tersify`` when the one on PATH belongs to
    this installation (its script sits beside this interpreter), else this interpreter with
    ``-m tersify``, so an older tersify elsewhere on PATH is never the one that runs."""
    found = shutil.which("tersify")
    here = {Path(sys.executable).parent, Path(sys.executable).resolve().parent}
    if found and {Path(found).parent, Path(found).resolve().parent} & here:
        return "tersify"
    return f"{shlex.quote(sys.executable)} -m tersify"


def decide(command: object, *, tersify: str | None = None, shell: str | None = None) -> Decision:
    """Whether and how to route ``command`` through ``tersify run`` (see the module docstring)."""
    if not isinstance(command, str) or not command.strip():
        return Decision(None, "no command")
    scan = _scan(command)
    if scan is None:
        return Decision(None, "cannot read the command (an open quote or substitution)")
    if scan.heredoc:
        return Decision(None, "heredoc")
    if scan.background:
        return Decision(None, "runs in the background (&)")
    programs = []
    for text, _op in scan.segments:
        found = program(text) if text.strip() else None
        if found is None and text.strip():
            return Decision(None, "cannot read the command")
        programs.append(found)
    if any(p is not None and ("tersify" in p[0] or p[1][:1] == ["-m"] and p[1][1:2] == ["tersify"])
           for p in programs) or "tersify run" in command:
        return Decision(None, "already goes through tersify")
    for k, found in enumerate(programs):
        piped_in = k > 0 and scan.segments[k - 1][1] in ("|", "|&") or "<" in scan.segments[k][0]
        if found and (found[0] in INTERACTIVE or not piped_in and _is_repl(*found)):
            return Decision(None, f"interactive: {found[0]}")
        if found and follows(*found):
            return Decision(None, f"follows its output until stopped: {found[0]}")
    # A leading `cd DIR &&` (or export, source) stays in the agent's shell, so its effect persists.
    lead = 0
    while lead < len(programs) and programs[lead] and programs[lead][0] in _LEADING \
            and scan.segments[lead][1] == "&&":
        lead += 1
    rest = programs[lead:]
    if not rest or all(p is None for p in rest):
        return Decision(None, "only changes the shell's state")
    for found in rest:
        if found and found[0] in SHELL_STATE:
            return Decision(None, f"changes the shell's state: {found[0]}")
    if all(p is None or p[0] in TINY for p in rest):
        return Decision(None, "small known commands")
    prefix = "".join(text + op for text, op in scan.segments[:lead])
    body = "".join(text + op for text, op in scan.segments[lead:]).strip()
    runner = tersify or tersify_command()
    sh = shell or ("bash" if shutil.which("bash") else "sh")
    return Decision(f"{prefix.rstrip()} {runner} run -- {sh} -c {shlex.quote(body)}".lstrip(), "rewritten")
