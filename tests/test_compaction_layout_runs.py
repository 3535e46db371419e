"""Template runs found by layout: listings whose lines share a directory, not a digit-free shape."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tersify.compaction import compact, expand
from tersify.compaction.engine import _expand_lines
from tersify.compaction.patterns import PatternForm
from tersify.compaction.templates import TemplateForm
from tersify.regions import Kind, Region

FIND = "".join(
    f"site-packages/click/{name}.py\n"
    for name in ("__init__", "_compat", "_termui_impl", "_textwrap", "_utils", "core", "decorators", "exceptions")
)

DU = """\
4.2M\tsite-packages/hypothesis
4.2M\tsite-packages/pydantic
4.5M\tsite-packages/samtranslator
4.6M\tsite-packages/docutils
4.9M\tsite-packages/pydantic_core
5.1M\tsite-packages/mpmath
5.4M\tsite-packages/kiwisolver
6.9M\tsite-packages/IPython
7.3M\tsite-packages/PIL
7.4M\tsite-packages/peft
"""


def _all(text: str) -> list[Region]:
    return [Region(Kind.PROSE, 0, len(text.split("\n")))]


def test_find_listing_keeps_its_directory_once() -> None:
    out = compact(FIND, _all(FIND)).text
    assert expand(out) == FIND
    assert out == (
        '[the next 8 lines follow "site-packages/click/{}.py"; each row below holds one line\'s {} values]\n'
        "__init__\n_compat\n_termui_impl\n_textwrap\n_utils\ncore\ndecorators\nexceptions\n"
    )


def test_du_listing_keeps_the_shared_path_part() -> None:
    out = compact(DU, _all(DU)).text
    assert expand(out) == DU
    assert out == (
        '[the next 10 lines follow "{}\\tsite-packages/{}"; each row below holds one line\'s {} values]\n'
        "4.2M hypothesis\n4.2M pydantic\n4.5M samtranslator\n4.6M docutils\n4.9M pydantic_core\n5.1M mpmath\n"
        "5.4M kiwisolver\n6.9M IPython\n7.3M PIL\n7.4M peft\n"
    )


def test_runs_are_cut_where_the_directory_changes() -> None:
    hooks = ("fsmonitor-watchman", "pre-commit", "pre-push", "pre-rebase", "prepare-commit-msg", "update")
    text = "".join(f"./repo/.git/hooks/{n}.sample\n" for n in hooks)
    text += "".join(f"./src/tersify/compaction/{n}.py\n" for n in ("engine", "forms", "lines", "repeat", "grep"))
    out = compact(text, _all(text)).text
    assert expand(out) == text
    assert '"./repo/.git/hooks/{}.sample"' in out
    assert '"./src/tersify/compaction/{}.py"' in out


_PART = st.text(alphabet="ab/._- \t{}\"\\[]", min_size=0, max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_PART, _PART), min_size=1, max_size=12), st.sampled_from(["pkg/src/", "a b/", "", "{}/"]))
def test_layout_blocks_expand_exactly(pairs: list[tuple[str, str]], prefix: str) -> None:
    lines = [f"{prefix}{a}{b}" for a, b in pairs] + [""]
    for block in TemplateForm().find(lines, [Region(Kind.PROSE, 0, len(lines))]):
        assert _expand_lines(block.lines) == lines[block.start : block.stop]


DU_MIXED = """\
8.0K\tsite-packages/requests/__init__.py
8.0K\tsite-packages/requests/__pycache__/__init__.cpython-311.pyc
8.0K\tsite-packages/requests/__pycache__/help.cpython-311.pyc
8.0K\tsite-packages/requests/__pycache__/status_codes.cpython-311.pyc
8.0K\tsite-packages/requests/_types.py
8.0K\tsite-packages/requests/api.py
8.0K\tsite-packages/requests/exceptions.py
12K\tsite-packages/requests/__pycache__/_types.cpython-311.pyc
12K\tsite-packages/requests/__pycache__/api.cpython-311.pyc
12K\tsite-packages/requests/auth.py
"""


def test_patterns_take_lines_of_one_layout_that_fit_no_shape() -> None:
    out = compact(DU_MIXED, _all(DU_MIXED)).text
    assert expand(out) == DU_MIXED
    assert out == (
        "[the next 10 lines use 2 patterns; a row is a pattern's name, then its {} values]\n"
        'A "{}\\tsite-packages/requests/{}.py"\n'
        'B "{}\\tsite-packages/requests/__pycache__/{}.cpython-311.pyc"\n'
        "A 8.0K __init__\nB 8.0K __init__\nB 8.0K help\nB 8.0K status_codes\n"
        "A 8.0K _types\nA 8.0K api\nA 8.0K exceptions\nB 12K _types\nB 12K api\nA 12K auth\n"
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_PART, _PART, st.sampled_from(["\t", " ", "  "])), min_size=3, max_size=20))
def test_layout_patterns_expand_exactly(rows: list[tuple[str, str, str]]) -> None:
    lines = [f"{a or 'x'}{gap}dir/{b or 'y'}.py" if i % 2 else f"{i} {a}" for i, (a, b, gap) in enumerate(rows)]
    for block in PatternForm().find(lines, [Region(Kind.PROSE, 0, len(lines))]):
        assert _expand_lines(block.lines) == lines[block.start : block.stop]
