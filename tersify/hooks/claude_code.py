"""The Claude Code PreToolUse hook: Bash commands through ``tersify run``.

Claude Code runs a PreToolUse hook before each tool call, with JSON on standard input
(``tool_name``, ``tool_input``, ``cwd``, ``permission_mode``...). A hook that prints
``{"hookSpecificOutput": {"hookEventName": "PreToolUse", "updatedInput": {...}}}`` has the
tool run with that input instead. Claude Code 2.1 applies ``updatedInput`` given without
a ``permissionDecision``, and then makes its usual permission checks on the new input.

Permissions are never widened by the rewrite:

* a command that any ``deny`` or ``ask`` rule of the settings files might match is left
  as it is, so the rule still sees the command it was written for (the match here is
  loose on purpose: any literal part of the rule found in the command counts);
* the hook says ``allow`` only where an ``allow`` rule matches the whole original command
  exactly or as a prefix (a single plain command, no operators, redirections or
  substitutions), since the rewritten form would not match that rule any more, or where
  the command is clearly read-only on files of the project
  (:func:`tersify.hooks.readonly.clearly_read_only`), which Claude Code runs without asking;
* a command Claude Code might still run without asking as read-only (``git log``, a file
  outside the project) is left as it is, for Claude Code to judge;
* otherwise it gives no decision, and Claude Code decides on the rewritten command as on
  any other: where it would have asked for the original, it asks for the rewritten one
  (in ``bypassPermissions`` mode no decision is ever given).

Installing writes one entry into a settings file (``~/.claude/settings.json`` or the
project's ``.claude/settings.json``): a ``PreToolUse`` matcher for ``Bash`` running
``tersify hook claude-code-pretooluse``. Installing twice changes nothing, every other
setting is kept, the file is copied aside before it is written, and uninstalling removes
only that entry.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tersify.errors import TersifyError
from tersify.hooks.readonly import clearly_read_only, maybe_read_only
from tersify.hooks.shell import decide, tersify_command

HOOK_SUBCOMMAND = "hook claude-code-pretooluse"
HOOK_TIMEOUT_S = 30
_RULE = re.compile(r"^\s*Bash\s*(?:\((.*)\))?\s*$", re.S)
_PLAIN = re.compile(r"^[^;&|<>`$()\n{}]*$")  # one simple command: no operators, redirections, substitutions


# --- the hook itself --------------------------------------------------------------------------------


def settings_files(cwd: str | None, home: Path | None = None) -> list[Path]:
    """The settings files whose permission rules apply in ``cwd``, as Claude Code reads them."""
    home = home or Path.home()
    files = [home / ".claude" / "settings.json", home / ".claude" / "settings.local.json"]
    project = os.environ.get("CLAUDE_PROJECT_DIR") or cwd
    if project:
        files += [Path(project) / ".claude" / "settings.json", Path(project) / ".claude" / "settings.local.json"]
    files += [Path("/etc/claude-code/managed-settings.json"),
              Path("/Library/Application Support/ClaudeCode/managed-settings.json")]
    return files


def bash_rules(files: list[Path]) -> dict[str, list[str | None]]:
    """``{"allow"|"ask"|"deny": [rule content, or None for a bare "Bash" rule]}`` from ``files``
    (unreadable files are skipped: the hook must never stop a command)."""
    rules: dict[str, list[str | None]] = {"allow": [], "ask": [], "deny": []}
    for path in files:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        permissions = data.get("permissions") if isinstance(data, dict) else None
        if not isinstance(permissions, dict):
            continue
        for kind, found in rules.items():
            for rule in permissions.get(kind) or []:
                m = _RULE.match(rule) if isinstance(rule, str) else None
                if m:
                    found.append(m.group(1))
    return rules


def _literal_parts(content: str) -> list[str]:
    content = content.strip()
    if content.endswith(":*"):
        content = content[:-2]
    return [part.strip() for part in content.split("*") if part.strip()]


def might_match(content: str | None, command: str) -> bool:
    """Loose: could the rule ``Bash(content)`` apply to ``command`` or a part of it?"""
    if content is None:
        return True
    parts = _literal_parts(content)
    flat = " ".join(command.split())
    return not parts or any(" ".join(part.split()) in flat for part in parts)


def allows(content: str | None, command: str) -> bool:
    """Strict: does the rule ``Bash(content)`` allow all of ``command``?"""
    command = command.strip()
    if content is None:
        return True
    if not _PLAIN.match(command):
        return False
    content = content.strip()
    if content.endswith(":*"):
        prefix = content[:-2].strip()
    elif content.endswith(" *") and "*" not in content[:-2]:
        prefix = content[:-2].strip()
    elif "*" in content:
        return False
    else:
        return command == content
    return bool(prefix) and (command == prefix or command.startswith(prefix + " "))


def pretooluse(payload: Any, *, home: Path | None = None, tersify: str | None = None) -> dict | None:
    """The hook's answer to one PreToolUse ``payload``: the JSON to print, or None to leave
    the tool call alone."""
    if not isinstance(payload, dict) or payload.get("tool_name") != "Bash":
        return None
    tool_input = payload.get("tool_input")
    if not isinstance(tool_input, dict) or tool_input.get("run_in_background"):
        return None
    command = tool_input.get("command")
    decision = decide(command, tersify=tersify)
    if decision.command is None:
        return None
    cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else None
    rules = bash_rules(settings_files(cwd, home))
    if any(might_match(rule, command) for rule in rules["deny"] + rules["ask"]):
        return None  # the rule decides on the command it was written for
    output: dict[str, Any] = {"hookEventName": "PreToolUse",
                              "updatedInput": {**tool_input, "command": decision.command}}
    if payload.get("permission_mode") == "bypassPermissions":
        return {"hookSpecificOutput": output}  # everything runs; a decision would only get in the way
    if any(allows(r, command) for r in rules["allow"]):
        reason = "allowed by a permission rule"
    elif clearly_read_only(command, cwd):
        reason = "a read-only command on files of the project"
    elif maybe_read_only(command):
        return None  # Claude Code may run it without asking as read-only: its call, on the command as written
    else:
        return {"hookSpecificOutput": output}  # Claude Code decides on the rewritten command as on any other
    output["permissionDecision"] = "allow"
    output["permissionDecisionReason"] = f"{reason}; output compressed by tersify run"
    return {"hookSpecificOutput": output}


def run_hook(stdin: Any = None, stdout: Any = None) -> int:
    """``tersify hook claude-code-pretooluse``: read the payload, print the answer. Always
    exits 0: an error here must never block or fail the agent's command."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    try:
        answer = pretooluse(json.loads(stdin.read() or "null"))
    except Exception as exc:  # noqa: BLE001 - leave the command alone, say why on stderr
        print(f"tersify hook: left the command alone ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 0
    if answer is not None:
        stdout.write(json.dumps(answer) + "\n")
        stdout.flush()
    return 0


# --- installing -------------------------------------------------------------------------------------


def settings_path(scope: str, *, home: Path | None = None, project: Path | None = None) -> Path:
    if scope == "user":
        return (home or Path.home()) / ".claude" / "settings.json"
    if scope == "project":
        return (project or Path.cwd()) / ".claude" / "settings.json"
    raise TersifyError(f"unknown scope {scope!r}: user or project")


def hook_command(scope: str) -> str:
    """The command written into the settings. User scope: an absolute path (Claude Code may
    start with another PATH); project scope, a file shared with others: plain ``tersify``."""
    if scope == "project":
        return f"tersify {HOOK_SUBCOMMAND}"
    if tersify_command() == "tersify":  # the tersify on PATH is this installation's
        return f"{shlex.quote(str(Path(shutil.which('tersify') or 'tersify').resolve()))} {HOOK_SUBCOMMAND}"
    return f"{shlex.quote(sys.executable)} -m tersify {HOOK_SUBCOMMAND}"


def _is_ours(hook: Any) -> bool:
    return isinstance(hook, dict) and isinstance(hook.get("command"), str) and HOOK_SUBCOMMAND in hook["command"]


def _load(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text() or "{}")
    except ValueError as exc:
        raise TersifyError(f"{path}: not valid JSON ({exc}); fix it first, nothing was written") from exc
    except OSError as exc:
        raise TersifyError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if not isinstance(data, dict):
        raise TersifyError(f"{path}: expected a JSON object, nothing was written")
    return data


def _write(path: Path, data: dict) -> Path | None:
    """Write ``data`` atomically, keeping the file's mode (new files: 0600); the previous
    file is copied aside first (0600: settings can hold credentials). Returns the copy. A
    settings file that is a symlink (dotfiles) is written through: the link stays a link."""
    path = path.resolve() if path.is_symlink() else path
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    mode = 0o600
    if path.exists():
        mode = path.stat().st_mode & 0o777
        backup = path.with_name(f"{path.name}.bak-{time.strftime('%Y%m%d-%H%M%S')}")
        n = 1
        while backup.exists():
            backup = path.with_name(f"{path.name}.bak-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
            n += 1
        fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(path.read_bytes())
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(data, out, indent=2, ensure_ascii=False)
            out.write("\n")
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return backup


def install(path: Path, command: str) -> tuple[str, Path | None]:
    """Add the hook to the settings file ``path``: ``("installed" | "updated" | "already
    installed", backup)``."""
    data = _load(path)
    hooks = data.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise TersifyError(f"{path}: \"hooks\" is not an object, nothing was written")
    entries = hooks.setdefault("PreToolUse", [])
    if not isinstance(entries, list):
        raise TersifyError(f"{path}: \"hooks.PreToolUse\" is not a list, nothing was written")
    ours = {"type": "command", "command": command, "timeout": HOOK_TIMEOUT_S}
    for entry in entries:
        inner = entry.get("hooks") if isinstance(entry, dict) else None
        for i, hook in enumerate(inner if isinstance(inner, list) else []):
            if _is_ours(hook):
                if hook == ours and entry.get("matcher") == "Bash":
                    return "already installed", None
                entry["hooks"][i] = ours
                entry["matcher"] = "Bash"
                return "updated", _write(path, data)
    entries.append({"matcher": "Bash", "hooks": [ours]})
    return "installed", _write(path, data)


def uninstall(path: Path) -> tuple[str, Path | None]:
    """Remove the hook's entry (and nothing else) from ``path``: ``("removed" | "not
    installed", backup)``."""
    data = _load(path)
    hooks = data.get("hooks")
    entries = hooks.get("PreToolUse") if isinstance(hooks, dict) else None
    if not isinstance(entries, list):
        return "not installed", None
    removed = False
    kept_entries = []
    for entry in entries:
        inner = entry.get("hooks") if isinstance(entry, dict) else None
        if isinstance(inner, list) and any(_is_ours(h) for h in inner):
            removed = True
            inner = [h for h in inner if not _is_ours(h)]
            if not inner:
                continue
            entry = {**entry, "hooks": inner}
        kept_entries.append(entry)
    if not removed:
        return "not installed", None
    if kept_entries:
        hooks["PreToolUse"] = kept_entries
    else:
        del hooks["PreToolUse"]
        if not hooks:
            del data["hooks"]
    return "removed", _write(path, data)
