"""Inputs that must never break compression."""

import pytest

from tersify import compress


def assert_sane(text: str, result) -> None:
    out = result.text.split()
    src = text.split()
    it = iter(src)
    assert all(any(w == s for s in it) for w in out)
    assert result.stats.words_in == len(src)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \t \n\n \r\n  ",
        "abc\x00def \x00 ghi\x00\n",
        "bell\x07 esc\x1b[31mred\x1b[0m del\x7f \x01\x02\x03",
        "\tindented\twith\ttabs\n\t\tdeeper\tstill\n",
        "错误：无法打开文件 /var/log/app.log 第 12 行",
        "deploy 🚀 failed 💥 exit 1 ✅ passed",
        "שגיאה: הקובץ לא נמצא error 404 مرحبا لم يتم العثور",
        "mixed \u202eevil\u202c bidi \u200f marks",
    ],
)
def test_odd_text_is_handled(text):
    result = compress(text)
    assert_sane(text, result)
    assert compress(text).text == result.text


def test_must_keep_survives_in_cjk_and_control_text():
    text = "错误 exit 139\x00 SIGSEGV 🙂 not ok"
    out = compress(text).text
    for token in ("139\x00", "SIGSEGV", "not"):
        assert token in out


def test_ten_megabyte_single_line():
    text = ("the request to /api/v1/items returned 503 after 1200ms and the retry was not attempted " * 120_000)
    assert len(text) > 10_000_000 and "\n" not in text
    result = compress(text)
    assert "\n" not in result.text
    assert result.text.count("503") == 120_000
    assert result.text.count("not") == 120_000


def test_one_megabyte_word():
    word = "ab" * 500_000
    text = f"start {word} end the of a 42"
    result = compress(text, rate=0.5)
    assert_sane(text, result)
    assert "42" in result.text


def test_one_megabyte_adversarial_word_for_the_regexes():
    for unit in ("a-", "1.", "a_", "/a", "aB", "0x", ":1"):
        text = unit * 500_000
        assert compress(text).stats.words_in == 1


def test_undecodable_bytes_pass_through_unchanged():
    raw = b"exit 139 \xff\xfe\xfd bad bytes \xc3( here"
    text = raw.decode("utf-8", errors="surrogateescape")
    out = compress(text, rate=1.0).text.encode("utf-8", errors="surrogateescape")
    assert out == raw
