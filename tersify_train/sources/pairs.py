"""Reading and writing pair files (JSONL, one :class:`PairRecord` per line).

Every line is validated; each problem names its file and line (bad JSON, not an object,
a missing or mistyped field, an empty text, a reference that is not extractive). In
``strict`` mode the first problem is an error; in ``skip`` mode bad lines are left out
and listed in the report. Either way the counts of lines read, kept and rejected are
reported: nothing is skipped silently.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tersify.errors import TersifyError
from tersify_train.sources.records import PairRecord

REQUIRED_FIELDS = ("text", "reference", "domain", "source")
MAX_PROBLEMS_SHOWN = 10


@dataclass
class LoadReport:
    """What a load did: lines read, records kept, lines rejected and why (``file:line: why``)."""

    path: str
    read: int = 0
    kept: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        return f"{self.path}: read {self.read}, kept {self.kept}, rejected {self.rejected}"

    def format(self, limit: int = MAX_PROBLEMS_SHOWN) -> str:
        lines = [self.summary(), *self.problems[:limit]]
        if self.rejected > limit:
            lines.append(f"... and {self.rejected - limit} more")
        return "\n".join(lines)


class PairList(list):
    """The records of a pair file, with the :class:`LoadReport` of their loading as ``.report``."""

    report: LoadReport


def is_extractive(text: str, reference: str) -> bool:
    """Whether every line of ``reference`` is an ordered word subsequence of a text line, lines
    in text order: what word dropping can produce (whitespace is not compared)."""
    from tersify_train.eval.metrics import line_fidelity

    return not reference.strip() or line_fidelity(text, reference, indentation=False) == 1.0


def validate_record(obj: object, *, require_reference: bool, extractive: bool) -> tuple[PairRecord | None, str]:
    """A decoded JSON value as a :class:`PairRecord`, or ``(None, why)`` when it is not a valid one."""
    if not isinstance(obj, dict):
        return None, f"expected a JSON object, got {type(obj).__name__}"
    for name in REQUIRED_FIELDS:
        if name not in obj and not (name == "reference" and not require_reference):
            return None, f"missing field {name!r}"
    text, ref, domain, source = (obj.get(n) for n in REQUIRED_FIELDS)  # a missing reference is null
    rid = obj.get("id")
    if not isinstance(text, str):
        return None, f"field 'text' must be a string, got {type(text).__name__}"
    if not text.strip():
        return None, "empty text"
    if ref is not None and not isinstance(ref, str):
        return None, f"field 'reference' must be a string or null, got {type(ref).__name__}"
    if ref is None and require_reference:
        return None, "reference is null (this file must have references)"
    for name, value in (("domain", domain), ("source", source)):
        if not isinstance(value, str) or not value:
            return None, f"field {name!r} must be a non-empty string"
    if rid is not None and not isinstance(rid, str):
        return None, f"field 'id' must be a string, got {type(rid).__name__}"
    if extractive and ref is not None and not is_extractive(text, ref):
        return None, "reference is not extractive (a line is not an ordered subsequence of a text line)"
    return PairRecord(text, ref, domain, source, rid), ""


def load_pairs(
    path: str | Path,
    *,
    require_reference: bool = True,
    extractive: bool = True,
    strict: bool = False,
    quiet: bool = False,
) -> PairList:
    """Load a pair file. ``extractive``: reject references that word dropping cannot produce
    (turn off for Q&A-style references). ``strict``: the first problem raises
    :class:`TersifyError`; otherwise bad lines are rejected and reported. The summary (and
    the first problems) go to standard error unless ``quiet``; the returned list carries the
    report as ``.report``."""
    p = Path(path)
    if not p.is_file():
        raise TersifyError(f"{path}: no such file")
    report = LoadReport(str(path))
    records = PairList()
    records.report = report
    try:
        handle = p.open("r", encoding="utf-8")
    except OSError as exc:
        raise TersifyError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with handle:
        lineno = 0
        try:
            for lineno, raw in enumerate(handle, start=1):  # noqa: B007 - lineno used after the loop
                if not raw.strip():
                    continue
                report.read += 1
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError as exc:
                    record, why = None, f"bad JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})"
                else:
                    record, why = validate_record(obj, require_reference=require_reference, extractive=extractive)
                if record is None:
                    problem = f"{path}:{lineno}: {why}"
                    if strict:
                        raise TersifyError(problem)
                    report.problems.append(problem)
                    continue
                records.append(record)
                report.kept += 1
        except UnicodeDecodeError as exc:
            raise TersifyError(f"{path}:{lineno + 1}: not UTF-8 ({exc.reason})") from exc
    if not quiet:
        print(report.format(), file=sys.stderr)
    return records


def write_pairs(path: str | Path, records: Iterable[PairRecord]) -> int:
    """Write records as JSONL (UTF-8, one object per line, keys in a fixed order); return the count."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with p.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    return n


__all__ = ["LoadReport", "PairList", "is_extractive", "load_pairs", "validate_record", "write_pairs"]
