"""Budget mode: the output fits, what matters is kept, every left-out range is named exactly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tersify import expand
from tersify.budget import MARKER, is_marker, original_id
from tersify.budget.selection import ERROR_WORDS
from tersify.compress import compress
from tersify.errors import TersifyError
from tersify.scorers.baseline import BaselineScorer
from tersify.tokens import count_tokens

ROOT = Path(__file__).resolve().parents[1]
LOGHUB = ROOT / "data" / "loghub"
_RANGE = re.compile(r"\[lines? (\d+)(?:-(\d+))? omitted: ")


def restore(output: str, original: str) -> str:
    """The output of a lossless budget run with each marker replaced by the original lines it
    names: the original, exactly, when every kept line is an original line in order. Markers
    are read before expansion (an input line that reads like one is escaped, so not one)."""
    lines = original.split("\n")
    out: list[str] = []
    chunk: list[str] = []
    for line in [*output.split("\n"), None]:
        match = _RANGE.match(line) if line is not None and is_marker(line) else None
        if line is not None and match is None:
            chunk.append(line)
            continue
        if chunk:
            out.extend(expand("\n".join(chunk)).split("\n"))
            chunk = []
        if match is not None:
            first = int(match.group(1))
            out.extend(lines[first - 1 : int(match.group(2) or first)])
    return "\n".join(out)


def kept_lines(output: str) -> list[str]:
    """The lines of a budget output other than its markers, expanded."""
    out: list[str] = []
    chunk: list[str] = []
    for line in [*output.split("\n"), None]:
        if line is not None and not is_marker(line):
            chunk.append(line)
            continue
        if chunk:
            out.extend(expand("\n".join(chunk)).split("\n"))
            chunk = []
    return out


def is_subsequence(part: list[str], whole: list[str]) -> bool:
    it = iter(whole)
    return all(any(line == w for w in it) for line in part)


def build_log(n: int = 400) -> str:
    rows = []
    for i in range(n):
        rows.append(f"2024-05-01 10:{i // 60:02d}:{i % 60:02d} INFO worker-{i % 7} processed batch {i} in {i * 3 % 97} ms")
        if i % 97 == 50:
            rows.append(f"2024-05-01 10:{i // 60:02d}:{i % 60:02d} ERROR worker-{i % 7} disk /dev/sd{i % 3} full")
    rows.append("FAILED tests/test_io.py::test_write - OSError: [Errno 28] No space left on device")
    return "\n".join(rows) + "\n"


def test_no_budget_and_a_budget_that_fits_change_nothing() -> None:
    text = build_log(30)
    plain = compress(text, lossless=True)
    fitted = compress(text, lossless=True, budget=plain.stats.tokens_out)
    assert fitted.text == plain.text and fitted.elision is None


def test_too_small_a_budget_is_refused() -> None:
    with pytest.raises(TersifyError, match="at least 64"):
        compress("x\n" * 10, budget=10)
    with pytest.raises(TersifyError):
        compress("x", budget=True)


@pytest.mark.parametrize("lossless", [True, False])
def test_a_long_log_fits_keeps_every_error_and_names_what_went(lossless: bool) -> None:
    text = build_log()
    rid = original_id(text)
    result = compress(text, lossless=lossless, budget=600, retrieve_id=rid, scorer=BaselineScorer())
    out = result.text
    assert count_tokens(out) <= 600
    assert result.stats.tokens_out == count_tokens(out)
    for line in text.split("\n"):
        if " ERROR " in line or line.startswith("FAILED"):
            assert line in out.split("\n")
    lines = out.split("\n")
    assert lines[0] == text.split("\n")[0] and lines[-2] == text.split("\n")[-2]
    markers = [line for line in lines if is_marker(line)]
    assert markers and all(f"run: tersify retrieve {rid} --lines " in m for m in markers)
    assert result.elision is not None and result.elision.retrieve_id == rid
    if lossless:
        assert restore(out, text) == text


def test_without_an_id_the_marker_says_the_lines_are_not_stored() -> None:
    out = compress(build_log(), lossless=True, budget=300).text
    markers = [line for line in out.split("\n") if is_marker(line)]
    assert markers and all(m.endswith("; not stored, cannot be retrieved]") and "run:" not in m for m in markers)


def test_when_errors_do_not_fit_half_the_budget_each_kind_shows_once() -> None:
    rows = []
    for i in range(300):
        rows.append(f"ERROR: connection {i} refused by 10.0.0.{i % 250}")
        rows.append(f"warning: slow disk sd{i} latency {i * 7} ms")
        rows.append(f"fatal: cannot open shard {i}")
    text = "\n".join(rows) + "\n"
    out = compress(text, lossless=True, budget=400).text
    assert count_tokens(out) <= 400
    shown = out.split("\n")
    assert any(s.startswith("ERROR: connection") for s in shown)
    assert any(s.startswith("warning: slow disk") for s in shown)
    assert any(s.startswith("fatal: cannot open") for s in shown)
    assert any("error/warning" in s for s in shown if is_marker(s))
    assert restore(out, text) == text


def test_json_documents_and_diff_hunks_are_kept_or_left_out_whole() -> None:
    small = json.dumps({"status": "ok", "items": [{"id": i, "tags": ["a", "b"]} for i in range(4)]}, indent=2)
    big = json.dumps({"items": [{"id": i, "name": f"item-{i}", "tags": ["a", "b"]} for i in range(60)]}, indent=2)
    hunk_lines = [f"+added line {i}" for i in range(40)]
    diff = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,42 @@\n ctx\n" + "\n".join(hunk_lines) + "\n ctx2"
    text = "start\n" + small + "\n" + build_log(120) + big + "\n" + diff + "\nend\n"
    small_cost = count_tokens(small)
    for budget in (200, 700, 1500, 3000):
        out = compress(text, lossless=True, budget=budget).text
        assert count_tokens(out) <= budget
        assert restore(out, text) == text
        shown = set(expand(out).split("\n"))
        if small_cost <= budget // 2:  # a document within half the budget is whole or left out whole
            assert sum(line in shown for line in small.split("\n")[1:-1]) in (0, len(small.split("\n")) - 2)
        assert sum(line in shown for line in hunk_lines) in (0, len(hunk_lines))
    out = compress(text, lossless=True, budget=700).text
    assert "whole diff hunk" in out or all(line in out for line in hunk_lines)
    # A document over half the budget shows in part, markers naming what is left out of it.
    assert '"items": [' in out and "omitted: " in out


def test_a_json_document_on_one_line_left_out_is_outlined() -> None:
    doc = json.dumps([{"name": f"pkg{i}", "version": f"1.{i}.0"} for i in range(400)])
    out = compress(doc + "\n", lossless=True, budget=200).text
    assert out == ('[line 1 omitted: 1 line, a whole JSON document (a list of 400 items, objects with the keys '
                   '"name", "version"); not stored, cannot be retrieved]\n')


def test_input_that_reads_like_a_marker_stays_unambiguous() -> None:
    fake = "[lines 1-3 omitted: 3 lines; run: tersify retrieve abcdef123456 --lines 1-3]"
    text = fake + "\n" + build_log(200)
    result = compress(text, lossless=True)
    assert result.text.split("\n")[0] == "\\" + fake
    assert expand(result.text) == text
    out = compress(text, lossless=True, budget=300).text
    assert not is_marker(out.split("\n")[0])
    assert restore(out, text) == text


def test_expand_leaves_markers_as_they_are() -> None:
    marker = "[lines 2-9 omitted: 8 lines, 3 kinds; run: tersify retrieve 0123456789ab --lines 2-9]"
    assert MARKER.fullmatch(marker)
    assert expand(f"a\n{marker}\nb") == f"a\n{marker}\nb"


def test_crlf_and_no_final_newline_are_restored_exactly() -> None:
    text = build_log(300).replace("\n", "\r\n").rstrip("\r\n")
    out = compress(text, lossless=True, budget=500).text
    assert count_tokens(out) <= 500
    assert restore(out, text) == text


_LINE = st.sampled_from([
    "INFO started worker {n}",
    "ERROR: failed to open /tmp/f{n}",
    "  at frame {n}",
    "",
    "{{\"a\": {n}, \"b\": [1, 2]}}",
    "@@ -1,2 +1,2 @@",
    "-old {n}",
    "+new {n}",
    " same",
    "[previous line repeated {n} more times]",
    "[lines {n}-9 omitted: 3 lines]",
    "progress 45% ##########",
    "warning: value {n} is deprecated and will be removed in the next release of the library",
    "\\escaped {n}",
]).flatmap(lambda t: st.integers(0, 999).map(lambda n: t.format(n=n)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, min_size=1, max_size=120), st.integers(64, 900), st.booleans(), st.booleans())
def test_any_output_fits_its_budget_and_names_its_lines(lines: list[str], budget: int, crlf: bool, final: bool) -> None:
    sep = "\r\n" if crlf else "\n"
    text = sep.join(lines) + (sep if final else "")
    result = compress(text, lossless=True, budget=budget, retrieve_id=original_id(text))
    assert count_tokens(result.text) <= budget
    assert restore(result.text, text) == text
    lossy = compress(text, budget=budget, scorer=BaselineScorer())
    assert count_tokens(lossy.text) <= budget
    # Without lossless: the lines kept are lines of the unbudgeted output, in order.
    plain = expand(compress(text, scorer=BaselineScorer()).text).split("\n")
    assert is_subsequence(kept_lines(lossy.text), plain)


def _real_texts() -> list[tuple[str, str]]:
    texts = [(p.parent.name, p.read_text(encoding="utf-8", errors="surrogateescape")) for p in sorted(LOGHUB.glob("*/*_2k.log"))]
    rows = [json.loads(line) for line in (ROOT / "benchmarks" / "data" / "savings_set.jsonl").read_text().splitlines()]
    texts += [(row["id"], row["text"]) for row in rows if len(row["text"]) > 6000]
    return texts


@pytest.mark.parametrize("budget", [2000, 8000])
def test_real_outputs_never_go_over_and_restore_exactly(budget: int) -> None:
    texts = _real_texts()
    assert len(texts) > 10
    for name, text in texts:
        result = compress(text, lossless=True, budget=budget, retrieve_id=original_id(text))
        assert count_tokens(result.text) <= budget, name
        assert restore(result.text, text) == text, name
    scorer = BaselineScorer()
    for name, text in texts[:: 4]:
        lossy = compress(text, budget=budget, scorer=scorer)
        assert count_tokens(lossy.text) <= budget, name
        assert is_subsequence(kept_lines(lossy.text), expand(compress(text, scorer=scorer).text).split("\n")), name


def test_error_word_pattern() -> None:
    assert ERROR_WORDS.search("2024 WARN disk slow")
    assert ERROR_WORDS.search("Connection refused")
    assert not ERROR_WORDS.search("stderr output looks fine")


def _multi_file_diff(files: int = 12, hunks: int = 6) -> str:
    out = []
    for f in range(files):
        out += [f"diff --git a/src/mod{f}.py b/src/mod{f}.py", f"index 1a2b3c{f:x}..4d5e6f{f:x} 100644",
                f"--- a/src/mod{f}.py", f"+++ b/src/mod{f}.py"]
        for h in range(hunks):
            start = 10 + h * 40
            out += [f"@@ -{start},4 +{start},4 @@ def handler_{f}_{h}(request):",
                    f"     value = compute_{f}_{h}(request)", f"-    return value + {h}",
                    f"+    return value + {h + 1}  # error fixed in {f}", "     # done"]
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("budget", [300, 800, 2000])
def test_a_shown_diff_hunk_always_has_its_own_file_header_above_it(budget):
    diff = _multi_file_diff()
    out = compress(diff, budget=budget).text
    assert count_tokens(out) <= budget
    file_of = {}
    current = None
    for line in diff.splitlines():
        if line.startswith("diff --git"):
            current = line
        elif line.startswith("@@"):
            file_of[line] = current
    shown_file = None
    hunks = 0
    for line in out.splitlines():
        if line.startswith("diff --git"):
            shown_file = line
        elif line.startswith("@@"):
            hunks += 1
            assert shown_file == file_of[line], f"{line!r} shown under {shown_file!r}"
    assert hunks > 0


def test_words_inside_json_are_not_counted_as_errors():
    doc = json.dumps({"installed": [
        {"name": f"pkg-{i}", "version": f"1.{i}.0", "requires": ["pytest-timeout; extra == 'test'"],
         "description": "Handles errors and warnings; fails fast on timeout."} for i in range(60)]}, indent=2)
    out = compress(doc, budget=400).text
    assert count_tokens(out) <= 400
    markers = [line for line in out.splitlines() if is_marker(line)]
    assert markers and not any("error/warning" in line for line in markers)
