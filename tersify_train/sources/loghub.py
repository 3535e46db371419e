"""Real system logs from the loghub samples (``data/loghub/``, see its README
for source, licence and citation).

Each of the twelve systems has 2,000 raw lines and, per line, the event template that
loghub's parsers agreed on (``<*>`` marks a variable). The raw lines become training
texts (windows of consecutive lines); the template says which values in each line are
variables, so a test can check that a labeller keeps every one of them.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from functools import cache

from tersify.errors import TersifyError
from tersify_train.sources import DATA_DIR, data_path
from tersify_train.sources.records import PairRecord

LOGHUB_DIR = DATA_DIR / "loghub"
SYSTEMS: tuple[str, ...] = tuple(sorted(p.name for p in LOGHUB_DIR.iterdir() if (p / f"{p.name}_2k.log").is_file())) \
    if LOGHUB_DIR.is_dir() else ()

# Templates mark variables with <*>; a few (Mac) also use <NUM> for a number.
_PLACEHOLDER = re.compile(r"<\*>|<NUM>")


@dataclass(frozen=True)
class LogLine:
    """One raw log line, its loghub event template and the values of its variables."""

    line: str
    template: str
    parameters: tuple[str, ...]


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("(.*?)".join(re.escape(part) for part in _PLACEHOLDER.split(template)), re.S)


def template_values(content: str, template: str) -> tuple[str, ...] | None:
    """The values that fill the placeholders of ``template`` in ``content`` (the message
    part of a line), or ``None`` when the template does not match."""
    m = _template_regex(template).fullmatch(content)
    return None if m is None else m.groups()


@cache
def load_system(name: str) -> tuple[LogLine, ...]:
    """All 2,000 lines of one system, with their templates and parameter values.

    A line whose template does not match its content (none in the shipped samples)
    gets no parameters rather than wrong ones.
    """
    if name not in SYSTEMS:
        raise TersifyError(f"unknown loghub system {name!r} (known: {', '.join(SYSTEMS) or 'none found'})")
    folder = LOGHUB_DIR / name
    raw = (folder / f"{name}_2k.log").read_text(encoding="utf-8", errors="replace").split("\n")
    lines = [line.rstrip("\r") for line in raw]
    if lines and lines[-1] == "":
        lines.pop()
    with open(folder / f"{name}_2k.log_structured.csv", encoding="utf-8", errors="replace", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if len(rows) != len(lines):
        raise TersifyError(f"loghub {name}: {len(lines)} log lines but {len(rows)} structured rows")
    out = []
    for line, row in zip(lines, rows, strict=True):
        params = template_values(row["Content"], row["EventTemplate"])
        out.append(LogLine(line, row["EventTemplate"], tuple(params or ())))
    return tuple(out)


@cache
def _parameters_by_line(name: str) -> dict[str, tuple[str, ...]]:
    return {ll.line: ll.parameters for ll in load_system(name)}


def windows(n: int, seed: int = 0, lines_per_window: tuple[int, int] = (8, 40),
            systems: tuple[str, ...] | None = None) -> list[PairRecord]:
    """``n`` windows of consecutive raw lines, systems taken in turn, unlabelled.

    Window ``i`` comes from system ``i % len(systems)``, at a seeded random position and
    length; ids are ``loghub-<seed>-<i>-<System>-L<first>-<last>`` (1-based lines).
    """
    systems = SYSTEMS if systems is None else systems
    if not systems:
        data_path("loghub")  # no data folder at all: say where the data lives
        raise TersifyError(f"no loghub samples found in {LOGHUB_DIR}")
    lo, hi = lines_per_window
    if not 1 <= lo <= hi:
        raise TersifyError(f"lines_per_window must be 1 <= min <= max, got {lines_per_window}")
    rng = random.Random(f"loghub-{seed}")
    out = []
    for i in range(n):
        name = systems[i % len(systems)]
        lines = load_system(name)
        size = min(rng.randint(lo, hi), len(lines))
        start = rng.randint(0, len(lines) - size)
        text = "\n".join(ll.line for ll in lines[start : start + size])
        rid = f"loghub-{seed}-{i}-{name}-L{start + 1}-{start + size}"
        out.append(PairRecord(text=text, reference=None, domain="syslog", source=f"loghub:{name}", id=rid))
    return out


def template_parameters(window_record: PairRecord) -> list[str]:
    """Every ``<*>`` value of every line of a loghub window, in order (from the
    structured CSV), so a check can ask whether a compression kept each one. Empty
    values (a placeholder that matched nothing) are left out: there is nothing to keep."""
    if not window_record.source.startswith("loghub:"):
        raise TersifyError(f"not a loghub record: source {window_record.source!r}")
    by_line = _parameters_by_line(window_record.source.split(":", 1)[1])
    params: list[str] = []
    for line in window_record.text.split("\n"):
        if line not in by_line:
            raise TersifyError(f"line not in loghub {window_record.source}: {line[:80]!r}")
        params.extend(p for p in by_line[line] if p.strip())
    return params
