"""Dead letters: records a step could not take (bad JSON, text that is not UTF-8, an invalid
record, a scorer error), written to a JSONL file with where each came from and its error,
while the job goes on."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

RAW_CHARS = 2000  # of a bad record's raw content kept in its letter: enough to find it and see why


@dataclass(frozen=True)
class DeadLetter:
    """``where``: ``path@byte`` (JSONL) or ``path#row`` (Parquet); ``raw``: the start of the record."""

    where: str
    error: str
    raw: str

    @classmethod
    def of(cls, where: str, error: str, raw: bytes | str) -> DeadLetter:
        text = raw.decode("utf-8", errors="backslashreplace") if isinstance(raw, bytes) else raw
        return cls(where, error, text[:RAW_CHARS])


def write_dead_letters(path: str | Path, letters: list[DeadLetter]) -> None:
    """Write ``letters`` as JSONL to ``path`` (a temporary file renamed into place)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.tmp-{uuid.uuid4().hex[:8]}")
    with tmp.open("w", encoding="utf-8") as fh:
        for letter in letters:
            fh.write(json.dumps(asdict(letter), ensure_ascii=False) + "\n")
    os.replace(tmp, p)


def read_dead_letters(path: str | Path) -> list[DeadLetter]:
    with Path(path).open(encoding="utf-8") as fh:
        return [DeadLetter(**json.loads(line)) for line in fh if line.strip()]


__all__ = ["DeadLetter", "read_dead_letters", "write_dead_letters"]
