import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tersify.errors import TersifyError
from tersify.mustkeep import CATEGORIES, MustKeep, resolve
from tersify.text.segment import segment

# The seed's regex (Kompress) as published; tersify.mustkeep.presets rewrites it with
# look-behinds and possessive runs to stay linear, finding the same matches (tested here).
SEED_TIGHT_PATTERN = (
    r"\b0x[0-9A-Fa-f]+\b"
    r"|(?<![\w.])\d+(?:\.\d+)?(?![\w.])"
    r"|[A-Z_]{2,}"
    r"|[a-z_][a-z0-9_]*\.[a-z0-9_]+"
    r"|/[a-z0-9/._-]{2,}"
    r"|\.[a-z]{2,4}\b"
    r"|--?[a-zA-Z][\w-]*"
    r"|\b[A-Z][a-z]+[A-Z]\w*"
)
SEED_ORIGINAL_PATTERN = SEED_TIGHT_PATTERN.replace(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", r"\b\d+(?:\.\d+)?\b")


def found(category: str, text: str) -> list[str]:
    return [text[s.start : s.end] for s in MustKeep(categories=(category,)).find(text)]


SEED_EXAMPLES = [
    ("signal_errno", "crashed with SIGSEGV", "SIGSEGV"),
    ("allcaps", "crashed with SIGSEGV", "SIGSEGV"),
    ("hex", "at address 0x7fff2038 in", "0x7fff2038"),
    ("number", "exit code 139", "139"),
    ("number", "rss 4218 pages", "4218"),
    ("flag", "run with --verbose now", "--verbose"),
    ("flag", "cc -O2 main.c", "-O2"),
    ("dotted", "edit Cargo.toml first", "Cargo.toml"),
    ("file_ext", "edit Cargo.toml first", ".toml"),
    ("unix_path", "see /var/log/app.log for", "/var/log/app.log"),
    ("dotted", "frame libsystem_kernel.dylib +12", "libsystem_kernel.dylib"),
    ("camelcase", "raised TokenExpiredError here", "TokenExpiredError"),
    ("allcaps", "EXC_BAD_INSTRUCTION (code=1)", "EXC_BAD_INSTRUCTION"),
    ("number_unit", "handled in ~3ms per token", "~3ms"),
]

EXTRA_EXAMPLES = [
    ("number_unit", "peak 4218MB after 12.5s", "4218MB"),
    ("url", "fetch https://example.com/a?b=1 failed", "https://example.com/a?b=1"),
    ("email", "mail ops@example.org now", "ops@example.org"),
    ("ipv4", "connect 10.0.0.12 refused", "10.0.0.12"),
    ("ipv6", "bind fe80::1 ok", "fe80::1"),
    ("ipv6", "addr 2001:db8::8a2e:370:7334 up", "2001:db8::8a2e:370:7334"),
    ("host_port", "dial localhost:8080 timed out", "localhost:8080"),
    ("uuid", "req 550e8400-e29b-41d4-a716-446655440000 done", "550e8400-e29b-41d4-a716-446655440000"),
    ("hash", "commit 3f2a9c1 merged", "3f2a9c1"),
    ("hash", "sha256 " + "ab12" * 16, "ab12" * 16),
    ("version", "upgrade to 3.28.33 today", "3.28.33"),
    ("version", "tag v1.2.0-rc1 pushed", "v1.2.0-rc1"),
    ("file_line", "error at src/auth.py:88 near", "src/auth.py:88"),
    ("file_line", "main.go:42:7: undefined", "main.go:42:7"),
    ("windows_path", r"open C:\Users\app\log.txt failed", r"C:\Users\app\log.txt"),
    ("key_value", "rss_mb=4218 ok", "4218"),
    ("key_value", '{"signal": "SIGSEGV"}', '"SIGSEGV"'),
    ("key_value", "retries: 3", "3"),
    ("http_status", "HTTP/1.1 503 Service Unavailable", "503 Service Unavailable"),
    ("http_status", "GET /api 404 Not Found", "404 Not Found"),
    ("signal_errno", "open: ENOENT", "ENOENT"),
    ("signal_errno", "connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"),
    ("identifier", "in load_settings at", "load_settings"),
    ("identifier", "block blk_38865049064139660 done", "blk_38865049064139660"),
    ("conflict_marker", "++<<<<<<< HEAD", "++<<<<<<<"),
    ("conflict_marker", "++=======", "++======="),
    ("conflict_marker", ">>>>>>> feature/backoff", ">>>>>>>"),
    ("conflict_marker", "||||||| merged common ancestors", "|||||||"),
    ("protected", "the test did not pass", "not"),
    ("protected", "can't open", "can't"),
    ("protected", "FAILED tests", "FAILED"),
]


@pytest.mark.parametrize(("category", "text", "expected"), SEED_EXAMPLES + EXTRA_EXAMPLES)
def test_category_catches_example(category, text, expected):
    assert expected in found(category, text)


PROSE = (
    "The quick brown fox jumps over the lazy dog while the committee reviews "
    "their quarterly plans and writes a friendly summary for everyone involved."
)


@pytest.mark.parametrize("category", [c for c in CATEGORIES if c != "protected"])
def test_category_does_not_fire_on_plain_prose(category):
    assert found(category, PROSE) == []


def test_protected_words_only_whole_words():
    assert found("protected", "notable nothing knot") == ["nothing"]


def test_conflict_markers_are_whole_words_of_seven():
    # Rules of other lengths and markers inside a word are decoration or text, not markers.
    text = "======== FAILURES ========\nx=======y <<<<<<<< a<<<<<<< +++=======\n"
    assert found("conflict_marker", text) == []


def test_key_value_with_prose_colon_is_not_a_pair():
    assert found("key_value", "Note: The process has been terminated") == []


_LINEAR_SCRIPT = """
import json, sys
from tersify.mustkeep import SEED_PRESETS, MustKeep
n = int(sys.argv[1])
runs = ["a" * n, "a-" * (n // 2), "a." * (n // 2), "1." * (n // 2), "a_" * (n // 2),
        "/a" * (n // 2), "0" * n, "aB" * (n // 2), ":a" * (n // 2), "\\\\a" * (n // 2)]
mk = MustKeep()
out = []
for run in runs:
    spans = mk.find(run + "!")
    presets = [sum(1 for _ in p.finditer(run + "!")) for p in SEED_PRESETS.values()]
    out.append([sorted({s.category for s in spans}), len(spans), presets])
print(json.dumps(out))
"""


def test_every_category_is_linear_on_adversarial_runs():
    # Runs of 20,000 characters take well under a second when every pattern is linear; a
    # backtracking pattern would need ~10^8 steps per start and blow the time limit, which
    # fails the test instead of hanging the suite.
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _LINEAR_SCRIPT, "20000"], capture_output=True, text=True,
                          timeout=60, check=True)
    assert json.loads(done.stdout) == [
        [[], 0, [0, 0]],
        [[], 0, [1, 1]],
        [["dotted", "file_ext"], 10000, [5000, 5000]],
        [["number", "version"], 2, [5000, 0]],
        [["identifier"], 1, [0, 0]],
        [["unix_path"], 1, [1, 1]],
        [["number"], 1, [1, 1]],
        [["camelcase"], 1, [0, 0]],
        [["key_value"], 1, [0, 0]],
        [[], 0, [0, 0]],
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aZ09._-/:=@x \n\t~%", max_size=80))
def test_word_engine_agrees_with_plain_regex_search(text):
    # Spans are found once per distinct word; that must equal running each pattern on the text.
    for name, cat in CATEGORIES.items():
        if not cat.needs:
            continue
        expected = sorted(m.span(cat.group) if cat.group else m.span() for m in cat.pattern.finditer(text))
        expected = [sp for sp in expected if sp[1] > sp[0]]
        got = sorted((s.start, s.end) for s in MustKeep(categories=(name,)).find(text))
        if name == "key_value":
            assert set(expected) <= set(got), name
        else:
            assert got == expected, name


SEED_VOCABULARY = [
    "SIGSEGV", "0x7fff2038", "139", "3.14", "v2", "x86_64", "libc.so.6", "/var/log/app.log", "--verbose",
    "-O2", "-n", "TokenExpiredError", "the", "Cargo.toml", "load_settings", "1.2.3", "EOF", "src/auth.py:88",
    "262,144", "~3ms", "(code=1)", "dfs.DataNode", "e.g.", "HTTP/1.1", "404", "main.c", "EXC_BAD_ACCESS",
    "well-known", "it's", "[5-50-3]", "a.b", "x", "run", "Failed:",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SEED_VOCABULARY), max_size=12), st.sampled_from([" ", "\n", "  "]))
