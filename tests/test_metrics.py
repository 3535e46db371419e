"""The metrics on hand-computed cases, the seed's own pair first."""

from __future__ import annotations

import pytest

from tersify_train.eval.metrics import (
    aggregate,
    content_words,
    exact_keep_pct,
    first_mention_retention,
    keep_rate,
    line_fidelity,
    missing_by_category,
    mk_in_ref,
    must_keep_count,
    protected_retention,
    record_metrics,
    safety_floor,
    savings_efficiency,
)

SEED_TEXT = (
    "The attention mechanism in transformers scales as O(n²) with sequence length, so a 512-token input "
    "requires 262,144 attention computations per layer. At 22 layers this is 5,767,168 operations total. "
    "Modern GPUs handle this in ~3ms per token."
)
SEED_REF = "Transformers use O(n²) attention. At 512 tokens and 22 layers, this takes ~3ms per token on modern GPUs."


def test_seed_pair_missing_numbers():
    count = must_keep_count(SEED_TEXT, SEED_REF)
    # 512, 262,144, 22, 5,767,168 (number); GPUs (camelcase); ~3ms (number_unit); 3ms (identifier)
    assert count.n_total == 7
    assert count.total["number"] == 4
    assert count.missing == {"number": 2}
    report = missing_by_category([(SEED_TEXT, SEED_REF)])
    assert report.per_category_missing["number"] == 2
    assert report.mk_in_ref == pytest.approx(5 / 7)
    assert mk_in_ref([(SEED_TEXT, SEED_REF)]) == pytest.approx(5 / 7)
    assert "number      :     2  (28.6%)" in report.format()


def test_seed_pair_kept_and_dropped_tokens():
    for kept in ("512", "22", "~3ms"):
        assert exact_keep_pct(kept, SEED_REF) == 1.0, kept
    for dropped in ("262,144", "5,767,168"):
        assert exact_keep_pct(dropped, SEED_REF) == 0.0, dropped


def test_duplicates_counted_and_boundaries():
    assert exact_keep_pct("exit 139 then 139 again", "exit 139") == pytest.approx(0.5)
    assert exact_keep_pct("port 22 open", "year 2022") == 0.0  # 22 is not inside 2022
    assert exact_keep_pct("edit Cargo.toml now", "Cargo.toml") == 1.0
    assert exact_keep_pct("nothing to see here", "") == 0.0  # the protected word is a must-keep match
    assert exact_keep_pct("plain words only here", "") == 1.0  # no must-keep match at all


def test_keep_rate_words_and_tokens():
    assert keep_rate("a b c d", "a c") == 0.5
    assert keep_rate("", "") == 1.0
    chars = len  # a "tokenizer" that counts characters
    assert keep_rate("abcd", "ab", tokens=chars) == 0.5


def test_floor_and_savings_efficiency():
    text = "the build failed with exit code 2"
    # must-keep/protected words: failed, 2 -> 2 of 7
    assert safety_floor(text) == pytest.approx(2 / 7)
    assert savings_efficiency(0.5, 0.25) == pytest.approx(0.5 / 0.75)
    assert savings_efficiency(1.0, 1.0) == 1.0


def test_protected_retention():
    assert protected_retention("test not passed, not run", "test not passed") == pytest.approx(2 / 3)
    assert protected_retention("all good", "") == 1.0
    assert protected_retention("FAILED twice", "failed") == 1.0  # case-insensitive


def test_first_mention_retention():
    text = "the cache server restarted; the cache is warm"
    assert content_words(text) == ["cache", "server", "restarted", "warm"]
    assert first_mention_retention(text, "cache server warm") == pytest.approx(3 / 4)
    assert first_mention_retention(text, text) == 1.0


def test_line_fidelity():
    text = "alpha beta gamma\n  delta epsilon\nzeta eta"
    assert line_fidelity(text, "alpha gamma\n  epsilon\nzeta") == 1.0
    assert line_fidelity(text, "  epsilon\nalpha") == 0.5  # out of order
    assert line_fidelity(text, "alpha delta") == 0.0  # two lines merged
    assert line_fidelity(text, "epsilon") == 0.0  # indentation lost
    assert line_fidelity(text, "epsilon", indentation=False) == 1.0
    assert line_fidelity(text, "gamma alpha") == 0.0  # reordered


def test_record_metrics_and_aggregate():
    text = "Note: the job failed with code 3"
    m = record_metrics(text, "job failed code 3", tokens=len)
    assert m["exact_keep_pct"] == 1.0 and m["protected_retention"] == 1.0 and m["line_fidelity"] == 1.0
    agg = aggregate([m, record_metrics(text, text, tokens=len)])
    assert agg["n"] == 2
    assert agg["keep_rate"] == pytest.approx((4 / 7 + 1) / 2)
    assert "savings_efficiency" in agg and "token_keep_rate" in agg


# --- by region: prose keep in real tokens, error-message fidelity, structure ------------------------

REGIONS_TEXT = ("Error: could not open the file config.yaml\n"
                "warning: the build will not include the optional feature\n"
                '  File "a.py", line 3, in f\n'
                "    return g(x)")


def test_region_counts_prose_tokens_error_words_and_structure():
    from tersify.tokens import count_tokens
    from tersify_train.eval.regional import line_kinds, prose_lines, region_counts

    assert [k.value for k in line_kinds(REGIONS_TEXT.split("\n"))] == ["error", "prose", "code", "code"]
    assert prose_lines(REGIONS_TEXT) == [1]
    # The pipeline's way: prose loses filler, the error line only its article, code stays whole.
    out = ("Error: could not open file config.yaml\n"
           "warning: build will not include feature\n"
           '  File "a.py", line 3, in f\n'
           "    return g(x)")
    counts = region_counts(REGIONS_TEXT, out)
    assert count_tokens("warning: the build will not include the optional feature") == 10
    assert count_tokens("warning: build will not include feature") == 7
    assert counts == {"prose_tokens_in": 10, "prose_tokens_kept": 7, "error_words_in": 6, "error_words_kept": 6,
                      "structure_checks": 2, "structure_ok": 2}
    # A word of the error message gone, a bracket of the code line gone: fidelity 5/6, both checks fail.
    broken = out.replace("not open", "not").replace("g(x)", "g(x")
    counts = region_counts(REGIONS_TEXT, broken)
    assert (counts["error_words_kept"], counts["structure_ok"]) == (5, 0)
    json_text = '{"a": [1, 2], "b": "x"}'
    assert region_counts(json_text, json_text)["structure_ok"] == 2  # JSON equal, brackets balanced
    assert region_counts(json_text, '{"a": [1, 2]')["structure_ok"] == 0


def test_aggregate_pools_region_counts():
    text = REGIONS_TEXT
    kept_all = record_metrics(text, text)
    lossy = record_metrics(text, text.replace("the optional ", "").replace("could not open", "could not"))
    agg = aggregate([kept_all, lossy])
    assert agg["prose_tokens_in"] == 20 and agg["prose_tokens_kept"] == 18
    assert agg["prose_token_keep_rate"] == pytest.approx(18 / 20)
    assert agg["error_message_fidelity"] == pytest.approx(11 / 12)  # pooled words, articles not counted
    assert agg["structure_pass_rate"] == pytest.approx(3 / 4)  # the code-lines check fails once
    no_prose = aggregate([record_metrics("a = 1", "a = 1")])
    assert no_prose["prose_token_keep_rate"] == 1.0 and no_prose["error_message_fidelity"] == 1.0
