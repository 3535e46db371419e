"""Lines that were mislabelled: SQL continuations, key: scalar properties, unittest details,
curl's progress meter."""

from __future__ import annotations

from tersify.regions import Kind, label_lines
from tersify.regions.noise import noise_category, noise_spans


def _kinds(text: str) -> list[Kind]:
    return label_lines(text.split("\n"))


def test_sql_statement_continuation_is_code() -> None:  # corpus: sqlite3 shop.db '.schema'
    text = (
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),\n"
        "                     total_cents INTEGER NOT NULL CHECK (total_cents >= 0), created_at TEXT);\n"
        "    and this indented line follows a finished statement"
    )
    assert _kinds(text) == [Kind.CODE, Kind.CODE, Kind.PROSE]


def test_key_scalar_properties_are_table() -> None:  # corpus: npm run build, node --test (TAP YAML)
    text = "\n".join(
        [
            "  errno: -2,",
            "  code: 'ENOENT',",
            "  syscall: 'open',",
            "  duration_ms: 6.509872",
            "  expected: true",
            "  stack: |-",
        ]
    )
    assert _kinds(text) == [Kind.TABLE] * 6
    assert _kinds("  note: this stays a sentence") == [Kind.PROSE]
    assert _kinds("  error: 'x'") == [Kind.ERROR]


def test_unittest_sequence_details_are_error() -> None:  # corpus: python -m unittest -v
    for line in (
        "First differing element 2:",
        "First list contains 1 additional elements.",
        "First extra element 3:",
    ):
        assert _kinds(line) == [Kind.ERROR], line


def test_curl_progress_meter_is_noise() -> None:  # corpus: curl -sS -o /dev/null ...
    lines = [
        "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current",
        "                                 Dload  Upload   Total   Spent    Left  Speed",
        "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"
        "\r100    58  100    58    0     0  35780      0 --:--:-- --:--:-- --:--:-- 58000",
        "100  1234  100  1234    0     0   5k      0  0:00:01  0:00:01 --:--:--  5k",
    ]
    for line in lines:
        assert noise_category(line) == ["curl_progress"], line
        assert noise_spans(line) == [(0, len(line))], line
    for line in ("  % Total of 3 things", "100 58 100 58", "Total   Spent    Left  Speed up"):
        assert "curl_progress" not in noise_category(line), line
