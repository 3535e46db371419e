import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.extractive import assert_extractive, is_subsequence

from tersify import compress
from tersify.dropping import select_words
from tersify.errors import TersifyError
from tersify.mustkeep import MustKeep
from tersify.text.rebuild import rebuild
from tersify.text.segment import segment


class FixedScorer:
    """Scores from a word -> score table (default 0)."""

    name = "fixed"

    def __init__(self, table: dict[str, float] | None = None, default: float = 0.0):
        self.table, self.default = table or {}, default

    def score(self, words):
        return np.array([self.table.get(w, self.default) for w in words.strings()], dtype=np.float32)


def out_words(text: str) -> list[str]:
    return text.split()


def test_rebuild_keeps_lines_indentation_and_inner_spacing():
    text = "def f():\n    x  =\tg(y)   # note\n    return x\n"
    words = segment(text)
    keep = np.array([True, True, True, True, True, False, False, True, True])
    assert rebuild(words, keep) == "def f():\n    x  =\tg(y)\n    return x\n"


def test_dropped_run_becomes_one_space_and_empty_line_disappears():
    text = "alpha the of a beta\nthe of a the\ngamma\n"  # sentences: only they may lose words
    result = compress(text, scorer=FixedScorer({"alpha": 1, "beta": 1, "gamma": 1}), must_keep=False)
    assert result.text == "alpha beta\ngamma\n"


def test_blank_lines_and_untouched_lines_are_copied_exactly():
    text = "one\n\n\n\ntwo  \n   \n\nthree\t\n"
    assert compress(text, scorer=FixedScorer(default=1.0)).text == text


def test_crlf_is_preserved():
    text = "keep this of the a\r\nthe of a the\r\nkeep that\r\n"
    result = compress(text, scorer=FixedScorer({"keep": 1, "this": 1, "that": 1}), must_keep=False)
    assert result.text == "keep this\r\nkeep that\r\n"


def test_must_keep_overrides_scorer():
    text = "the process exited with code 139 and signal SIGSEGV, it did not recover"
    result = compress(text, scorer=FixedScorer())
    assert out_words(result.text) == ["139", "and", "SIGSEGV,", "not"]  # "and" carries logic
    assert result.stats.must_keep_spans_kept == result.stats.must_keep_spans


def test_rate_is_one_global_budget_with_must_keep_counted():
    # A sentence of 30 words (two in three plain words, so it reads as prose): 10 identifiers.
    text = " ".join(f"w{i}" if i % 3 == 0 else ("the" if i == 1 else "filler") for i in range(30))
    scores = {"filler": 0.9}
    result = compress(text, rate=0.5, scorer=FixedScorer(scores), must_keep=False)
    assert result.stats.words_out == 15
    result = compress(text, rate=0.1, scorer=FixedScorer(scores))  # 10 identifiers are must-keep
    assert result.stats.words_out == 10 and result.stats.rate_achieved == pytest.approx(1 / 3)


def test_rate_fills_with_best_scores_earlier_first_on_ties():
    scores = np.array([0.2, 0.9, 0.5, 0.5, 0.1], dtype=np.float32)
    keep = select_words(scores, np.zeros(5, dtype=bool), rate=0.6)
    assert keep.tolist() == [False, True, True, True, False]


def test_threshold_keeps_scores_above():
    scores = np.array([0.2, 0.5, 0.51], dtype=np.float32)
    assert select_words(scores, np.zeros(3, dtype=bool), threshold=0.5).tolist() == [False, False, True]


def test_invalid_arguments_raise_clear_errors():
    with pytest.raises(TersifyError, match="rate"):
        compress("x", rate=1.5)
    with pytest.raises(TersifyError, match="threshold"):
        compress("x", threshold=-0.1)
    with pytest.raises(TersifyError, match="str"):
        compress(b"x")  # type: ignore[arg-type]


def test_scorer_returning_wrong_shape_is_an_error():
    class Bad:
        name = "bad"

        def score(self, words):
            return np.zeros(1)

    with pytest.raises(TersifyError, match="bad"):
        compress("the build has failed again", scorer=Bad())


def test_labeling_guide_json_example_is_kept_whole():
    text = '{"exit_code": 139, "signal": "SIGSEGV", "rss_mb": 4218, "dirty_pages": 1124}'
    assert compress(text).text == text


def test_seed_preset_runs_through_compress():
    result = compress("exit 139 with SIGSEGV at the end", must_keep="seed-tight", scorer=FixedScorer())
    assert out_words(result.text) == ["139", "SIGSEGV"]


