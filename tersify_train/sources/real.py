"""Real command outputs harvested on small fixtures by ``scripts/harvest.py``.

The corpus (``data/corpus/real_outputs.jsonl``) holds, per line: ``text`` (the
combined stdout/stderr, scrubbed of the temporary directory, host name and port),
``command``, ``exit_code``, ``domain``, ``source`` (``real:<tool>``) and ``id``. Real
programs write in ways no generator imitates, so these texts are kept apart from the
generated ones and labelled by the teacher like any other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tersify.errors import TersifyError
from tersify_train.sources import DATA_DIR, data_path
from tersify_train.sources.records import PairRecord

REAL_OUTPUTS = DATA_DIR / "corpus" / "real_outputs.jsonl"
_FIELDS = ("text", "command", "exit_code", "domain", "source", "id")


@dataclass(frozen=True)
class RealOutput:
    """One harvested output with the command that produced it and its exit code."""

    text: str
    command: str
    exit_code: int
    domain: str
    source: str
    id: str

    def to_record(self) -> PairRecord:
        return PairRecord(text=self.text, reference=None, domain=self.domain, source=self.source, id=self.id)


def load_real_entries(path: str | Path = REAL_OUTPUTS) -> list[RealOutput]:
    """Every entry of the corpus, validated (a bad line is an error with its line number)."""
    path = Path(path)
    if not path.is_file():
        data_path("corpus")  # no data folder at all: say where the data lives
        raise TersifyError(f"real-output corpus not found: {path} (run scripts/harvest.py)")
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TersifyError(f"{path}:{n}: bad JSON: {exc.msg}") from None
            missing = [f for f in _FIELDS if f not in obj]
            if missing:
                raise TersifyError(f"{path}:{n}: missing field(s) {', '.join(missing)}")
            if not isinstance(obj["exit_code"], int) or not str(obj["text"]).strip():
                raise TersifyError(f"{path}:{n}: exit_code must be an integer and text non-empty")
            out.append(RealOutput(*(obj[f] for f in _FIELDS)))
    return out


def load_real_outputs(path: str | Path = REAL_OUTPUTS) -> list[PairRecord]:
    """The corpus as unlabelled pair records (``reference=None``)."""
    return [e.to_record() for e in load_real_entries(path)]
