"""Pair files: round trip, validation with file:line, strict and skip modes, counts."""

from __future__ import annotations

import json

import pytest

from tersify.errors import TersifyError
from tersify_train.sources.pairs import is_extractive, load_pairs, write_pairs
from tersify_train.sources.records import PairRecord

GOOD = {"text": "the build failed with code 2", "reference": "build failed code 2", "domain": "build",
        "source": "test"}


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_round_trip(tmp_path):
    records = [
        PairRecord("a b c", "a c", "d", "s", "id-1"),
        PairRecord("x  y\n  z", None, "d", "s"),
        PairRecord("ünïcode ✓ text", "✓ text", "d", "s"),
    ]
    path = tmp_path / "p.jsonl"
    assert write_pairs(path, records) == 3
    loaded = load_pairs(path, require_reference=False, quiet=True)
    assert list(loaded) == records
    assert loaded.report.read == 3 and loaded.report.kept == 3 and loaded.report.rejected == 0


def test_skip_mode_reports_every_problem_with_line_numbers(tmp_path, capsys):
    bad = [
        json.dumps(GOOD),
        "{not json",
        json.dumps({k: v for k, v in GOOD.items() if k != "domain"}),
        json.dumps({**GOOD, "text": "   "}),
        json.dumps({**GOOD, "reference": "code build"}),  # reordered: not extractive
        "",
        json.dumps([1, 2]),
        json.dumps({**GOOD, "reference": None}),
        json.dumps({**GOOD, "text": 5}),
    ]
    path = write_lines(tmp_path / "bad.jsonl", bad)
    records = load_pairs(path)
    report = records.report
    assert len(records) == 1
    assert (report.read, report.kept, report.rejected) == (8, 1, 7)
    joined = "\n".join(report.problems)
    for lineno, why in [(2, "bad JSON"), (3, "missing field 'domain'"), (4, "empty text"),
                        (5, "reference is not extractive"), (7, "expected a JSON object"), (8, "reference is null"),
                        (9, "field 'text' must be a string")]:
        assert f"bad.jsonl:{lineno}: {why}" in joined, (lineno, why)
    err = capsys.readouterr().err
    assert "read 8, kept 1, rejected 7" in err


def test_strict_mode_raises_at_first_problem(tmp_path):
    path = write_lines(tmp_path / "s.jsonl", [json.dumps(GOOD), json.dumps(GOOD), "{oops"])
    with pytest.raises(TersifyError, match=r"s\.jsonl:3: bad JSON"):
        load_pairs(path, strict=True, quiet=True)


def test_reference_optional_and_extractive_check_optional(tmp_path):
    path = write_lines(tmp_path / "q.jsonl", [json.dumps({**GOOD, "reference": "Build broke."}),
                                             json.dumps({**GOOD, "reference": None})])
    assert len(load_pairs(path, require_reference=False, extractive=False, quiet=True)) == 2
    assert len(load_pairs(path, require_reference=False, quiet=True)) == 1


def test_missing_and_undecodable_files(tmp_path):
    with pytest.raises(TersifyError, match="no such file"):
        load_pairs(tmp_path / "nope.jsonl")
    path = tmp_path / "latin.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b"\n\xff\xfe\n")
    with pytest.raises(TersifyError, match=r"latin\.jsonl:\d+: not UTF-8"):
        load_pairs(path, quiet=True)


def test_is_extractive():
    assert is_extractive("a b c\nd e", "a c\ne")
    assert is_extractive("a b", "")
    assert not is_extractive("a b c", "c a")
    assert not is_extractive("a b\nc d", "b c")  # merged lines


def test_cli_diagnose_and_stats(tmp_path, capsys):
    from tersify.cli import main

    path = write_lines(tmp_path / "p.jsonl", [json.dumps(GOOD), json.dumps({**GOOD, "reference": "build failed"})])
    assert main(["data", "diagnose", str(path)]) == 0
    out = capsys.readouterr().out
    assert "number" in out and "mk_in_ref: 0.750" in out
    assert main(["data", "stats", str(path)]) == 0
    assert "build" in capsys.readouterr().out
    assert main(["data", "diagnose", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_cli_label(tmp_path):
    from tersify.cli import main

    src = write_lines(tmp_path / "in.jsonl", [json.dumps({**GOOD, "reference": None})])
    out = tmp_path / "out.jsonl"
    assert main(["data", "label", str(src), "--out", str(out)]) == 0
    (record,) = load_pairs(out, quiet=True)
    assert record.reference == "build failed with code 2"  # prepositions stay in prose
