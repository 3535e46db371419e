"""The one training-data recipe: which sources, how many records of each, minus every
eval text. ``tersify train``, the ladder's rungs and ``tersify data generate`` all build
their records here, from one :class:`DataConfig`.

Sources, in this order: domain generator outputs, loghub windows, Q&A pairs (with their
references), the repository's real command outputs, a proxy pair-log export. Every text
that is also in an eval set is left out, whatever its source. Records without a reference
get the teacher's (:func:`teacher_references`) where a caller needs references up front;
the trainer labels them itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from tersify.errors import TersifyError
from tersify_train.eval.progress import track
from tersify_train.labels.teacher import teach
from tersify_train.sources.evalsets import drop_eval_texts
from tersify_train.sources.generators import DOMAINS, generate_all
from tersify_train.sources.loghub import windows
from tersify_train.sources.proxy_logs import proxy_pairs
from tersify_train.sources.qa import qa_pairs
from tersify_train.sources.real import load_real_outputs
from tersify_train.sources.records import PairRecord

SOURCES: tuple[str, ...] = ("generators", "loghub", "qa", "real", "proxy")
DOMAIN_SOURCES: tuple[str, ...] = ("generators", "loghub", "real", "proxy")  # all but the Q&A pairs


@dataclass
class DataConfig:
    """How much of each source to train on (0 or False: none of it)."""

    generated_per_domain: int = 250  # teacher-labelled generator outputs, per domain
    loghub_windows: int = 600  # teacher-labelled windows of real system logs
    qa_pairs: int = 300  # Q&A pairs, labels aligned from their reference and corrected
    real_outputs: bool = True  # the repo's real command outputs, teacher-labelled
    proxy_logs: str | None = None  # a `tersify logs export` file: the proxy's own pairs (self-distillation)
    proxy_limit: int | None = None  # at most this many proxy pairs (a seeded sample)
    seed: int = 0
    holdout: float = 0.05  # share of the training texts held out (int8 agreement, fallback eval)

    @classmethod
    def from_dict(cls, d: dict[str, Any], what: str = "data config") -> DataConfig:
        unknown = set(d) - {f.name for f in fields(cls)}
        if unknown:
            raise TersifyError(f"unknown {what} keys: {', '.join(sorted(unknown))}")
        try:
            return cls(**d)
        except TypeError as exc:
            raise TersifyError(f"bad {what}: {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def source_records(cfg: DataConfig, name: str, *, domains: Sequence[str] = DOMAINS) -> list[PairRecord]:
    """The records of one source as ``cfg`` asks (none when it asks for none)."""
    if name == "generators":
        return generate_all(cfg.generated_per_domain, seed=cfg.seed, domains=domains) if cfg.generated_per_domain else []
    if name == "loghub":
        return windows(cfg.loghub_windows, seed=cfg.seed) if cfg.loghub_windows else []
    if name == "qa":
        return qa_pairs(cfg.qa_pairs, seed=cfg.seed) if cfg.qa_pairs else []
    if name == "real":
        return list(load_real_outputs()) if cfg.real_outputs else []
    if name == "proxy":
        return proxy_pairs(cfg.proxy_logs, limit=cfg.proxy_limit, seed=cfg.seed) if cfg.proxy_logs else []
    raise TersifyError(f"unknown data source {name!r} (known: {', '.join(SOURCES)})")


def training_records(cfg: DataConfig, *, sources: Iterable[str] = SOURCES, domains: Sequence[str] = DOMAINS,
                     report: Callable[[str], None] = print) -> list[PairRecord]:
    """The training records of ``sources`` (deterministic for ``cfg.seed``), without any
    text of any eval set."""
    records: list[PairRecord] = []
    for name in sources:
        got = source_records(cfg, name, domains=domains)
        if got:
            report(f"source {name}: {len(got)} records")
        records.extend(got)
    kept = drop_eval_texts(records)
    if len(kept) != len(records):
        report(f"{len(records) - len(kept)} records left out: their texts are eval texts")
    return kept


def teacher_references(records: Sequence[PairRecord], *, progress: bool = True) -> list[PairRecord]:
    """``records``, the teacher's reference on each that has none."""
    items = track(records, "teacher references") if progress else records
    return [r if r.reference is not None else r.with_reference(teach(r.text)) for r in items]


__all__ = ["DOMAIN_SOURCES", "DataConfig", "SOURCES", "source_records", "teacher_references", "training_records"]
