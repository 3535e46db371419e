"""Word dropping happens only where LABELING.md allows it."""

from __future__ import annotations

import numpy as np

import tersify
from tersify.dropping import drop_noise, plan_drops
from tersify.regions import Kind, detect_regions
from tersify.text.segment import segment


def _dropped(text: str, kinds: list[Kind]) -> tuple[list[str], list[str]]:
    words = segment(text)
    plan = plan_drops(words, kinds)
    strings = words.strings()
    pick = lambda mask: [strings[i] for i in np.flatnonzero(mask)]  # noqa: E731
    return pick(plan.scored), pick(plan.articles)


def test_error_lines_lose_articles_only_and_never_inside_quotes() -> None:
    text = "OSError: Repo id must be in the form 'the repo' or 'a/b': '/tmp/x'.\n"
    scored, articles = _dropped(text, [Kind.ERROR, Kind.BLANK])
    assert scored == []
    assert articles == ["the"]  # the one in quotes stays


def test_prose_words_are_scored_except_quotes_brackets_and_logic_words() -> None:
    text = "Note: the process (most recent call last) was stopped because it exceeded the limit and failed.\n"
    scored, articles = _dropped(text, [Kind.PROSE, Kind.BLANK])
    assert articles == []
    assert "the" in scored and "Note:" in scored
    for kept in ["(most", "recent", "call", "last)", "and"]:
        assert kept not in scored


def test_kinds_that_are_never_cut_have_nothing_to_drop() -> None:
    text = "    raise OSError(f'{e}') from e\n-old line\n+new line\n{\"a\": 1}\n"
    for kind in (Kind.CODE, Kind.DIFF, Kind.JSON, Kind.LOG, Kind.TABLE, Kind.STATUS, Kind.TEST, Kind.COMPACTED):
        scored, articles = _dropped(text, [kind] * 5)
        assert scored == [] and articles == []


def test_noise_words_go_first_whatever_their_kind() -> None:
    text = "tests/test_parser.py::test_parse_csv_tags FAILED                         [ 38%]\n"
    out, removed, left = drop_noise(text, detect_regions(text.split("\n")))
    assert out == "tests/test_parser.py::test_parse_csv_tags FAILED\n" and removed == 2
    assert [r.kind for r in left] == [Kind.TEST, Kind.BLANK]


def test_noise_alone_on_the_last_line_leaves_regions_that_cover_the_text() -> None:
    for text in ("a b\n=====", "a b\n=====\n", "=====", "x\n[ 10%]\n====="):
        out, _, left = drop_noise(text, detect_regions(text.split("\n")))
        assert left[0].start == 0 and left[-1].stop == len(out.split("\n")), text
        assert all(a.stop == b.start for a, b in zip(left, left[1:], strict=False))


def test_pipeline_on_a_pytest_run_keeps_code_and_error_lines_and_drops_progress() -> None:
    text = (
        "tests/test_parser.py::test_parse_csv_tags FAILED                         [ 38%]\n"
        "    def test_parse():\n"
        ">       return json.loads(s)[\"items\"]\n"
        "E         {'timeout': 30} != {'timeout': 60}\n"
        "Traceback (most recent call last):\n"
        '  File "/app/service.py", line 22, in load_settings\n'
        "    raise OSError(f\"{e}\") from e\n"
    )
    out = tersify.compress(text).text
    lines = out.split("\n")
    assert lines[0] == "tests/test_parser.py::test_parse_csv_tags FAILED"
    assert lines[1:] == text.split("\n")[1:]


def test_noise_goes_first_and_every_line_left_keeps_its_kind() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "samples" / "pytest_failures.txt").read_text()
    regions = detect_regions(text.split("\n"))
    kinds = {line: region.kind for region in regions for line in text.split("\n")[region.start : region.stop]}
    source, removed, left = drop_noise(text, regions)
    lines = source.split("\n")
    assert removed > 0 and "[ 20%]" not in source and "_ _ _" not in source
    assert left[0].start == 0 and left[-1].stop == len(lines)
    assert all(a.stop == b.start for a, b in zip(left, left[1:], strict=False))
    for region in left:  # a line left untouched keeps the kind it had in the original
        for line in lines[region.start : region.stop]:
            if line in kinds:
                assert kinds[line] is region.kind, line


def test_a_bare_three_dash_separator_is_not_noise():
    """git format-patch puts '---' between the commit message and the diffstat; without it
    `git am` takes the diffstat for part of the message."""
    from tersify import compress, expand

    patch = ("From 13f22eb Mon Sep 17 00:00:00 2001\nSubject: [PATCH] README: fix the tree\n\n"
             "The architecture tree lists budget/ once.\n---\n README.md | 4 +---\n"
             " 1 file changed, 1 insertion(+), 3 deletions(-)\n")
    assert "\n---\n" in expand(compress(patch).text)
