"""The contracts of compress() and expand(), on generated and real outputs.

- ``expand(compress(x, lossless=True).text) == x``, byte for byte, for every input.
- ``expand(compress(x).text)`` is ``x`` with whole words removed, lines in order, and every
  must-keep span of ``x`` still there (outside named noise, which may go whole).
- JSON parses to an equal value after expand; diff, code and error lines stay whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.extractive import assert_extractive

import tersify
from tersify.mustkeep import MustKeep
from tersify.regions import Kind, detect_regions, noise_spans, text_noise_spans
from tersify.regions.noise import inside

REPO = Path(__file__).resolve().parents[1]
SET = [json.loads(line) for line in (REPO / "benchmarks/data/savings_set.jsonl").read_text().splitlines() if line]
SAMPLES = sorted((REPO / "samples").iterdir())

# Lines built from pieces that stress every stage: marker look-alikes, escapes, template
# placeholders, JSON, CRLF, tabs, unicode and lone surrogates (undecodable bytes).
_PIECES = [
    "[previous line repeated 3 more times]", "\\[previous line repeated 2 more times]", "{}", "[", "]", "\\",
    '{"a": [1, 2]}', "  ", "\t", "\r", "é", "\ud800", "x", "error:", "the", "not", "42", "/tmp/a.log", "E   ",
    "[the next 3 lines follow \"{} x\"; each row below holds one line's {} values]", "A \"{} y\"", "= z",
    "[the same 3 lines as followed the line above where it last appeared]",
]
_LINE = st.lists(st.sampled_from(_PIECES), max_size=6).map(" ".join)
_TEXT = st.lists(_LINE, max_size=12).map("\n".join) | st.text(max_size=200)


def _lines_with_repeats(lines: list[str]) -> str:
    return "\n".join(line for line in lines for _ in range(1 + len(line) % 4))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT | st.lists(_LINE, max_size=8).map(_lines_with_repeats))
def test_lossless_round_trip_is_exact(text: str) -> None:
    assert tersify.expand(tersify.compress(text, lossless=True).text) == text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_default_output_is_extractive(text: str) -> None:
    assert_extractive(text, tersify.expand(tersify.compress(text, scorer="baseline").text))


@pytest.mark.parametrize("text", ["", "\n", "a\r\nb\r\n", "no final newline", "x" * 5000, "line\n" * 50])
def test_edge_inputs(text: str) -> None:
    assert tersify.expand(tersify.compress(text, lossless=True).text) == text
    assert_extractive(text, tersify.expand(tersify.compress(text).text))


def test_lossless_round_trip_on_every_real_output() -> None:
    texts = [record["text"] for record in SET] + [path.read_text() for path in SAMPLES]
    for text in texts:
        assert tersify.expand(tersify.compress(text, lossless=True).text) == text


def test_default_mode_contracts_on_every_real_output() -> None:
    mk = MustKeep()
    for record in SET:
        text = record["text"]
        expanded = tersify.expand(tersify.compress(text).text)
        assert_extractive(text, expanded)
        _assert_must_keep_survives(text, expanded, mk)
        _assert_untouched_kinds_whole(text, expanded)
        if record["kind"] == "json":
            try:
                value = json.loads(text)
            except ValueError:
                continue
            assert json.loads(expanded) == value


def test_compaction_pays_on_logs_and_keeps_markers_plain() -> None:
    log = (REPO / "samples/hdfs_datanode.log").read_text()
    result = tersify.compress(log, lossless=True)
    assert result.stats.tokens_out < result.stats.tokens_in
    assert result.text.startswith("[the next 9 lines use 2 patterns")


def _assert_must_keep_survives(original: str, expanded: str, mk: MustKeep) -> None:
    noise_starts, noise_ends = text_noise_spans(original)
    for span in mk.find(original):
        if noise_starts.shape[0] and inside(noise_starts, noise_ends, span.start, span.end):
            continue
        assert original[span.start : span.end] in expanded, span


def _assert_untouched_kinds_whole(original: str, expanded: str) -> None:
    """Diff, code, JSON, log and table lines come back whole (noise aside), in order."""
    lines = original.split("\n")
    out = iter(expanded.split("\n"))
    for region in detect_regions(lines):
        if region.kind not in (Kind.DIFF, Kind.CODE, Kind.JSON, Kind.LOG, Kind.TABLE):
            continue
        for line in lines[region.start : region.stop]:
            if noise_spans(line):
                continue
            assert any(candidate == line for candidate in out), f"{region.kind.name} line changed: {line!r}"
