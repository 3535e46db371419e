"""Region detection and named noise, on real snippets (corpus, samples, loghub) and properties."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tersify.regions import (
    DROP_POLICY,
    NOISE_CATEGORIES,
    Drop,
    Kind,
    Region,
    detect_regions,
    label_lines,
    noise_spans,
)
from tersify.regions.noise import noise_category

P, E, S, T, C, D, J, L, TB, B = (
    Kind.PROSE,
    Kind.ERROR,
    Kind.STATUS,
    Kind.TEST,
    Kind.CODE,
    Kind.DIFF,
    Kind.JSON,
    Kind.LOG,
    Kind.TABLE,
    Kind.BLANK,
)


def kinds_of(text: str) -> list[Kind]:
    return label_lines(text.split("\n"))


def check(snippet: list[tuple[Kind, str]]) -> None:
    text = "\n".join(line for _kind, line in snippet)
    got = kinds_of(text)
    bad = [(w.name, g.name, line) for (w, line), g in zip(snippet, got, strict=True) if w is not g]
    assert not bad, bad


def test_public_names_and_policy() -> None:
    assert DROP_POLICY[Kind.PROSE] is Drop.WORDS and DROP_POLICY[Kind.ERROR] is Drop.ARTICLES
    assert all(DROP_POLICY[k] is Drop.NEVER for k in (C, D, J, S, T, TB, L, B))
    assert detect_regions([]) == []
    assert detect_regions(["x"]) == [Region(P, 0, 1)]


def test_pytest_failure() -> None:  # corpus: python -m pytest -x --tb=long
    check(
        [
            (S, "=================================== FAILURES ==================================="),
            (S, "____________________________ test_total_missing_qty ____________________________"),
            (B, ""),
            (C, "    def test_total_missing_qty():"),
            (C, '>       assert total([{"price": 3}]) == 3'),
            (C, "               ^^^^^^^^^^^^^^^^^^^^^"),
            (B, ""),
            (C, "tests/test_pricing.py:16: "),
            (S, "_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ "),
            (C, "lines = [{'price': 3}]"),
            (C, '>       return sum(l["price"] * l["qty"] for l in lines)'),
            (E, "E   KeyError: 'qty'"),
            (B, ""),
            (E, "invoicing/pricing.py:11: KeyError"),
            (S, "=========================== short test summary info ============================"),
            (S, "FAILED tests/test_pricing.py::test_total_missing_qty - KeyError: 'qty'"),
            (S, "!!!!!!!!!!!!!!!!!!!!!!!!!! stopping after 1 failures !!!!!!!!!!!!!!!!!!!!!!!!!!!"),
            (S, "========================= 1 failed, 4 passed in 1.54s =========================="),
        ]
    )


def test_test_runner_lines() -> None:
    check(
        [
            (T, "tests/test_pricing.py::test_total_missing_qty FAILED                     [ 50%]"),
            (T, "tests/test_pricing.py::test_sync_to_staging SKIPPED (needs the stagi...) [ 80%]"),
            (T, "....FFFs.F                                                               [100%]"),
            (T, "tests/test_pricing.py ....F"),
            (T, "test tests::seconds ... FAILED"),
            (T, "test_int (tests.test_unit.TestParse.test_int) ... ok"),
            (T, "not ok 2 - rejects a sha1 signature"),
            (T, "ok 1 - accepts a sha256 signature"),
            (
                S,
                "test result: FAILED. 2 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
            ),
            (S, "Ran 2 tests in 0.005s"),
            (S, "FAILED (failures=1)"),
        ]
    )


def test_python_traceback() -> None:  # corpus: python scripts/crash_keyerror.py
    check(
        [
            (S, "Traceback (most recent call last):"),
            (C, '  File "/tmp/work/scripts/crash_keyerror.py", line 16, in <module>'),
            (C, "    connect()"),
            (C, '  File "/tmp/work/scripts/crash_keyerror.py", line 7, in get_setting'),
            (C, "    return CONFIG[section][key]"),
            (C, "           ~~~~~~~~~~~~~~~^^^^^"),
            (S, "  [Previous line repeated 996 more times]"),
            (E, "KeyError: 'user'"),
        ]
    )


def test_compilers() -> None:  # corpus: gcc, rustc, javac, node
    check(
        [
            (P, "main.c: In function ‘main’:"),
            (E, "main.c:10:34: error: expected ‘;’ before ‘return’"),
            (C, '   10 |     printf("%s\\n", buffer_str(b))'),
            (C, "      |                                  ^"),
            (P, "main.c:6:9: warning: unused variable ‘unused’ [-Wunused-variable]"),
            (E, "make: *** [Makefile:10: main.o] Error 1"),
            (E, "error[E0308]: mismatched types"),
            (C, " --> src/main.rs:9:22"),
            (C, "  |"),
            (C, "9 |     let total: u32 = balance(&entries);"),
            (C, "  |                ---   ^^^^^^^^^^^^^^^^^ expected `u32`, found `i64`"),
            (B, ""),
            (E, "Bad.java:6: error: ';' expected"),
            (C, "        int n = names.size()"),
            (C, "                            ^"),
            (S, "1 error"),
            (
                E,
                'Exception in thread "main" java.lang.NullPointerException: Cannot invoke "x" because "<local2>" is null',
            ),
            (C, "\tat Orders.reserve(Orders.java:9)"),
            (C, "/tmp/work/js/handler.js:2"),
            (C, "  return event.headers['x-signature'].startsWith('sha256=');"),
            (C, "                      ^"),
            (B, ""),
            (E, "TypeError: Cannot read properties of undefined (reading 'x-signature')"),
            (C, "    at verify (/tmp/work/js/handler.js:2:23)"),
        ]
    )


def test_error_lines() -> None:
    check(
        [
            (E, "ERROR: No matching distribution found for requests==0.0.1"),
            (E, "fatal: 'origin' does not appear to be a git repository"),
            (E, 'npm error Missing script: "deploy"'),
            (E, "npm ERR! code ENOENT"),
            (E, "panic: runtime error: index out of range [5] with length 3"),
            (E, "curl: (7) Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server"),
            (E, "ls: cannot access 'missing-dir': No such file or directory"),
            (E, "Error: in prepare, no such table: order_items"),
            (E, "invoicing/pricing.py:2:8: F401 [*] `os` imported but unused"),
            (P, "hint: Fix them up in the work tree, and then use 'git add/rm <file>'"),
        ]
    )


GIT_SHOW = """commit 69cecc75eadc386c3968d7d0e031d263754b14e8
Author: Alice Example <alice@example.com>
Date:   Tue Mar 12 10:00:00 2024 +0000

    Retry fetch up to 3 times

