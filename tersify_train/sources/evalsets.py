"""The fixed eval sets, committed as package data in ``data/evalsets/``:

* ``qa``: Q&A-style pairs (verbose explanation, short answer-style reference), the noisy
  kind of label the seed trained on, from :mod:`tersify_train.sources.qa` drawn with the eval seed;
* ``dense``: hand-written benign dense technical text (``sources/dense.txt``: crash
  reports, kernel and database logs, compiler diagnostics, network configs, performance
  traces, advisories), no references: judged by must-keep survival;
* ``agent``: tool outputs of every generator domain, harvested real command outputs and
  loghub windows, with teacher references;
* ``dense-v2``: short decision-dense outputs chosen adversarially by what models lose, no
  references; frozen, built on its own (:mod:`tersify_train.sources.dense_v2`,
  ``tersify data build-evalsets --dense-v2``), never by :func:`build`.

:func:`build` rebuilds them deterministically (``tersify data build-evalsets``). Eval texts
must never be trained on: every source draws with :data:`EVAL_SEED`, texts that the
training draws (seed 0) would produce are left out at build time, and training code
removes eval texts with :func:`drop_eval_texts` (tested).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path

from tersify.errors import TersifyError
from tersify_train.eval.progress import track
from tersify_train.sources import DATA_DIR, data_path
from tersify_train.sources.pairs import load_pairs, write_pairs
from tersify_train.sources.records import PairRecord

EVALSET_DIR = DATA_DIR / "evalsets"
SOURCES_DIR = EVALSET_DIR / "sources"
NAMES: tuple[str, ...] = ("qa", "dense", "agent", "dense-v2")
NO_REFERENCE: frozenset[str] = frozenset({"dense", "dense-v2"})  # judged by must-keep survival, no references
VERSION = 1

EVAL_SEED = 90_001  # every generated eval item is drawn with this seed; training uses others
TRAIN_SEED = 0  # the training draws the build checks against
TRAIN_CHECK_N = 500  # per domain / source

AGENT_PER_DOMAIN = 20
AGENT_LOGHUB_WINDOWS = 60
AGENT_REAL_SHARE = 4  # about one harvested real output in 4 (by text hash) is held out for eval
QA_PAIRS = 60

_HEADER = re.compile(r"^### (?P<id>[\w.-]+) \| (?P<domain>[\w-]+)\s*$")
_REFERENCE_MARK = "--- reference"


def parse_source(path: Path, *, source: str) -> list[PairRecord]:
    """Items of a hand-written source file: ``### <id> | <domain>`` opens an item, an
    optional ``--- reference`` line separates its text from its reference."""
    items: list[PairRecord] = []
    current: dict | None = None
    lines: list[str] = []

    def close() -> None:
        if current is None:
            return
        body = "\n".join(lines).strip("\n")
        text, sep, ref = body.partition("\n" + _REFERENCE_MARK + "\n")
        items.append(PairRecord(text, ref.strip("\n") if sep else None, current["domain"], source, current["id"]))

    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = _HEADER.match(line)
        if m:
            close()
            current, lines = m.groupdict(), []
        elif current is None:
            if line.strip():
                raise TersifyError(f"{path}:{lineno}: text before the first '### <id> | <domain>' header")
        else:
            lines.append(line)
    close()
    return items


def _qa_items() -> list[PairRecord]:
    from tersify_train.sources.qa import qa_pairs

    training = {r.text for r in qa_pairs(TRAIN_CHECK_N, seed=TRAIN_SEED)}
    return [r for r in qa_pairs(QA_PAIRS, seed=EVAL_SEED) if r.text not in training]


def _dense_items() -> list[PairRecord]:
    return parse_source(SOURCES_DIR / "dense.txt", source="dense:handwritten")


def is_real_eval_text(text: str) -> bool:
    """Whether a harvested real output is held out for eval: a stable hash of its text, so
    duplicate outputs fall on the same side and ids may change between harvests."""
    return int(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), 16) % AGENT_REAL_SHARE == 0


def _agent_texts() -> list[PairRecord]:
    """The unlabelled texts of the agent set: generators, real outputs, loghub windows."""
    out: list[PairRecord] = []
    try:
        from tersify_train.sources.generators import DOMAINS, generate
    except ImportError:
        DOMAINS, generate = (), None  # noqa: N806
    for domain in DOMAINS:
        training = {r.text for r in generate(domain, TRAIN_CHECK_N, seed=TRAIN_SEED)}
        out.extend(r for r in generate(domain, AGENT_PER_DOMAIN, seed=EVAL_SEED) if r.text not in training)
    try:
        from tersify_train.sources.real import load_real_outputs
    except ImportError:
        load_real_outputs = None
    if load_real_outputs is not None:
        out.extend(r for r in load_real_outputs() if is_real_eval_text(r.text))
    try:
        from tersify_train.sources.loghub import SYSTEMS, windows
    except ImportError:
        SYSTEMS = ()  # noqa: N806
    if SYSTEMS:
        training = {r.text for r in windows(TRAIN_CHECK_N, seed=TRAIN_SEED)}
        out.extend(
            r for r in windows(AGENT_LOGHUB_WINDOWS, seed=EVAL_SEED, lines_per_window=(8, 24))
            if r.text not in training
        )
    return out


def _agent_items(progress: Callable[[Sequence, str], Iterable] | None = None) -> list[PairRecord]:
    from tersify_train.labels.teacher import teach

    texts = _agent_texts()
    iterator = progress(texts, "labelling agent set") if progress else texts
    return [r.with_reference(teach(r.text)) for r in iterator]


def build(out_dir: str | Path = EVALSET_DIR, *, progress: bool = False) -> dict[str, int]:
    """Rebuild qa, dense and agent into ``out_dir`` (deterministic); return counts per set.
    ``dense-v2`` is frozen: :func:`tersify_train.sources.dense_v2.build` makes it."""
    bar = track if progress else None
    out = Path(out_dir)
    sets = {"qa": _qa_items(), "dense": _dense_items(), "agent": _agent_items(bar)}
    counts = {}
    for name, records in sets.items():
        _check_ids(name, records)
        counts[name] = write_pairs(out / f"{name}.jsonl", records)
    return counts


def _check_ids(name: str, records: list[PairRecord]) -> None:
    seen: set[str] = set()
    for r in records:
        if not r.id or r.id in seen:
            raise TersifyError(f"eval set {name}: missing or duplicate id {r.id!r}")
        seen.add(r.id)


def evalset_path(name: str) -> Path:
    if name not in NAMES:
        raise TersifyError(f"unknown eval set {name!r} (known: {', '.join(NAMES)})")
    return EVALSET_DIR / f"{name}.jsonl"


@cache
def _load(name: str) -> tuple[PairRecord, ...]:
    path = evalset_path(name)
    if not path.is_file():
        data_path("evalsets")  # no data folder at all: say where the data lives
        raise TersifyError(f"eval set {name!r} not built ({path}); run `tersify data build-evalsets`")
    # qa references are answer-style (not extractive); dense and dense-v2 have none.
    records = load_pairs(path, require_reference=name not in NO_REFERENCE, extractive=name == "agent", strict=True,
                         quiet=True)
    return tuple(records)


def load_evalset(name: str) -> list[PairRecord]:
    """The records of eval set ``name`` (``qa``, ``dense``, ``agent`` or ``dense-v2``)."""
    return list(_load(name))


@lru_cache(maxsize=1)
def eval_texts() -> frozenset[str]:
    """Every text of every eval set (for keeping training data apart)."""
    return frozenset(r.text for name in NAMES for r in _load(name))


def drop_eval_texts(records: Iterable[PairRecord]) -> list[PairRecord]:
    """``records`` without those whose text is in an eval set: call this on training data."""
    held_out = eval_texts()
    return [r for r in records if r.text not in held_out]


__all__ = [
    "EVAL_SEED",
    "NAMES",
    "VERSION",
    "build",
    "drop_eval_texts",
    "eval_texts",
    "evalset_path",
    "is_real_eval_text",
    "load_evalset",
    "parse_source",
]
