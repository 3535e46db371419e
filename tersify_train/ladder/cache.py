"""The ladder's cache: each row is saved under ``runs_dir/<row>/rung.json`` with a
fingerprint of everything it depends on, and reused only while that fingerprint matches
(and its model is still there)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tersify_train.ladder.rows import Row

CACHE_VERSION = 3  # 2: the recipe's data config in the fingerprints; 3: region metrics, dense-v2


def fingerprint(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "missing"


class RowCache:
    """Rows saved under ``runs``; ``fresh`` ignores what is there."""

    def __init__(self, runs: Path, *, fresh: bool = False, log: Callable[[str], None] = print):
        self.runs, self.fresh, self.log = runs, fresh, log

    def load(self, name: str, fp: str) -> Row | None:
        path = self.runs / name / "rung.json"
        if self.fresh or not path.is_file():
            return None
        try:
            row = Row.from_dict(json.loads(path.read_text()))
        except (json.JSONDecodeError, TypeError):
            return None
        if row.fingerprint != fp:
            return None
        if row.model_dir and not (Path(row.model_dir) / "model.onnx").is_file():
            return None
        self.log(f"{name}: cached ({path})")
        return row

    def save(self, row: Row) -> None:
        path = self.runs / row.name / "rung.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(row.to_dict(), indent=2))


__all__ = ["CACHE_VERSION", "RowCache", "file_digest", "fingerprint"]
