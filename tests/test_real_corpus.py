"""The harvested real-output corpus: loads, has commands and exit codes, leaks nothing."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from tersify.errors import TersifyError
from tersify_train.sources.real import REAL_OUTPUTS, load_real_entries, load_real_outputs

# Things that must never be in a committed corpus: environment dumps and credentials.
SECRET_PATTERNS = [
    re.compile(r"^(?:export\s+)?[A-Z][A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)\s*=", re.M),
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),  # cloud access key ids
    re.compile(r"\b(?:ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{20,}"),
    re.compile(r"\bsk-[A-Za-z0-9_-]{20,}"),
    re.compile(r"\bxox[abp]-[A-Za-z0-9-]{10,}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"(?i)\bauthorization:\s*(?:bearer|basic)\s+[A-Za-z0-9._~+/=-]{12,}"),
    re.compile(r"^(?:PATH|HOME|USER|HOSTNAME|PWD|SHELL)=", re.M),  # an environment dump
]


@pytest.fixture(scope="module")
def entries():
    return load_real_entries()


def test_corpus_size_and_variety(entries):
    assert len(entries) >= 60
    assert REAL_OUTPUTS.stat().st_size < 2 * 1024 * 1024
    tools = Counter(e.source for e in entries)
    assert len(tools) >= 20
    assert len({e.domain for e in entries}) >= 10
    assert len({e.id for e in entries}) == len(entries)


def test_commands_and_exit_codes(entries):
    assert all(e.command.strip() and isinstance(e.exit_code, int) for e in entries)
    assert all(e.source.startswith("real:") for e in entries)
    codes = Counter(e.exit_code for e in entries)
    assert codes[0] >= 10 and sum(v for k, v in codes.items() if k != 0) >= 30  # failures and successes
    assert 139 in codes  # a real segmentation fault


def test_records(entries):
    records = load_real_outputs()
    assert len(records) == len(entries)
    assert all(r.reference is None and r.text.strip() for r in records)


def test_no_secrets_or_environment(entries):
    for e in entries:
        for pat in SECRET_PATTERNS:
            assert not pat.search(e.text), (e.id, pat.pattern)


def test_paths_scrubbed_and_loopback_only(entries):
    for e in entries:
        assert "tersify-harvest-" not in e.text, e.id
        for url_host in re.findall(r"https?://([\w.-]+)", e.text + " " + e.command):
            assert url_host in ("127.0.0.1", "localhost"), (e.id, url_host)
    assert any("/tmp/work" in e.text for e in entries)


def test_bad_corpus_lines_are_reported(tmp_path):
    p = tmp_path / "bad.jsonl"
    good = {"text": "x", "command": "ls", "exit_code": 0, "domain": "listing", "source": "real:ls", "id": "a"}
    p.write_text(json.dumps(good) + "\n{not json\n")
    with pytest.raises(TersifyError, match=r"bad\.jsonl:2: bad JSON"):
        load_real_entries(p)
    p.write_text(json.dumps({k: v for k, v in good.items() if k != "exit_code"}) + "\n")
    with pytest.raises(TersifyError, match=r":1: missing field\(s\) exit_code"):
        load_real_entries(p)
    with pytest.raises(TersifyError, match="not found"):
        load_real_entries(tmp_path / "none.jsonl")