def test_linear_seed_presets_agree_with_published_regexes(tokens, sep):
    # Equal on ordinary text: whitespace-separated tokens of tool outputs.
    text = sep.join(tokens)
    for preset, raw in (("seed-tight", SEED_TIGHT_PATTERN), ("seed", SEED_ORIGINAL_PATTERN)):
        published = [m.group() for m in re.finditer(raw, text)]
        ours = [text[s.start : s.end] for s in MustKeep(categories=(), preset=preset).find(text)]
        assert sorted(ours) == sorted(published)


def test_seed_presets_differ_on_numbers_inside_tokens():
    text = "v2 build 3.4.5 x86"
    tight = [text[s.start : s.end] for s in MustKeep(categories=(), preset="seed-tight").find(text)]
    original = [text[s.start : s.end] for s in MustKeep(categories=(), preset="seed").find(text)]
    assert "3.4" in original and "3.4" not in tight


def test_resolve_rejects_unknown_category():
    with pytest.raises(TersifyError, match="unknown must-keep category 'nope'"):
        resolve(["number", "nope"])


def test_resolve_forms():
    assert resolve(False) is None
    assert resolve(True).categories == tuple(CATEGORIES)
    assert resolve("seed").preset == "seed"
    assert resolve(["number", "hex"]).categories == ("number", "hex")


