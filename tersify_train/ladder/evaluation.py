"""Evaluating a ladder row: every eval set, the scorer alone and with the override; and the
label-quality figures of a rung's training records."""

from __future__ import annotations

from typing import Any

from tersify.mustkeep import MustKeep
from tersify.scorers import Scorer
from tersify.text.rebuild import rebuild
from tersify.text.segment import segment
from tersify_train.eval.evaluate import evaluate_scorer
from tersify_train.eval.metrics import mk_in_ref
from tersify_train.ladder.cache import CACHE_VERSION, file_digest
from tersify_train.ladder.config import LadderConfig
from tersify_train.sources.evalsets import evalset_path, load_evalset
from tersify_train.sources.records import PairRecord
from tersify_train.train.data import label_record

Metrics = dict[str, dict[str, dict[str, float]]]


class Evaluation:
    """The ladder's eval sets (the first ``eval_limit`` records of each, when set)."""

    def __init__(self, cfg: LadderConfig):
        self.sets, self.limit = list(cfg.eval_sets), cfg.eval_limit
        self._records: dict[str, list[PairRecord]] | None = None

    def records(self) -> dict[str, list[PairRecord]]:
        if self._records is None:
            self._records = {n: load_evalset(n)[: self.limit] if self.limit else load_evalset(n) for n in self.sets}
        return self._records

    def fingerprint(self) -> dict[str, Any]:
        """What a row's metrics depend on besides its scorer."""
        return {"sets": {n: file_digest(evalset_path(n)) for n in self.sets}, "limit": self.limit,
                "v": CACHE_VERSION}

    def __call__(self, scorer: Scorer) -> Metrics:
        """Every eval set, the scorer alone and with the override."""
        return {name: {"model": evaluate_scorer(scorer, recs, override=False, progress=True),
                       "override": evaluate_scorer(scorer, recs, override=True, progress=True)}
                for name, recs in self.records().items()}


def label_quality(records: list[PairRecord], *, force: bool, weight: float) -> dict[str, float]:
    """mk_in_ref of the references, and of the labels the model trains on (after correction
    when ``force``): the seed's label-quality figure, before and after the fix."""
    mk = MustKeep()
    refs = [(r.text, r.reference or "") for r in records]
    labelled = [label_record(r, None, mk, weight, force=force) for r in records]
    label_refs = [(x.text, rebuild(segment(x.text), x.labels.astype(bool))) for x in labelled]
    return {"ref_mk_in_ref": mk_in_ref(refs, must_keep=mk), "label_mk_in_ref": mk_in_ref(label_refs, must_keep=mk)}


__all__ = ["Evaluation", "Metrics", "label_quality"]
