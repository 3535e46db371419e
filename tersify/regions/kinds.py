"""Region kinds, the word-dropping policy per kind, and the ``Region`` record."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    PROSE = "prose"  # messages, warnings, notes, explanations
    ERROR = "error"  # error-message lines (Error:, Exception:, pytest "E   ", error:, fatal:)
    STATUS = "status"  # section and status lines (Traceback ..., FAILED ..., === 3 failed ===, summaries)
    TEST = "test"  # test-runner result lines (path::test PASSED/FAILED, dots lines)
    CODE = "code"  # source lines: traceback source, pytest ">" lines, compiler source and caret lines
    DIFF = "diff"  # diff headers, hunk lines, +/-/context lines
    JSON = "json"  # a JSON document or body
    LOG = "log"  # log lines (timestamped, levelled)
    TABLE = "table"  # tables and listings (aligned columns, ls/ps/df, grep hits)
    BLANK = "blank"  # whitespace only
    COMPACTED = "compacted"  # written by compaction: markers and their rows


class Drop(enum.Enum):
    """What word dropping may remove from a line of a kind."""

    NEVER = "never"
    ARTICLES = "articles"  # error-message lines lose at most articles
    WORDS = "words"  # prose: the scorer decides, must-keep and protected words stay


DROP_POLICY: dict[Kind, Drop] = {kind: Drop.NEVER for kind in Kind} | {
    Kind.PROSE: Drop.WORDS,
    Kind.ERROR: Drop.ARTICLES,
}


@dataclass(frozen=True)
class Region:
    kind: Kind
    start: int  # first line index
    stop: int  # one past the last line index

    def __len__(self) -> int:
        return self.stop - self.start