def test_word_mask_keeps_whole_word_for_partial_span():
    words = segment("open Cargo.toml now")
    mask = MustKeep(categories=("file_ext",)).word_mask(words)
    assert mask.tolist() == [False, True, False]


def test_word_engine_agrees_with_plain_regex_on_large_real_logs():
    # Large texts take the candidate-filtering path (small ones scan every distinct word).
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "data" / "loghub"
    text = "".join((root / system / f"{system}_2k.log").read_text(errors="replace") for system in ("HDFS", "Mac"))
    words = segment(text)
    for name, cat in CATEGORIES.items():
        if not cat.needs or name == "key_value":
            continue
        expected = sorted(sp for sp in (m.span() for m in cat.pattern.finditer(text)) if sp[1] > sp[0])
        spans = MustKeep(categories=(name,)).spans(words)
        assert sorted(zip(spans.starts.tolist(), spans.ends.tolist(), strict=True)) == expected, name


def test_remembered_word_spans_equal_fresh_matching():
    # Spans of the distinct words of small texts are remembered across calls; a warm call,
    # a cold call and the uncached path for large texts must all find the same spans.
    from tersify.mustkeep import clear_caches
    from tersify.text.lexicon import clear_caches as clear_templates

    texts = [p.read_text() for p in sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.txt"))]
    small = [t[i : i + 700] for t in texts for i in range(0, 6000, 350)]
    mk = MustKeep()

    def spans(text):
        return sorted((s.start, s.end, s.category) for s in mk.find(text))

    clear_caches()
    clear_templates()
    cold = [spans(t) for t in small]
    warm = [spans(t) for t in small]
    clear_caches()
    assert cold == warm == [spans(t) for t in reversed(small)][::-1]
    assert any(cold)
    # A large text (no cache) finds the same spans as its small pieces, piece by piece.
    joined = "\n".join(small)
    offset, expected = 0, []
    for piece in small:
        expected += [(s + offset, e + offset, c) for s, e, c in spans(piece)]
        offset += len(piece) + 1
    assert spans(joined) == sorted(expected)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["HTTP/1.1", "HTTP/2", "404", "200", "999", "Not", "OK", "Found", "rss_mb:", "x=",
                                 '"code":', "Note:", "a", "1234", "{a=", "Bad", "HTTP/3"]), max_size=30))
def test_link_flags_of_one_pass_equal_each_pattern_alone(words):
    # The cross-word rules read whole-word facts found by one combined regex pass; each
    # word's bits must be exactly those of its flags' patterns run one by one.
    from tersify.mustkeep.engine import DistinctWords
    from tersify.mustkeep.links import LINK_FLAGS

    dw = DistinctWords(segment(" ".join(words)))
    bits = dw.compute_link_flags()
    for word, got in zip(dw.strings, bits.tolist(), strict=True):
        expected = 0
        for bit, pattern, _, _ in LINK_FLAGS:
            if pattern.fullmatch(word):
                expected |= bit
        assert got == expected, word
