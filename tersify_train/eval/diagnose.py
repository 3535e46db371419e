"""The label diagnostic of ``tersify data diagnose``: per pair, the must-keep matches of the
text found in the reference (per category), protected-word retention and the alignment
figures of the reference; over a set, those summed or averaged in the records' order.

Both engines (local and Ray, :mod:`tersify_train.scale`) compute :func:`diagnose_pair` per
record and :func:`summarise` over the values in input order, so they print the same table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tersify.mustkeep import MustKeep
from tersify_train.eval.metrics import MissingReport, MustKeepCount, missing_report, must_keep_count
from tersify_train.eval.metrics import protected_retention as _protected
from tersify_train.labels.align import MAX_ALIGNMENT_GAP, MAX_VARIATION_RATE, align_labels


@dataclass(frozen=True)
class PairDiagnosis:
    """One (text, reference) pair's values."""

    must_keep: MustKeepCount
    protected_retention: float
    variation_rate: float
    alignment_gap: float
    passes: bool


@dataclass(frozen=True)
class Diagnosis:
    """A set's diagnostic."""

    n: int
    missing: MissingReport
    protected_retention: float
    variation_rate: float
    alignment_gap: float
    passing: int

    def format(self, *, markdown: bool = False) -> str:
        lines: list[str] = []
        if markdown:
            lines += ["| category | missing | of category | share of all must-keep |", "|---|---|---|---|"]
            lines += [f"| {cat} | {miss} | {total} | {share:.1%} |" for cat, miss, total, share in self.missing.rows()]
            lines.append("")
        else:
            lines += [f"{self.n} pairs with references", self.missing.format()]
        lines.append(f"protected-word retention: {self.protected_retention:.3f}")
        lines.append(f"alignment: variation rate {self.variation_rate:.3f}, alignment gap {self.alignment_gap:.3f}; "
                     f"{self.passing}/{self.n} pairs pass (variation <= {MAX_VARIATION_RATE}, "
                     f"gap <= {MAX_ALIGNMENT_GAP})")
        return "\n".join(lines)


def diagnose_pair(text: str, reference: str, *, must_keep: MustKeep | None = None) -> PairDiagnosis:
    """The diagnostic values of one pair."""
    aligned = align_labels(text, reference)
    return PairDiagnosis(must_keep_count(text, reference, must_keep=must_keep), _protected(text, reference),
                         aligned.variation_rate, aligned.alignment_gap, aligned.passes())


def summarise(values: Sequence[PairDiagnosis]) -> Diagnosis:
    """The set's diagnostic from its pairs' values, in the order given (float sums depend on it)."""
    n = len(values)
    return Diagnosis(n, missing_report(v.must_keep for v in values),
                     sum(v.protected_retention for v in values) / n, sum(v.variation_rate for v in values) / n,
                     sum(v.alignment_gap for v in values) / n, sum(v.passes for v in values))


__all__ = ["Diagnosis", "PairDiagnosis", "diagnose_pair", "summarise"]