# --- properties over random and adversarial text -------------------------------------

TOKENS = st.sampled_from(
    ["the", "a", "of", "error", "not", "139", "0x7f", "--flag", "/usr/lib/x.so", "Foo.bar", "SIGKILL",
     "x=1", "key:", "value", "é", "中文", "🙂", "\u202eabc", "\x00", "\x07", "====", "\t", "  ", "\r\n", "\n",
     "\n\n", "->", "(", "{", "ok,", "v1.2.3", "a_b", "λ"]
)
TEXTS = st.one_of(st.text(max_size=200), st.lists(TOKENS, max_size=60).map(" ".join),
                  st.lists(TOKENS, max_size=60).map("".join))


def check_properties(text: str, result) -> None:
    # Extractive: output words are input words, in order, byte for byte.
    assert is_subsequence(result.text.split(), text.split())
    # Lines never merge: every output line's words come from one input line, lines in order.
    assert_extractive(text, result.text)
    # Every must-keep span of the input appears verbatim in the output.
    for span in MustKeep().find(text):
        assert text[span.start : span.end] in result.text


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.one_of(st.none(), st.floats(0, 1)))
def test_properties_hold_on_random_text(text, rate):
    result = compress(text, rate=rate)
    check_properties(text, result)
    assert compress(text, rate=rate).text == result.text  # deterministic


@settings(max_examples=100, deadline=None)
@given(TEXTS)
def test_properties_hold_with_the_scorer_dropping_everything(text):
    check_properties(text, compress(text, scorer=FixedScorer()))


def test_scores_outside_zero_one_are_clipped_and_nan_counts_as_zero():
    scorer = FixedScorer({"a": float("nan"), "b": -1.0, "c": 2.0, "d": 0.7, "e": float("inf"), "f": float("-inf")})
    r = compress("a b c d e f", scorer=scorer, must_keep=False)
    assert r.scores.dtype == np.float32
    assert r.scores.tolist() == pytest.approx([0.0, 0.0, 1.0, 0.7, 1.0, 0.0])
    assert r.text == "c d e"


def line_by_line_rebuild(text: str, keep: list[bool]) -> str:
    """rebuild()'s rules applied one line at a time, as its docstring states them."""
    out: list[str] = []
    k = 0
    raw_lines = text.split("\n")
    for i, raw in enumerate(raw_lines):
        has_newline = i < len(raw_lines) - 1
        term = "\n" if has_newline else ""
        spans = [m.span() for m in re.finditer(r"\S+", raw)]
        flags = keep[k : k + len(spans)]
        k += len(spans)
        if all(flags):  # no word lost (a blank line too): the line exactly
            out.append(raw + term)
            continue
        if not any(flags):  # every word lost: the line goes, with its terminator
            continue
        cr = "\r" if raw.endswith("\r") else ""
        runs: list[list[int]] = []  # [start, end] of each run of kept words
        for (s, e), kept, prev in zip(spans, flags, [False, *flags[:-1]], strict=True):
            if kept and prev:
                runs[-1][1] = e
            elif kept:
                runs.append([s, e])
        line = raw[: spans[0][0]] + " ".join(raw[s:e] for s, e in runs)
        line += raw[spans[-1][1] :] if flags[-1] else cr
        out.append(line + term)
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.lists(st.booleans(), min_size=200, max_size=200))
def test_rebuild_equals_the_rules_applied_line_by_line(text, flags):
    words = segment(text)
    keep = np.array([flags[i % len(flags)] for i in range(len(words))], dtype=bool)
    assert rebuild(words, keep) == line_by_line_rebuild(text, keep.tolist())


def test_scorer_by_name():
    from tersify.scorers import get_scorer

    text = "The build has failed with exit code 137 after the tests ran.\n"
    for name in ("teacher", "baseline"):
        assert compress(text, scorer=name).text == compress(text, scorer=get_scorer(name)).text
        assert compress(text, scorer=name).stats.scorer == name
    with pytest.raises(TersifyError, match="unknown scorer"):
        compress(text, scorer="nope")


def test_a_word_that_ends_a_sentence_keeps_the_sentences_apart():
    # Dropping "it." would read "Do not set Use the new flag": the negation would move.
    text = "The old flag is ignored now. Do not set it. Use the new --retries flag if you want the retry."
    out = compress(text, scorer=FixedScorer(), must_keep=False).text
    assert out == "now. not it. if"  # the scorer drops all it may; the full stops stay between
