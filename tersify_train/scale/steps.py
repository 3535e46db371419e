"""The batch steps' per-record work and the per-block loop both engines run.

Each step calls the one function the project has for that record-level job: the teacher
(:func:`~tersify_train.labels.teacher.teach`), self-labelling
(:func:`~tersify_train.labels.self_label.self_reference`), the label diagnostic
(:func:`~tersify_train.eval.diagnose.diagnose_pair`) and evaluation
(:func:`~tersify_train.eval.evaluate.scorer_output` then
:func:`~tersify_train.eval.metrics.record_metrics`). A :class:`Step` loads its scorer once
(per process, per Ray actor); :func:`process_block` runs it over one block, writes the
block's output shard and returns the per-record values and dead letters in file order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tersify.errors import TersifyError
from tersify_train.scale.deadletters import DeadLetter
from tersify_train.scale.shards import Block, read_block, write_block
from tersify_train.sources.pairs import validate_record
from tersify_train.sources.records import PairRecord

STEPS = ("label", "self-label", "diagnose", "evaluate")
WRITING_STEPS = ("label", "self-label")  # the steps whose output is records (the others reduce to a summary)


@dataclass(frozen=True)
class StepSpec:
    """What to run, picklable (it travels to the Ray workers). ``model_dir``: the model of
    self-labelling, or the one to evaluate; ``scorer``: a scorer name to evaluate instead."""

    name: str
    model_dir: str | None = None
    scorer: str | None = None
    override: bool = True
    rate: float | None = None
    threshold: float = 0.5

    def __post_init__(self) -> None:
        if self.name not in STEPS:
            raise TersifyError(f"unknown step {self.name!r} (known: {', '.join(STEPS)})")
        if self.name == "self-label" and not self.model_dir:
            raise TersifyError("self-labelling needs a model directory")

    @property
    def writes(self) -> bool:
        return self.name in WRITING_STEPS


class Step:
    """A step ready to run: its scorer loaded once. ``threads``: onnxruntime threads of a model
    (None: its default, every core; a Ray actor that holds one CPU asks for 1)."""

    def __init__(self, spec: StepSpec, *, threads: int | None = None):
        self.spec = spec
        self.scorer = None
        if spec.name in ("self-label", "evaluate"):
            self.scorer = _load_scorer(spec, threads)
        if spec.name in ("diagnose", "evaluate"):
            from tersify.mustkeep import MustKeep

            self.must_keep = MustKeep()

    def apply(self, record: PairRecord) -> tuple[dict | None, object]:
        """One record's (output record, per-record value); raises on a scorer error."""
        spec = self.spec
        if spec.name == "label":
            from tersify_train.labels.teacher import teach

            return record.with_reference(teach(record.text)).to_dict(), None
        if spec.name == "self-label":
            from tersify_train.labels.self_label import self_reference

            return record.with_reference(self_reference(record.text, self.scorer)).to_dict(), None
        if spec.name == "diagnose":
            from tersify_train.eval.diagnose import diagnose_pair

            return None, diagnose_pair(record.text, record.reference, must_keep=self.must_keep)
        from tersify_train.eval.evaluate import scorer_output
        from tersify_train.eval.metrics import record_metrics

        output = scorer_output(self.scorer, record.text, override=spec.override, rate=spec.rate,
                               threshold=spec.threshold)
        return None, record_metrics(record.text, output, must_keep=self.must_keep)


def _load_scorer(spec: StepSpec, threads: int | None):
    from tersify.scorers.onnx.scorer import ModelScorer

    if spec.model_dir or spec.scorer in (None, "model"):
        return ModelScorer(spec.model_dir, threads=threads)
    from tersify.scorers import get_scorer

    return get_scorer(spec.scorer)


@dataclass
class BlockResult:
    """What one block gave: counts, per-record values in file order, dead letters, its shard."""

    index: int
    read: int = 0
    written: int = 0
    skipped: int = 0  # records the step does not apply to (no reference to diagnose)
    values: list = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)
    output: str | None = None
    cpu_s: float = 0.0  # CPU time of the process (all its threads) on this block: the per-core cost


def process_block(step: Step, block: Block, out_dir: str | Path | None = None, fmt: str = "jsonl",
                  progress: Callable[[int], None] | None = None) -> BlockResult:
    """Run ``step`` over every record of ``block``; a record that fails becomes a dead letter
    and the block goes on. Writing steps write the block's shard into ``out_dir``."""
    result = BlockResult(block.index)
    cpu0 = time.process_time()
    rows: list[dict] = []
    for item in read_block(block):
        result.read += 1
        raw = item.raw or json.dumps(item.value, ensure_ascii=False, default=str)
        record, why = (None, item.error) if item.error else validate_record(item.value, require_reference=False,
                                                                           extractive=False)
        if record is None:
            result.dead.append(DeadLetter.of(item.where, why, raw))
        elif step.spec.name == "diagnose" and record.reference is None:
            result.skipped += 1
        else:
            try:
                row, value = step.apply(record)
            except Exception as exc:  # a scorer error is one record's failure, not the job's
                result.dead.append(DeadLetter.of(item.where, f"{step.spec.name} failed: "
                                                 f"{type(exc).__name__}: {exc}", raw))
            else:
                if row is not None:
                    rows.append(row)
                if value is not None:
                    result.values.append(value)
        if progress is not None:
            progress(item.units)
    if step.spec.writes:
        if out_dir is None:
            raise TersifyError(f"{step.spec.name} writes records: give an output")
        result.output = str(write_block(out_dir, block.index, rows, fmt))
        result.written = len(rows)
    result.cpu_s = time.process_time() - cpu0
    return result


__all__ = ["STEPS", "BlockResult", "Step", "StepSpec", "process_block"]
