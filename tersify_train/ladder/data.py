"""The ladder's training texts, from the one training recipe
(:mod:`tersify_train.train.recipe`): ``qa`` (the Q&A pairs) and ``domain`` (the Q&A pairs
plus the domain sources, teacher references on those without one, cached on disk since
the teacher is the slow part), and the self-labelling rounds' relabelled texts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tersify.errors import TersifyError
from tersify.scorers.onnx.scorer import ModelScorer
from tersify_train.eval.progress import track
from tersify_train.labels.self_label import self_reference
from tersify_train.ladder.cache import CACHE_VERSION, file_digest, fingerprint
from tersify_train.ladder.rows import Row
from tersify_train.sources.pairs import load_pairs, write_pairs
from tersify_train.sources.records import PairRecord
from tersify_train.train.recipe import DOMAIN_SOURCES, DataConfig, teacher_references, training_records

KINDS = ("qa", "domain")


class TrainingTexts:
    """The records each kind of rung trains on, built once per ladder run."""

    def __init__(self, data: DataConfig, cache_dir: Path, *, fresh: bool = False,
                 log: Callable[[str], None] = print):
        self.data, self.cache_dir, self.fresh, self.log = data, cache_dir, fresh, log
        self._records: dict[str, list[PairRecord]] = {}

    def records(self, kind: str) -> list[PairRecord]:
        """``qa`` or ``domain`` records, with references, without eval texts."""
        if kind in self._records:
            return self._records[kind]
        if kind == "qa":
            recs = training_records(self.data, sources=("qa",), report=self.log)
        elif kind == "domain":
            recs = self.records("qa") + self._domain()
        else:
            raise TersifyError(f"unknown training data {kind!r} (known: {', '.join(KINDS)})")
        self.log(f"training data {kind}: {len(recs)} records")
        self._records[kind] = recs
        return recs

    def _domain(self) -> list[PairRecord]:
        d = self.data
        key = fingerprint({"data": d.to_dict(), "v": CACHE_VERSION,
                           "proxy": file_digest(Path(d.proxy_logs)) if d.proxy_logs else None})
        cache = self.cache_dir / f"domain-{key}.jsonl"
        if cache.is_file() and not self.fresh:
            return list(load_pairs(cache, extractive=False, quiet=True))
        out = teacher_references(training_records(d, sources=DOMAIN_SOURCES, report=self.log))
        write_pairs(cache, out)
        return out

    def self_labelled(self, parent: Row) -> list[PairRecord]:
        """The ``domain`` texts, referenced by ``parent``'s model + the must-keep override."""
        if not parent.model_dir:
            raise TersifyError(f"{parent.name} has no model to label with")
        scorer = ModelScorer(parent.model_dir)
        return [r.with_reference(self_reference(r.text, scorer))
                for r in track(self.records("domain"), f"relabelling with {parent.name} + override")]


__all__ = ["KINDS", "TrainingTexts"]