diff --git a/client.py b/client.py
index 56ac31c..2297674 100644
--- a/client.py
+++ b/client.py
@@ -1,4 +1,4 @@
-def fetch(url):
+def fetch(url, retries=3):
<SP>
 x = 1
-y
\\ No newline at end of file
+y
\\ No newline at end of file
 1 file changed, 2 insertions(+), 2 deletions(-)""".replace("<SP>", " ")


def test_git_show_diff_uses_hunk_counts() -> None:
    got = kinds_of(GIT_SHOW)
    assert got[:3] == [S, S, S] and got[4] is P
    assert got[6:19] == [D] * 13  # header, hunk and its blank-looking context line " "
    assert got[19] is S  # the diffstat summary after the hunk is no diff line


def test_plain_and_combined_diff() -> None:
    check(
        [
            (D, "--- pkg/invoicing/pricing.py\t2024-03-12 10:00:00.000000000 +0000"),
            (D, "+++ pkg/lint_me.py\t2024-03-12 10:00:00.000000000 +0000"),
            (D, "@@ -1,2 +1,1 @@"),
            (D, "-import json"),
            (D, " "),
            (B, ""),
            (D, "diff --cc settings.ini"),
            (D, "index 8f86cb7,88cc029..0000000"),
            (D, "--- a/settings.ini"),
            (D, "+++ b/settings.ini"),
            (D, "@@@ -1,1 -1,1 +1,3 @@@"),
            (D, "++<<<<<<< HEAD"),
            (D, " +timeout = 45"),
            (D, "++======="),
            (P, "done"),
        ]
    )


def test_json_documents_and_http() -> None:  # corpus: curl -i, jq, sqlite3 -json
    text = """HTTP/1.0 404 Not Found
