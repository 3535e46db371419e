"""Small inputs for the batch-step tests (tests/test_scale*.py): eval-set texts with and
without references, and bad lines of every kind a dead letter records."""

from __future__ import annotations

import json
from pathlib import Path

from tersify_train.sources.evalsets import evalset_path

BAD_JSON = b"{this is not json\n"
NOT_UTF8 = b'{"text": "caf\xe9 cr\xe8me", "reference": null, "domain": "d", "source": "s"}\n'
INVALID = b'{"text": "no domain", "reference": null, "source": "s"}\n'


def good_records(n: int = 18) -> list[dict]:
    """``n`` records of the agent set, every third without its reference (diagnose skips those)."""
    lines = evalset_path("agent").read_text(encoding="utf-8").splitlines()[:n]
    records = [json.loads(line) for line in lines]
    return [{**r, "reference": None} if i % 3 == 2 else r for i, r in enumerate(records)]


def write_input(path: Path, records: list[dict], *, bad: bool = True) -> Path:
    """A JSONL file of ``records``, with the bad lines (and a blank one) spread among them."""
    lines = [(json.dumps(r, ensure_ascii=False) + "\n").encode() for r in records]
    if bad:
        lines.insert(3, BAD_JSON)
        lines.insert(8, b"\n")
        lines.insert(10, NOT_UTF8)
        lines.append(INVALID)
    path.write_bytes(b"".join(lines))
    return path
