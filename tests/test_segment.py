import numpy as np

from tersify.text.segment import overlapping_words, segment


def test_words_are_maximal_non_whitespace_runs_with_offsets_and_lines():
    text = "  hello world\r\n\tfoo  bar\n\nbaz"
    words = segment(text)
    assert words.strings() == ["hello", "world", "foo", "bar", "baz"]
    assert [text[s:e] for s, e in zip(words.starts, words.ends, strict=True)] == words.strings()
    assert words.lines.tolist() == [0, 0, 1, 1, 3]
    assert words.line_starts.tolist() == [0, 15, 25, 26]


def test_segmentation_matches_str_split_on_unicode_whitespace():
    text = "a\u3000b\u00a0c\u2028d\x1fe\x0bf\u200bg"
    assert segment(text).strings() == text.split()


def test_empty_and_whitespace_only():
    assert len(segment("")) == 0
    assert len(segment(" \t\r\n \n")) == 0


def test_lone_surrogates_from_undecodable_bytes_are_word_characters():
    text = b"ok \xff\xfe bad".decode("utf-8", errors="surrogateescape")
    assert segment(text).strings() == ["ok", "\udcff\udcfe", "bad"]


def test_overlapping_words_marks_every_touched_word():
    words = segment("aa bb cc dd")
    mask = overlapping_words(words, np.array([1, 10]), np.array([4, 11]))
    assert mask.tolist() == [True, True, False, True]


def test_line_bounds_give_each_lines_word_range():
    words = segment("a b\n\nc\nd e f")
    assert words.line_bounds() == [0, 2, 2, 3, 6]
