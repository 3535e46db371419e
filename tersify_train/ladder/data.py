"""The ladder's training texts, from the one training recipe
(:mod:`tersify_train.train.recipe`): ``qa`` (the Q&A pairs) and ``domain`` (the Q&A pairs
plus the domain sources, teacher references on those without one, cached on disk since
the teacher is the slow part), the self-labelling rounds' relabelled texts, and v-proxy's
proxy traffic (driven once per setting, cached on disk)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from tersify.errors import TersifyError
from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR, ModelScorer
from tersify_train.eval.progress import track
from tersify_train.labels.self_label import self_reference
from tersify_train.ladder.cache import CACHE_VERSION, file_digest, fingerprint
from tersify_train.ladder.rows import Row
from tersify_train.sources.pairs import load_pairs, write_pairs
from tersify_train.sources.proxy_logs import proxy_pairs
from tersify_train.sources.real import REAL_OUTPUTS
from tersify_train.sources.records import PairRecord
from tersify_train.train.recipe import DOMAIN_SOURCES, DataConfig, teacher_references, training_records

KINDS = ("qa", "domain")
TRAFFIC_VERSION = 1  # of the agent-turn stream (tersify_train.sources.agent_turns): a change re-drives the proxy


class TrainingTexts:
    """The records each kind of rung trains on, built once per ladder run."""

    def __init__(self, data: DataConfig, cache_dir: Path, *, fresh: bool = False,
                 log: Callable[[str], None] = print):
        self.data, self.cache_dir, self.fresh, self.log = data, cache_dir, fresh, log
        self._records: dict[str, list[PairRecord]] = {}
        self._traffic: dict[tuple[int, int], list[PairRecord]] = {}

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

    def self_labelled(self, parent: Row, extra: Sequence[PairRecord] = ()) -> list[PairRecord]:
        """The ``domain`` texts and ``extra`` (those not among them), referenced by ``parent``'s
        model + the must-keep override."""
        if not parent.model_dir:
            raise TersifyError(f"{parent.name} has no model to label with")
        scorer = ModelScorer(parent.model_dir)
        domain = self.records("domain")
        texts, seen = list(domain), {r.text for r in domain}
        for r in extra:
            if r.text not in seen:
                seen.add(r.text)
                texts.append(r)
        return [r.with_reference(self_reference(r.text, scorer))
                for r in track(texts, f"relabelling with {parent.name} + override")]

    def proxy_traffic(self, sessions: int, turns: int) -> list[PairRecord]:
        """The pairs of ``sessions`` x ``turns`` agent turns driven through the proxy (its
        references are the shipped model's; v-proxy relabels them). The export is cached under
        the cache folder, keyed by everything it depends on, so the proxy is driven once."""
        from tersify_train.sources.proxy_traffic import proxy_traffic

        if (sessions, turns) in self._traffic:
            return self._traffic[sessions, turns]
        key = fingerprint({"sessions": sessions, "turns": turns, "seed": self.data.seed, "v": TRAFFIC_VERSION,
                           "model": file_digest(DEFAULT_MODEL_DIR / "model.onnx"), "real": file_digest(REAL_OUTPUTS)})
        path = self.cache_dir / f"proxy-traffic-{key}.jsonl"
        if self.fresh or not path.is_file():
            self.log(f"proxy traffic: {sessions} sessions x {turns} turns through tersify proxy")
            report = proxy_traffic(path, n_sessions=sessions, n_turns=turns, seed=self.data.seed, progress=True)
            self.log(f"proxy traffic: {report.requests} requests in {report.seconds:.0f} s, {report.distinct} distinct "
                     f"tool results: {', '.join(f'{k} {v}' for k, v in report.fates.items())}; {path}")
        self._traffic[sessions, turns] = proxy_pairs(path)
        return self._traffic[sessions, turns]


__all__ = ["KINDS", "TrainingTexts"]
