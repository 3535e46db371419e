"""Pattern blocks whose lines all start alike (one file's diagnostics, one host's log): that
start said once in the marker."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tersify.compaction import compact, expand
from tersify.compaction.engine import _expand_lines
from tersify.compaction.patterns import PatternForm
from tersify.regions import Kind, Region

RUFF = """\
site-packages/rich/text.py:44:36: UP045 [*] Use `X | None` for type annotations
site-packages/rich/text.py:57:9: D105 Missing docstring in magic method
site-packages/rich/text.py:60:9: D105 Missing docstring in magic method
site-packages/rich/text.py:124:89: E501 Line too long (101 > 88)
site-packages/rich/text.py:125:89: E501 Line too long (96 > 88)
site-packages/rich/text.py:126:89: E501 Line too long (95 > 88)
site-packages/rich/text.py:128:89: E501 Line too long (108 > 88)
site-packages/rich/text.py:129:89: E501 Line too long (89 > 88)
site-packages/rich/text.py:151:18: UP045 [*] Use `X | None` for type annotations
site-packages/rich/text.py:153:19: UP045 [*] Use `X | None` for type annotations
site-packages/rich/text.py:154:16: UP045 [*] Use `X | None` for type annotations
site-packages/rich/text.py:159:23: UP045 [*] Use `X | None` for type annotations"""


def _blocks(text: str) -> list:
    lines = text.split("\n")
    return list(PatternForm().find(lines, [Region(Kind.PROSE, 0, len(lines))]))


def test_ruff_diagnostics_of_one_file_say_the_path_once() -> None:
    shared = [b for b in _blocks(RUFF) if "start with" in b.lines[0]]
    assert len(shared) == 1
    assert "\n".join(shared[0].lines) == (
        '[the next 12 lines start with "site-packages/rich/text.py:"; after it they use 2 patterns; '
        'a row is a pattern\'s name, then its {} values; "=" rows are the rest as is]\n'
        'A "{}: UP045 [*] Use `X | None` for type annotations"\n'
        'B "{}:89: E501 Line too long ({} > 88)"\n'
        "A 44:36\n"
        "= 57:9: D105 Missing docstring in magic method\n"
        "= 60:9: D105 Missing docstring in magic method\n"
        "B 124 101\nB 125 96\nB 126 95\nB 128 108\nB 129 89\n"
        "A 151:18\nA 153:19\nA 154:16\nA 159:23"
    )
    assert _expand_lines(shared[0].lines) == RUFF.split("\n")


def test_a_shared_start_with_quotes_and_backslashes_round_trips() -> None:
    text = "\n".join(
        f'C:\\src\\"app"\\main.c:{n}:5: '
        + ("note: declared here" if n % 3 else f"warning: unused variable x{n}")
        for n in range(10, 30)
    )
    assert any("start with" in b.lines[0] for b in _blocks(text))
    assert expand(compact(text, [Region(Kind.PROSE, 0, 20)]).text) == text


_WORD = st.sampled_from(["12", "7:3", "ok", "E501", '"q"', "\\n", "{}", "=", "a b", "\t", "[x]"])


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["pkg/mod.py:", 'C:\\"x"\\y.c:', "host-1 sshd[22]: ", "[the next 2 lines "]),
    st.lists(st.lists(_WORD, min_size=1, max_size=5), min_size=3, max_size=20),
)
def test_shared_start_blocks_expand_exactly(start: str, rows: list[list[str]]) -> None:
    lines = [start + " ".join(words) for words in rows]
    for block in PatternForm().find(lines, [Region(Kind.PROSE, 0, len(lines))]):
        assert _expand_lines(block.lines) == lines[block.start : block.stop]


# git log (harvest-018): blank lines between a commit's header and its message.
GIT_LOG = "".join(
    f"commit {h * 40}\nAuthor: Alice Example <alice@example.com>\nDate:   Thu Nov 26 0{n}:04:58 2026 +0000\n"
    f"\n    message number {n}\n\n"
    for n, h in enumerate("abcdef")
)


def test_empty_lines_in_a_pattern_block_are_empty_rows() -> None:
    out = compact(GIT_LOG, [Region(Kind.PROSE, 0, len(GIT_LOG.split("\n")) - 1)]).text
    assert expand(out) == GIT_LOG
    assert "[the next" in out and "\n\n" in out and "\n= \n" not in out


def test_an_empty_row_after_a_shared_start_is_that_start_alone() -> None:
    block = (
        '[the next 2 lines start with "x: "; after it they use 1 pattern; a row is a pattern\'s name, '
        "then its {} values]",
        'A "{} ok"',
        "A 1",
        "",
    )
    assert _expand_lines(block) == ["x: 1 ok", "x: "]
