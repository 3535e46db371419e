"""The savings set loads from the repository alone, and the benchmark's checks catch breakage."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import make_savings_set  # noqa: E402

from tersify_train.eval import structure as checks  # noqa: E402

SET = BENCH / "data" / "savings_set.jsonl"
DIFF = """\
diff --git a/app.py b/app.py
index 1111111..2222222 100644
--- a/app.py
+++ b/app.py
@@ -1,3 +1,3 @@
 def fetch(url):
-    return get(url, timeout=30)
+    return get(url, timeout=60)
 # end
"""


def _records() -> list[dict]:
    return [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines()]


def test_set_loads_with_fields_and_documented_kinds():
    records = _records()
    assert 150 <= len(records) <= 300
    readme = (BENCH / "data" / "README.md").read_text(encoding="utf-8")
    for r in records:
        assert set(r) == {"id", "kind", "source", "command", "text"}
        assert r["kind"] in make_savings_set.KINDS
        assert isinstance(r["text"], str) and r["text"]
    assert len({r["id"] for r in records}) == len(records)
    for kind in make_savings_set.KINDS:
        assert f"| {kind} " in readme


def test_set_needs_nothing_outside_the_repo():
    assert SET.stat().st_size < 3_000_000
    for r in _records():
        assert "../shared" not in r["text"] and "/work/" not in r["text"].replace("/tmp/work", "")
    assert all(p.is_relative_to(BENCH.parent) for p in (make_savings_set.CORPUS, make_savings_set.LOGHUB))


def test_rebuild_gives_the_committed_set():
    assert make_savings_set.dumps(make_savings_set.build()) == SET.read_text(encoding="utf-8")


def test_json_check_catches_a_broken_document():
    text = '{"a": [1, 2], "b": {"c": null}}'
    assert checks.json_check(text, text) is True
    assert checks.json_check(text, '{"a": [1, 2], "b": {"c": }}') is False
    assert checks.json_check(text, '{"a": [1, 2], "b": {"c": 0}}') is False
    assert checks.json_check("not json", "anything") is None


def test_diff_checks_catch_a_changed_line():
    assert checks.diff_check(DIFF, DIFF) is True
    changed = DIFF.replace("+    return get(url, timeout=60)", "+    return get(url, 60)")
    assert checks.diff_check(DIFF, changed) is False
    assert checks.diff_check("no diff here", "no diff here") is None


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_apply_check_catches_a_changed_context_line():
    assert checks.git_apply_check(DIFF, DIFF) is True
    assert checks.git_apply_check(DIFF, DIFF.replace(" # end", " # the end")) is False


def test_brackets_and_round_trip():
    assert checks.brackets_check("f(a[1])\nx", "f(a[1])\nx") is True
    assert checks.brackets_check("f(a[1])\nx", "f(a[1]\nx") is False
    assert checks.round_trip("a\r\nb", "a\nb") is False


def test_benchmark_runs_on_two_records(capsys):
    import savings

    records = [r for r in _records() if r["kind"] in ("json", "diff")][:2]
    result = savings.evaluate(records, "lossless", ["o200k_base"])
    pooled = result["kinds"]["POOLED"]
    assert pooled["records"] == 2
    assert pooled["round_trip"]["passed"] == 2
