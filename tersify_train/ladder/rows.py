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


DENSE = "dense-v2"  # the set that ranks models (dense is saturated)
OVERRIDE_DELTA_DONE = 0.001  # self-labelling stops once the override adds no more than this on dense-v2


def override_delta(r: Row, set_name: str = DENSE) -> float | None:
    """What the must-keep override adds to exact_keep_pct on ``set_name``: with it minus without."""
    alone, with_override = r.metric(set_name, "exact_keep_pct"), r.metric(set_name, "exact_keep_pct", override=True)
    return None if alone is None or with_override is None else with_override - alone


def best_of(rows: list[Row]) -> Row:
    """The best model of ``rows``: highest ``dense-v2`` exact_keep_pct of the model alone, then
    the lowest ``dense-v2`` prose keep rate in real tokens with the override (as shipped)."""
    if not rows:
        raise TersifyError("no rows to choose from")

    def key(r: Row) -> tuple[float, float]:
        return (-(r.metric(DENSE, "exact_keep_pct") or 0.0),
                r.metric(DENSE, "prose_token_keep_rate", override=True) or 1.0)

    return min(rows, key=key)


def keep_going(prev: Row, cur: Row, min_gain: float = 0.0) -> tuple[bool, str]:
    """The stop rule of self-labelling: stop once the override delta on ``dense-v2`` is at most
    :data:`OVERRIDE_DELTA_DONE` (the model alone keeps what the override would), or when it stops
    moving: it did not shrink by more than ``min_gain``, or the training labels' mk_in_ref fell."""
    mk_prev, mk_cur = prev.train.get("label_mk_in_ref"), cur.train.get("label_mk_in_ref")
    d_prev, d_cur = override_delta(prev), override_delta(cur)
    if d_prev is None or d_cur is None:
        return False, f"stop: no {DENSE} override delta to compare"
    mk_ok = mk_prev is None or mk_cur is None or mk_cur >= mk_prev - 1e-9
    figures = f"label mk_in_ref {_fmt(mk_prev)} -> {_fmt(mk_cur)}, {DENSE} override delta {d_prev:.4f} -> {d_cur:.4f}"
    if d_cur <= OVERRIDE_DELTA_DONE:
        return False, f"stop: the override adds at most {OVERRIDE_DELTA_DONE} on {DENSE} ({figures})"
    if mk_ok and d_prev - d_cur > min_gain:
        return True, f"improved over {prev.name} ({figures}): another round"
    return False, f"stop: no improvement over {prev.name} ({figures})"


def versus(before: Row, after: Row, what: str) -> str:
    """What ``after`` changes over ``before`` (the model it was trained from), in the figures
    the stop rule and best-of read; ``what``: what it added."""
    pairs = [(f"{DENSE} exact_keep_pct (model alone)", DENSE, "exact_keep_pct", False),
             (f"{DENSE} prose keep (+override)", DENSE, "prose_token_keep_rate", True),
             ("agent prose keep (+override)", "agent", "prose_token_keep_rate", True)]
    figures = ", ".join(f"{label} {_fmt(before.metric(s, k, override=o))} -> {_fmt(after.metric(s, k, override=o))}"
                        for label, s, k, o in pairs)
    return f"over {before.name} ({what}): {figures}"


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.4f}"


__all__ = ["DENSE", "OVERRIDE_DELTA_DONE", "Row", "best_of", "keep_going", "override_delta", "versus"]
