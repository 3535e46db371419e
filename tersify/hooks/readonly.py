"""Read-only commands, for keeping Claude Code's own permission behaviour under the rewrite.

Claude Code runs some commands without asking even when no rule allows them: read-only
ones (``cat``, ``grep``, ``ls``, ``git log``... on files of the project). Rewritten to
``tersify run -- bash -c '...'`` such a command is no longer recognised as read-only and
would be asked for (or refused, headless). So:

* :func:`clearly_read_only`: a strict subset, a pipeline of reading programs without
  options that write or run other programs, no redirection, substitution, variable or
  glob, every path inside the working directory. For these the hook says ``allow``
  itself; Claude Code would have run them without asking, too.
* :func:`maybe_read_only`: every program of the command is one Claude Code may treat as
  read-only. When such a command is not clearly read-only (``git log``, a path outside
  the project...), the hook leaves it as it is and lets Claude Code judge it.
"""

from __future__ import annotations

import os
import shlex

from tersify.hooks.shell import program, segments

# Reading programs, and per program the options that write files or run other programs.
_READERS: dict[str, tuple[str, ...]] = {
    "cat": (), "head": (), "tail": (), "wc": (), "nl": (), "cut": (), "stat": (), "du": (), "df": (),
    "ls": (), "diff": (), "grep": (), "egrep": (), "fgrep": (), "jq": (),
    "rg": ("--pre", "--search-zip", "-z"),
    "sort": ("-o", "--output", "--compress-program"),
    "tree": ("-o",),
    "find": ("-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0", "-fprintf", "-fls"),
}
# Programs Claude Code may let run without asking (a superset: when unsure, leave it to Claude
# Code); for tools with subcommands, the subcommands that read (None: any arguments).
_ANY = None
MAYBE_READ_ONLY: dict[str, frozenset[str] | None] = {
    **{name: _ANY for name in (
        *_READERS, "file", "less", "more", "awk", "sed", "uniq", "tr", "comm", "join", "paste", "fold", "column",
        "rev", "tac", "od", "hexdump", "xxd", "strings", "md5sum", "sha1sum", "sha256sum", "cksum", "basename",
        "dirname", "realpath", "readlink", "pwd", "echo", "printf", "which", "type", "whoami", "id", "date",
        "uname", "hostname", "env", "printenv", "ps", "pgrep", "lsof", "free", "uptime", "nproc", "locale",
        "true", "false", "test", "[", "cal", "seq", "expr", "getconf", "man", "help", "info", "history", "gh",
        "xargs", "tee")},
    "git": frozenset({"status", "log", "diff", "show", "blame", "branch", "tag", "remote", "rev-parse",
                      "ls-files", "ls-tree", "grep", "shortlog", "describe", "reflog", "stash", "config",
                      "cat-file", "rev-list", "merge-base", "worktree", "help", "version", "--version"}),
    "docker": frozenset({"ps", "images", "logs", "inspect", "version", "info", "--version"}),
    "podman": frozenset({"ps", "images", "logs", "inspect", "version", "info", "--version"}),
    "kubectl": frozenset({"get", "describe", "logs", "version", "explain", "top", "api-resources"}),
    "npm": frozenset({"list", "ls", "view", "outdated", "config", "--version", "-v", "help"}),
    "pip": frozenset({"list", "show", "freeze", "--version"}),
    "pip3": frozenset({"list", "show", "freeze", "--version"}),
    "cargo": frozenset({"tree", "metadata", "--version", "-V"}),
    "go": frozenset({"version", "env", "list", "doc"}),
    **{name: frozenset({"--version", "-V"}) for name in ("python", "python3", "node", "ruby", "java", "rustc")},
}
# Quotes are fine (the words are read with shlex); these are not: redirections, substitutions,
# variables, globs, home directories, escapes.
_UNSAFE_CHARS = set(";&<>`$(){}\n*?[]~\\")


def _inside(path: str, cwd: str) -> bool:
    root = os.path.realpath(cwd)
    target = os.path.realpath(os.path.join(cwd, path))
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def clearly_read_only(command: str, cwd: str | None) -> bool:
    """A pipeline (``|`` only) of reading programs, nothing written or run, paths inside ``cwd``."""
    if not cwd or not os.path.isabs(cwd) or any(ch in _UNSAFE_CHARS for ch in command.replace("|", " ")):
        return False
    parts = segments(command)
    if not parts or any(op not in ("|", "") for _, op in parts):
        return False
    for text, _op in parts:
        words = shlex.split(text)
        if not words or words[0] not in _READERS:
            return False  # also rules out VAR=value prefixes and wrappers
        refused = _READERS[words[0]]
        for word in words[1:]:
            option, _, value = word.partition("=") if word.startswith("-") else ("", "", word)
            if option and any(option == r or (len(r) == 2 and option.startswith(r)) for r in refused):
                return False
            if word in refused:
                return False
            if words[0] == "tail" and (word in ("-f", "-F", "--follow") or option == "--follow"
                                       or (word.startswith("-") and not word.startswith("--") and "f" in word.lower())):
                return False
            if value and not _inside(value, cwd):  # realpath: a symlink out of the project counts
                return False
    return True


def maybe_read_only(command: str) -> bool:
    """Every program of ``command`` is one Claude Code may run without asking."""
    parts = segments(command)
    if not parts:
        return False
    found = [program(text) for text, _op in parts if text.strip()]
    return bool(found) and all(p is not None and _maybe(*p) for p in found)


def _maybe(name: str, args: list[str]) -> bool:
    if name not in MAYBE_READ_ONLY:
        return False
    subcommands = MAYBE_READ_ONLY[name]
    return subcommands is None or any(a in subcommands for a in args)  # `git -C dir log` too
