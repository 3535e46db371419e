"""A row of the version table (one rung or reference scorer) and the rules that compare
rows: which is best, and whether self-labelling goes on."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tersify.errors import TersifyError


@dataclass
class Row:
    """One version of the table: how it was made and its metrics.

    ``eval[set]["model"]``: the scorer alone; ``eval[set]["override"]``: with the must-keep
    override (as shipped). ``train`` is empty for reference rows.
    """

    name: str
    kind: str  # "rung" or "reference"
    description: str
    command: str
    fingerprint: str = ""
    train: dict[str, Any] = field(default_factory=dict)
    eval: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    model_dir: str | None = None
    seconds: float = 0.0
    note: str = ""

    def metric(self, set_name: str, key: str, *, override: bool = False) -> float | None:
        m = self.eval.get(set_name, {}).get("override" if override else "model", {})
        v = m.get(key)
        return None if v is None else float(v)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Row:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def best_of(rows: list[Row]) -> Row:
    """The best model of ``rows``: highest ``dense`` exact_keep_pct of the model alone, then
    the lowest ``agent`` keep_rate with the override (as shipped)."""
    if not rows:
        raise TersifyError("no rows to choose from")

    def key(r: Row) -> tuple[float, float]:
        return (-(r.metric("dense", "exact_keep_pct") or 0.0), r.metric("agent", "keep_rate", override=True) or 1.0)

    return min(rows, key=key)


def keep_going(prev: Row, cur: Row, min_gain: float = 0.0) -> tuple[bool, str]:
    """The stop rule of self-labelling: go on while the training labels' mk_in_ref does not
    fall and ``dense`` exact_keep_pct (model alone) rises by more than ``min_gain``."""
    mk_prev, mk_cur = prev.train.get("label_mk_in_ref"), cur.train.get("label_mk_in_ref")
    d_prev, d_cur = prev.metric("dense", "exact_keep_pct"), cur.metric("dense", "exact_keep_pct")
    if d_prev is None or d_cur is None:
        return False, "stop: no dense exact_keep_pct to compare"
    mk_ok = mk_prev is None or mk_cur is None or mk_cur >= mk_prev - 1e-9
    gain = d_cur - d_prev
    figures = f"label mk_in_ref {_fmt(mk_prev)} -> {_fmt(mk_cur)}, dense exact_keep_pct {d_prev:.4f} -> {d_cur:.4f}"
    if mk_ok and gain > min_gain:
        return True, f"improved over {prev.name} ({figures}): another round"
    return False, f"stop: no improvement over {prev.name} ({figures})"


def versus(before: Row, after: Row, what: str) -> str:
    """What ``after`` changes over ``before`` (the model it was trained from), in the figures
    the stop rule and best-of read; ``what``: what it added."""
    pairs = [("dense exact_keep_pct (model alone)", "dense", "exact_keep_pct", False),
             ("agent keep_rate (+override)", "agent", "keep_rate", True)]
    figures = ", ".join(f"{label} {_fmt(before.metric(s, k, override=o))} -> {_fmt(after.metric(s, k, override=o))}"
                        for label, s, k, o in pairs)
    return f"over {before.name} ({what}): {figures}"


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.4f}"


__all__ = ["Row", "best_of", "keep_going", "versus"]
