"""The pair record: one (verbose ``text``, compressed ``reference``) example.

Stored as JSONL, one object per line: ``text``, ``reference``, ``domain``, ``source``
and an optional ``id``. ``reference`` is ``None`` for items judged without one (the
``dense`` eval set) and for raw texts that a labeller has not seen yet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PairRecord:
    text: str
    reference: str | None
    domain: str
    source: str
    id: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        if d["id"] is None:
            del d["id"]
        return d

    def with_reference(self, reference: str | None) -> PairRecord:
        return PairRecord(self.text, reference, self.domain, self.source, self.id)