Server: fixture-api/0.1
Content-Type: application/json

{"error": "not_found", "message": "user 9 does not exist"}
[{"id":4,"total_cents":25000},
{"id":1,"total_cents":4599}]
{
  "name": "alice"
}
{ [63 bytes data]
* Closing connection 0
{'eu': 0.2}"""
    lines = text.split("\n")
    assert label_lines(lines) == [S, TB, TB, B, J, J, J, J, J, J, P, P, P]
    json_regions = [r for r in detect_regions(lines) if r.kind is J]
    assert [(r.start, r.stop) for r in json_regions] == [(4, 5), (5, 7), (7, 10)]


def test_json_body_scalar_after_json_headers() -> None:
    assert kinds_of('HTTP/1.1 200 OK\nContent-Type: application/json\n\n"ok"') == [S, TB, B, J]


def test_logs_and_tables() -> None:
    check(
        [
            (
                L,
                "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38 terminating",
            ),
            (L, "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6"),
            (L, "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0"),
            (
                L,
                "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - x",
            ),
            (
                L,
                "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 RAS KERNEL INFO corrected",
            ),
            (L, "134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change"),
            (L, "03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogsopening app"),
            (L, "[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy HTTPS"),
            (B, ""),
            (TB, "total 64"),
            (TB, "drwx------ 15 root root 4096 Nov 25 20:01 ."),
            (TB, "-rw-r--r--  1 root root  453 Nov 25 20:01 server.log"),
            (B, ""),
            (TB, "Filesystem      Size  Used Avail Use% Mounted on"),
            (TB, "/dev/vda        252G   23G   79G  23% /"),
            (B, ""),
            (TB, "./pkg/invoicing/pricing.py"),
            (TB, "./scripts/zero.py"),
            (TB, " client.py    | 5 +++--"),
            (S, " 2 files changed, 4 insertions(+), 3 deletions(-)"),
            (C, "pkg/invoicing/pricing.py:5:def apply_discount(amount, percent):"),
            (C, "c/ok.c-1-#include <stdio.h>"),
        ]
    )


def test_loghub_systems_are_mostly_log() -> None:
    import glob
    from pathlib import Path

    files = sorted(glob.glob("/work/shared/data/loghub/*/*_2k.log"))
    if not files:
        pytest.skip("loghub not present")
    for f in files:
        lines = [ln for ln in Path(f).read_text(errors="surrogateescape").split("\n")[:300] if ln.strip()]
        kinds = label_lines(lines)
        assert kinds.count(L) / len(kinds) >= 0.95, f


# --- properties -----------------------------------------------------------------------------------
_json_scalar = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)
_json_value = st.recursive(
    _json_scalar,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(), kids, max_size=4),
    max_leaves=12,
)
_container = st.one_of(st.lists(_json_value, max_size=4), st.dictionaries(st.text(), _json_value, max_size=4))
_prose = st.lists(st.from_regex(r"[A-Za-z][A-Za-z ,.:]{0,30}", fullmatch=True), max_size=3)


@settings(max_examples=150, deadline=None)
@given(_container, st.sampled_from([None, 0, 1, 2, 4, "\t"]), st.booleans(), _prose, _prose)
def test_json_contract(value, indent, ascii_only, before, after) -> None:
    doc = json.dumps(value, indent=indent, ensure_ascii=ascii_only).split("\n")
    lines = before + doc + after
    regions = detect_regions(lines)
    hits = [r for r in regions if r.kind is J and r.start == len(before)]
    assert hits, (lines, regions)
    region = hits[0]
    assert region.stop == len(before) + len(doc)
    assert json.loads("\n".join(lines[region.start : region.stop])) == value
    for r in regions:
        if r.kind is J:
            json.loads("\n".join(lines[r.start : r.stop]))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(list(' \t\r{}[]":,-+@|=_#0123456789aEe.>^~/') + ["\ud800", "é"]),
            max_size=30,
        ),
        max_size=25,
    )
)
def test_regions_cover_all_lines_contiguously(lines) -> None:
    regions = detect_regions(lines)
    assert regions == detect_regions(lines)  # deterministic
    pos = 0
    for r in regions:
        assert r.start == pos and r.stop > r.start
        pos = r.stop
    assert pos == len(lines)
    for r in regions:
        if r.kind is J:
            json.loads("\n".join(lines[r.start : r.stop]))


# --- named noise ----------------------------------------------------------------------------------
NOISE_YES = [
    (
        "tests/test_parser.py::test_parse_csv_tags FAILED                         [ 38%]",
        "progress_percent",
        "tests/test_parser.py::test_parse_csv_tags FAILED",
    ),
    (
        "....FFFs.F                                                               [100%]",
        "progress_percent",
        "....FFFs.F",
    ),
    ("[gw0] [ 38%] PASSED tests/x.py::test_a", "progress_percent", "[gw0] PASSED tests/x.py::test_a"),
    ("|████████      | 45%", "progress_bar", ""),
    ("[=====>    ]", "progress_bar", ""),
    ("   ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1.2/3.4 MB 5.6 MB/s eta 0:00:01", "progress_bar", ""),
    (" 45%|████▌     | 45/100 [00:01<00:02, 30.0it/s]", "progress_bar", ""),
    ("⠋ Resolving dependencies", "spinner", " Resolving dependencies"),
    ("======================================================================", "rule", ""),
    ("----------------------------------------------------------------------", "rule", ""),
    ("_ _ _ _ _ _ _ _ _ _ _ _ _ _ _", "rule", ""),
    ("****", "rule", ""),
    (" BENCHMARKS.md | 63 +++++++++-----", "diffstat_bar", " BENCHMARKS.md | 63"),
    (" client.py    | 5 +++--", "diffstat_bar", " client.py    | 5"),
]
NOISE_NO = [
    "[ERROR] Failed to execute goal",
    "[gw0] PASSED tests/x.py::test_a",
    "x[1] = 2",
    "disk usage at 90% on /dev/vda",
    "[1, 2, 3]",
    '["=====", "==="]',
    "+++ b/client.py",
    "--- a/client.py",
    "==== FAILURES ====",
    "____ test_x ____",
    "-----------------  ------  -----",
    "| * 84f816b Raise timeout to 45s",
    "  |                ---   ^^^^^^^^^^^^^^^^^ expected `u32`",
    " 1 file changed, 12 insertions(+), 11 deletions(-)",
    "--",
    "a | b | c",
]


@pytest.mark.parametrize("line,category,left", NOISE_YES)
def test_noise_matches(line: str, category: str, left: str) -> None:
    assert category in noise_category(line)
    spans = noise_spans(line)
    kept = "".join(
        line[a:b]
        for a, b in zip([0] + [b for _a, b in spans], [a for a, _b in spans] + [len(line)], strict=True)
    )
    assert kept == left
    for a, b in spans:  # whole words plus the whitespace before them
        assert a == 0 or line[a - 1].isspace() or line[a].isspace()
        assert b == len(line) or line[b].isspace()


@pytest.mark.parametrize("line", NOISE_NO)
def test_noise_does_not_match(line: str) -> None:
    assert noise_spans(line) == [], noise_category(line)


def test_noise_categories_named_and_described() -> None:
    names = [c.name for c in NOISE_CATEGORIES]
    assert names == ["progress_percent", "progress_bar", "spinner", "rule", "curl_progress", "diffstat_bar"]
    assert all(c.description for c in NOISE_CATEGORIES)
