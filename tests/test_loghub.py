"""loghub samples: loading, windows, template parameters taken from the structured CSV."""

from __future__ import annotations

import csv

import pytest

from tersify.errors import TersifyError
from tersify_train.sources.loghub import (
    LOGHUB_DIR,
    SYSTEMS,
    load_system,
    template_parameters,
    template_values,
    windows,
)
from tersify_train.sources.records import PairRecord


def test_twelve_systems_with_attribution():
    assert len(SYSTEMS) == 12
    for name in ("README.md", "LICENSE", "CITATION"):
        assert (LOGHUB_DIR / name).is_file()
    assert "loghub" in (LOGHUB_DIR / "LICENSE").read_text()
    for s in SYSTEMS:
        for suffix in ("_2k.log", "_2k.log_structured.csv", "_2k.log_templates.csv"):
            assert (LOGHUB_DIR / s / f"{s}{suffix}").is_file()


def test_load_system_lines_templates_parameters():
    lines = load_system("HDFS")
    assert len(lines) == 2000
    first = lines[0]
    assert first.line.startswith("081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1")
    assert first.template == "PacketResponder <*> for block blk_<*> terminating"
    assert first.parameters == ("1", "38865049064139660")
    assert all(not ll.line.endswith("\r") for ll in lines)


def test_every_template_matches_its_content():
    for s in SYSTEMS:
        with open(LOGHUB_DIR / s / f"{s}_2k.log_structured.csv", encoding="utf-8", errors="replace", newline="") as fh:
            for row in csv.DictReader(fh):
                assert template_values(row["Content"], row["EventTemplate"]) is not None, (s, row["LineId"])


def test_template_values_handles_num_placeholder():
    assert template_values("id: 14.5, reason = Auth:sts:5_rsn:0", "id: <*>, reason = Auth:sts:<NUM>_rsn:<NUM>") == (
        "14.5", "5", "0")
    assert template_values("something else", "PacketResponder <*> terminating") is None


def test_windows_deterministic_and_balanced():
    a, b = windows(48, seed=1), windows(48, seed=1)
    assert a == b
    assert [r.text for r in windows(48, seed=2)] != [r.text for r in a]
    assert {r.source for r in a} == {f"loghub:{s}" for s in SYSTEMS}
    for r in a:
        assert r.domain == "syslog" and r.reference is None
        assert 8 <= len(r.text.split("\n")) <= 40
    assert len({r.id for r in a}) == 48


def test_window_lines_are_consecutive_raw_lines():
    r = windows(5, seed=0, lines_per_window=(3, 3))[4]
    name = r.source.split(":")[1]
    first, last = (int(x) for x in r.id.rsplit("-L", 1)[1].split("-"))
    assert [ll.line for ll in load_system(name)[first - 1 : last]] == r.text.split("\n")


def test_template_parameters_come_from_the_csv():
    for r in windows(24, seed=0):
        name = r.source.split(":")[1]
        first, last = (int(x) for x in r.id.rsplit("-L", 1)[1].split("-"))
        with open(LOGHUB_DIR / name / f"{name}_2k.log_structured.csv", encoding="utf-8", errors="replace",
                  newline="") as fh:
            rows = [row for row in csv.DictReader(fh) if first <= int(row["LineId"]) <= last]
        expected = []
        for row, line in zip(rows, r.text.split("\n"), strict=True):
            assert row["Content"] in line
            expected += [p for p in template_values(row["Content"], row["EventTemplate"]) or () if p.strip()]
        params = template_parameters(r)
        assert params == expected
        assert params, r.id
        # Every value occurs in the window text, in order.
        pos = 0
        for p in params:
            pos = r.text.index(p, pos)


def test_template_parameters_rejects_foreign_records():
    with pytest.raises(TersifyError, match="not a loghub record"):
        template_parameters(PairRecord("x", None, "syslog", "gen:json"))
    with pytest.raises(TersifyError, match="not in loghub"):
        template_parameters(PairRecord("made up line", None, "syslog", "loghub:HDFS"))
    with pytest.raises(TersifyError, match="unknown loghub system"):
        load_system("Nope")
