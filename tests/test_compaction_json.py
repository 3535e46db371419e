"""JSON forms: minified pretty-printed documents and arrays of like objects as tables."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tersify.compaction import compact, expand
from tersify.compaction.json_forms import JsonForm, Layout, lay_out, minify
from tersify.errors import TersifyError
from tersify.regions import Kind, Region


def json_regions(lines: list[str]) -> list[Region]:
    """Whole-line JSON documents of ``lines`` as JSON regions (greedy), the rest as prose."""
    regions: list[Region] = []
    i = at = 0
    while i < len(lines):
        stop = 0
        if lines[i][:1] in "{[":
            for j in range(len(lines), i, -1):
                try:
                    json.loads("\n".join(lines[i:j]))
                except ValueError:
                    continue
                stop = j
                break
        if stop:
            if at < i:
                regions.append(Region(Kind.PROSE, at, i))
            regions.append(Region(Kind.JSON, i, stop))
            i = at = stop
        else:
            i += 1
    if at < len(lines):
        regions.append(Region(Kind.PROSE, at, len(lines)))
    return regions


def round_trip(text: str) -> str:
    lines = text.split("\n")
    done = compact(text, json_regions(lines))
    assert expand(done.text) == text
    return done.text


def whole(text: str) -> str:
    """``text`` compacted as one JSON region."""
    lines = text.split("\n")
    done = compact(text, [Region(Kind.JSON, 0, len(lines))])
    assert expand(done.text) == text
    return done.text


# -- one small real example per form --------------------------------------------------------

JQ_USERS = """{
  "data": [
    {
      "id": 1,
      "name": "alice",
      "roles": [
        "admin"
      ],
      "quota_mb": 512
    },
    {
      "id": 2,
      "name": "bob",
      "roles": [],
      "quota_mb": 0
    }
  ],
  "total": 2
}
"""

PIP_LIST = (
    '[{"name": "accelerate", "version": "1.15.0"}, {"name": "annotated-doc", "version": "0.0.7"}, '
    '{"name": "annotated-types", "version": "0.7.0"}, {"name": "anthropic", "version": "2.14.0"}, '
    '{"name": "antlr4-python3-runtime", "version": "4.13.2"}, {"name": "anyio", "version": "4.16.0"}, '
    '{"name": "asttokens", "version": "3.0.1"}, {"name": "attrs", "version": "26.1.0"}, '
    '{"name": "aws-sam-translator", "version": "1.110.0"}, {"name": "aws-xray-sdk", "version": "2.15.0"}, '
    '{"name": "awscli", "version": "1.45.11"}, {"name": "backcall", "version": "0.2.0"}, '
    '{"name": "tersify", "version": "0.1.0", "editable_project_location": "/work/main"}]\n'
)


def test_pretty_document_is_minified_under_a_marker() -> None:
    # `curl -s .../api/users | jq .`, a real output.
    assert whole(JQ_USERS) == (
        "[JSON minified from 2-space indent]\n"
        '{"data":[{"id":1,"name":"alice","roles":["admin"],"quota_mb":512},'
        '{"id":2,"name":"bob","roles":[],"quota_mb":0}],"total":2}\n'
    )


def test_array_of_like_objects_is_a_table() -> None:
    # `pip list --format json` (a real excerpt): one editable package has an extra key.
    assert whole(PIP_LIST) == "\n".join(
        [
            '[JSON minified from one line with ", " and ": "]',
            '[array of 13 objects with keys ["name","version"], one row of values each, '
            "objects with other keys written whole]",
            '["accelerate","1.15.0"]',
            '["annotated-doc","0.0.7"]',
            '["annotated-types","0.7.0"]',
            '["anthropic","2.14.0"]',
            '["antlr4-python3-runtime","4.13.2"]',
            '["anyio","4.16.0"]',
            '["asttokens","3.0.1"]',
            '["attrs","26.1.0"]',
            '["aws-sam-translator","1.110.0"]',
            '["aws-xray-sdk","2.15.0"]',
            '["awscli","1.45.11"]',
            '["backcall","0.2.0"]',
            '{"name":"tersify","version":"0.1.0","editable_project_location":"/work/main"}',
            "",
        ]
    )


# `npm ls --json` in npm's own directory (a real excerpt): dependencies keyed by name.
NPM_LS_DEPS = {
    "@isaacs/string-locale-compare": {"version": "1.1.0", "overridden": False},
    "@npmcli/arborist": {"version": "9.9.1", "overridden": False},
    "@npmcli/config": {"version": "10.12.0", "overridden": False},
    "@npmcli/docs": {
        "required": "^1.0.0",
        "missing": True,
        "problems": ["missing: @npmcli/docs@^1.0.0, required by npm@11.19.1"],
    },
    "@npmcli/eslint-config": {
        "missing": True,
        "problems": ["missing: @npmcli/eslint-config@^5.1.0, required by npm@11.19.1"],
    },
    "@npmcli/fs": {"version": "5.0.0", "overridden": False},
    "@npmcli/git": {"version": "7.0.2", "overridden": False},
    "@npmcli/map-workspaces": {"version": "5.0.3", "overridden": False},
    "@npmcli/metavuln-calculator": {"version": "9.0.3", "overridden": False},
    "@npmcli/mock-globals": {
        "missing": True,
        "problems": ["missing: @npmcli/mock-globals@^1.0.0, required by npm@11.19.1"],
    },
}


def test_object_of_like_objects_is_a_table_of_named_rows() -> None:
    text = json.dumps({"version": "11.19.1", "name": "npm", "dependencies": NPM_LS_DEPS}, indent=2) + "\n"
    assert whole(text).split("\n") == [
        "[JSON minified from 2-space indent]",
        '{"version":"11.19.1","name":"npm","dependencies":',
        '[object of 10 members whose values are objects with keys ["version","overridden"], '
        "one row of name then values each, other members written whole]",
        '["@isaacs/string-locale-compare","1.1.0",false]',
        '["@npmcli/arborist","9.9.1",false]',
        '["@npmcli/config","10.12.0",false]',
        '"@npmcli/docs":{"required":"^1.0.0","missing":true,'
        '"problems":["missing: @npmcli/docs@^1.0.0, required by npm@11.19.1"]}',
        '"@npmcli/eslint-config":{"missing":true,'
        '"problems":["missing: @npmcli/eslint-config@^5.1.0, required by npm@11.19.1"]}',
        '["@npmcli/fs","5.0.0",false]',
        '["@npmcli/git","7.0.2",false]',
        '["@npmcli/map-workspaces","5.0.3",false]',
        '["@npmcli/metavuln-calculator","9.0.3",false]',
        '"@npmcli/mock-globals":{"missing":true,'
        '"problems":["missing: @npmcli/mock-globals@^1.0.0, required by npm@11.19.1"]}',
        "}",
        "",
    ]


def test_nested_table_cuts_the_minified_document() -> None:
    rows = [
        {"id": i, "name": f"user{i}", "email": f"user{i}@example.com", "active": i % 2 == 0} for i in range(6)
    ]
    text = json.dumps({"data": rows, "total": 6}, indent=4) + "\n"
    out = whole(text).split("\n")
    assert out[0] == "[JSON minified from 4-space indent]"
    assert out[1] == '{"data":'
    assert out[2] == '[array of 6 objects with keys ["id","name","email","active"], one row of values each]'
    assert out[3] == '[0,"user0","user0@example.com",true]'
    assert out[9] == ',"total":6}'


# -- refusals ---------------------------------------------------------------------------------

HAND_WRITTEN = """{
    "title": "Core schema meta-schema",
    "definitions": {
        "schemaArray": {
            "type": "array",
            "items": { "$ref": "#" }
        }
    }
}"""


@pytest.mark.parametrize(
    "text",
    [
        HAND_WRITTEN,  # not a serializer's layout (jsonschema's metaschema is written by hand)
        '{\r\n  "a": 1,\r\n  "b": [\r\n    1,\r\n    2\r\n  ]\r\n}',  # CRLF line ends
        '{\n  "a": 1, \n  "b": 2,\n  "c": 3\n}',  # a trailing space
        '{\n  "a": 1,\n    "b": 2,\n  "c": 3\n}',  # one line indented differently
        "[\n  1,\n  2,\n  3\n]  ",
    ],
)
def test_layouts_no_serializer_writes_are_not_proposed(text: str) -> None:
    lines = text.split("\n")
    assert list(JsonForm().find(lines, [Region(Kind.JSON, 0, len(lines))])) == []


def test_other_regions_are_left_alone() -> None:
    text = json.dumps({"a": list(range(20))}, indent=2)
    lines = text.split("\n")
    assert list(JsonForm().find(lines, [Region(Kind.PROSE, 0, len(lines))])) == []


def test_blank_lines_around_the_document_stay_outside_the_block() -> None:
    text = "\n\n" + json.dumps({"a": list(range(20))}, indent=2) + "\n  \n"
    lines = text.split("\n")
    (block,) = JsonForm().find(lines, [Region(Kind.JSON, 0, len(lines))])
    assert (block.start, block.stop) == (2, len(lines) - 2)
    whole(text)


# -- nasty values: literals are copied, never re-serialised -----------------------------------

NASTY = [
    "[\n  0.1,\n  1e100,\n  1E2,\n  -0,\n  -0.0,\n  1.0,\n  1,\n  123456789012345678901234567890\n]",
    '{\n  "a": 1,\n  "a": 2,\n  "b": {\n    "a": 3,\n    "a": 4\n  }\n}',  # duplicate keys
    '[\n  "\\u2028",\n  "\u2028",\n  "\\ud800",\n  "\\udfff\\ud800",\n  "caf\\u00e9",\n  "café"\n]',
    '{\n  "k\\"ey": "v\\\\",\n  "[JSON minified from 2-space indent]": [],\n  "": {}\n}',
    '[\n  [],\n  {},\n  [\n    []\n  ],\n  {\n    "": []\n  }\n]',
    '[\n\t{\n\t\t"a": 1\n\t},\n\t[\n\t\ttrue,\n\t\tfalse,\n\t\tnull\n\t]\n]',
    # mixed key orders: the common order is the header, the others are written whole
    json.dumps(
        [{"package_name": f"p{i}", "installed_version": i} for i in range(8)]
        + [{"installed_version": 9, "package_name": "p9"}, {"package_name": "p10", "installed_version": -0.0}]
    ),
    "\n".join(
        ["["]
        + [
            f'  {{\n    "id": {i},\n    "name": "n{i}",\n    "name": "dup",\n    "x": 1E{i}\n  }},'
            for i in range(5)
        ]
        + ['  {\n    "id": -0,\n    "name": "\\ud800",\n    "name": "\u2028",\n    "x": 0.10\n  }', "]"]
    ),
]


@pytest.mark.parametrize("text", NASTY)
def test_nasty_values_round_trip(text: str) -> None:
    out = whole(text)
    assert json.loads(expand(out)) == json.loads(text)
    # Proposed whether or not it pays here, and every proposal expands to the exact bytes.
    lines = text.split("\n")
    blocks = list(JsonForm().find(lines, [Region(Kind.JSON, 0, len(lines))]))
    assert blocks
    for block in blocks:
        assert expand("\n".join(block.lines)) == text


def test_a_prose_line_that_looks_like_a_marker_is_escaped() -> None:
    marker = "[JSON minified from 2-space indent]"
    table = '[array of 3 objects with keys ["a"], one row of values each]'
    text = f"{marker}\n{table}\n" + json.dumps([{"a": i} for i in range(30)], indent=2) + f"\n{marker}\n"
    assert round_trip(text).split("\n")[0] == "\\" + marker


# -- expansion of malformed blocks --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '[JSON minified from 2-space indent]\n{"a":',  # the document never closes
        '[JSON minified from one line]\n[array of 2 objects with keys ["a"], one row of values each]\n[1]',
        '[JSON minified from one line]\n[array of 1 objects with keys ["a"], one row of values each]\n[1,2]',
        "[JSON minified from one line]\n[array of 1 objects with keys [a], one row of values each]\n[1]",
        "[JSON minified from one line]\n]",
        '[JSON minified from one line]\n[object of 1 members whose values are objects with keys ["a"], '
        "one row of values each]\n[1]",  # member rows without a name
        '[JSON minified from one line]\n[object of 1 members whose values are objects with keys ["a"], '
        "one row of name then values each]\n[]",
    ],
)
def test_malformed_blocks_raise(text: str) -> None:
    with pytest.raises(TersifyError):
        expand(text)


# -- properties ---------------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5),
    max_leaves=30,
)


@st.composite
def tables(draw: st.DrawFn) -> list[dict]:
    keys = draw(st.lists(st.text(max_size=6), min_size=1, max_size=4, unique=True))
    rows = [{k: draw(values) for k in keys} for _ in range(draw(st.integers(3, 8)))]
    odd = draw(st.lists(st.dictionaries(st.text(max_size=3), scalars, max_size=3), max_size=2))
    return rows + odd


documents = st.recursive(
    values | tables(), lambda inner: st.dictionaries(st.text(max_size=5), inner, max_size=3)
)
layouts = st.sampled_from(
    [{"indent": n} for n in range(1, 9)] + [{"indent": "\t"}, {}, {"separators": (",", ":")}]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=documents, layout=layouts, ensure_ascii=st.booleans(), sort_keys=st.booleans())
def test_serializer_output_round_trips(
    value: object, layout: dict, ensure_ascii: bool, sort_keys: bool
) -> None:
    text = json.dumps(value, ensure_ascii=ensure_ascii, sort_keys=sort_keys, **layout)
    for doc in (text, f"$ curl -s localhost/api\n{text}\n"):
        back = expand(round_trip(doc))
        assert back == doc
    assert json.loads(expand(whole(text))) == value


@settings(max_examples=150, deadline=None)
@given(
    value=documents, layout=st.sampled_from([Layout(indent=" " * 2), Layout(indent="\t"), Layout(rows=True)])
)
def test_lay_out_inverts_minify(value: object, layout: Layout) -> None:
    minified = json.dumps(value, separators=(",", ":"))
    assert minify(lay_out(minified, layout)) == minified
    assert json.loads(lay_out(minified, layout)) == value
