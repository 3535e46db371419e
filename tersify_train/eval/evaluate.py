"""Evaluating a scorer on a set of records, and the table every report prints.

``evaluate_scorer`` runs :func:`tersify.compress.compress` with the scorer on each text
(with or without the must-keep override) and averages :mod:`tersify_train.eval.metrics` over
the records. ``format_markdown`` renders one row per (scorer, set).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tersify.compaction import expand
from tersify.compress import compress
from tersify.mustkeep import MustKeep
from tersify.scorers import Scorer
from tersify_train.eval.metrics import TokenCounter, aggregate, record_metrics
from tersify_train.eval.progress import track
from tersify_train.eval.tables import markdown_table
from tersify_train.sources.records import PairRecord

# Report columns: (metric key, header), in the order every table shows them.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("n", "n"),
    ("keep_rate", "keep_rate"),
    ("token_keep_rate", "token keep_rate"),
    ("floor", "floor"),
    ("savings_efficiency", "savings eff."),
    ("exact_keep_pct", "exact_keep_pct"),
    ("protected_retention", "protected"),
    ("first_mention_retention", "first mentions"),
    ("line_fidelity", "line fidelity"),
    ("prose_token_keep_rate", "prose keep (tokens)"),
    ("error_message_fidelity", "error-msg fidelity"),
    ("structure_pass_rate", "structure"),
)


def evaluate_outputs(
    texts: Sequence[str], outputs: Sequence[str], *, tokens: TokenCounter | None = None
) -> dict[str, float]:
    """Averaged metrics of given outputs (a model's, a reference set's) against their texts."""
    mk = MustKeep()
    per = [record_metrics(t, o, must_keep=mk, tokens=tokens) for t, o in zip(texts, outputs, strict=True)]
    return aggregate(per)


def evaluate_scorer(
    scorer: Scorer,
    records: Sequence[PairRecord],
    *,
    override: bool = True,
    rate: float | None = None,
    threshold: float = 0.5,
    tokens: TokenCounter | None = None,
    progress: bool = False,
) -> dict[str, float]:
    """Compress every record's text with ``scorer`` and return the averaged metrics.

    ``override``: apply the must-keep override (``False`` measures the scorer alone).
    ``tokens``: a token counter, to add model-token-level keep rates.
    """
    texts = [r.text for r in records]
    iterator = track(texts, f"scoring with {scorer.name}") if progress else texts
    outputs = [scorer_output(scorer, text, override=override, rate=rate, threshold=threshold) for text in iterator]
    return evaluate_outputs(texts, outputs, tokens=tokens)


def scorer_output(scorer: Scorer, text: str, *, override: bool = True, rate: float | None = None,
                  threshold: float = 0.5) -> str:
    """What the metrics read of one text compressed with ``scorer``: the output expanded
    (compaction is reversible; savings are measured elsewhere)."""
    return expand(compress(text, scorer=scorer, must_keep=override, rate=rate, threshold=threshold).text)


def _cell(key: str, value: object) -> str:
    if value is None:
        return "–"
    if key == "n":
        return str(int(value))  # type: ignore[arg-type]
    return f"{float(value):.3f}"  # type: ignore[arg-type]


def format_markdown(rows: Mapping[str, Mapping[str, float]], *, label: str = "scorer / set") -> str:
    """A Markdown table: one row per entry of ``rows`` (name -> metrics), the columns any has."""
    cols = [(k, h) for k, h in COLUMNS if any(k in r for r in rows.values())]
    return markdown_table([label, *(h for _, h in cols)],
                          [[name, *(_cell(k, m.get(k)) for k, _ in cols)] for name, m in rows.items()])


__all__ = ["COLUMNS", "evaluate_outputs", "evaluate_scorer", "format_markdown", "scorer_output"]
