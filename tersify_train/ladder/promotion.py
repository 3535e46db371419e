"""Promotion: a ladder rung becomes the shipped default model only if it beats it.

"Beats" is measured on the two sets that stand for agent traffic, ``agent`` and
``dense``: on each, exact_keep_pct the same or better, both of the model alone and with
the must-keep override, and keep_rate as shipped (with the override) strictly lower.
The model-alone figure decides too because the override makes exact_keep_pct 1.0 for any
model: compared with the override alone, a model that has learned to drop numbers (the
seed's v3) would win on keep_rate. Promotion copies the rung's model files over the
default's and records the comparison in the model card.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tersify.errors import TersifyError
from tersify_train.ladder.rows import Row

PROMOTION_SETS: tuple[str, ...] = ("agent", "dense")
MODEL_FILES: tuple[str, ...] = ("model.onnx", "tokenizer.json", "config.json")
CARD_SECTION = "## Promotion from the ladder"
EPS = 1e-9


@dataclass
class Verdict:
    candidate: str
    beats: bool
    reasons: list[str] = field(default_factory=list)


def compare(candidate: Row, default: Row, sets: Sequence[str] = PROMOTION_SETS) -> Verdict:
    """Whether ``candidate`` beats ``default`` on every set of ``sets`` (see module docstring)."""
    verdict = Verdict(candidate.name, True)
    for s in sets:
        ce, de = candidate.metric(s, "exact_keep_pct", override=True), default.metric(s, "exact_keep_pct", override=True)
        cm, dm = candidate.metric(s, "exact_keep_pct"), default.metric(s, "exact_keep_pct")
        ck, dk = candidate.metric(s, "keep_rate", override=True), default.metric(s, "keep_rate", override=True)
        if None in (ce, de, cm, dm, ck, dk):
            verdict.beats = False
            verdict.reasons.append(f"{s}: not evaluated")
            continue
        exact_ok, alone_ok, keep_ok = ce >= de - EPS, cm >= dm - EPS, ck < dk - EPS
        verdict.beats &= exact_ok and alone_ok and keep_ok
        verdict.reasons.append(
            f"{s}: exact_keep_pct {ce:.4f} vs {de:.4f} ({'ok' if exact_ok else 'worse'}), "
            f"model alone {cm:.4f} vs {dm:.4f} ({'ok' if alone_ok else 'worse'}), "
            f"keep_rate {ck:.4f} vs {dk:.4f} ({'lower' if keep_ok else 'not lower'})"
        )
    return verdict


def choose(candidates: Sequence[Row], default: Row) -> tuple[Row | None, list[Verdict]]:
    """The candidate with the lowest ``agent`` keep_rate among those that beat the default."""
    verdicts = [compare(c, default) for c in candidates if c.model_dir]
    winners = [c for c, v in zip([c for c in candidates if c.model_dir], verdicts, strict=True) if v.beats]
    best = min(winners, key=lambda r: r.metric("agent", "keep_rate", override=True) or 1.0, default=None)
    return best, verdicts


def card_section(candidate: Row, default: Row, verdict: Verdict) -> str:
    lines = [
        CARD_SECTION,
        "",
        f"This model is ladder rung `{candidate.name}`: {candidate.description}.",
        f"Reproduce it with `{candidate.command}`, then `tersify experiment promote --rung {candidate.name}`.",
        "It replaced the previous default because it beats it on agent and dense: exact_keep_pct the same or",
        "better (with the must-keep override and of the model alone), keep_rate lower (with the override):",
        "",
        "| set | exact_keep_pct (new / old) | keep_rate (new / old) | exact_keep_pct, model alone (new / old) |",
        "|---|---|---|---|",
    ]
    for s in PROMOTION_SETS:
        vals = [candidate.metric(s, "exact_keep_pct", override=True), default.metric(s, "exact_keep_pct", override=True),
                candidate.metric(s, "keep_rate", override=True), default.metric(s, "keep_rate", override=True),
                candidate.metric(s, "exact_keep_pct"), default.metric(s, "exact_keep_pct")]
        f = ["–" if v is None else f"{v:.4f}" for v in vals]
        lines.append(f"| {s} | {f[0]} / {f[1]} | {f[2]} / {f[3]} | {f[4]} / {f[5]} |")
    if candidate.train:
        t = candidate.train
        lines += ["", f"Training: {t.get('records')} records, must-keep weight {t.get('weight')}, "
                  f"label correction {'on' if t.get('force') else 'off'}, {t.get('epochs')} epochs"
                  + (f", started from `{t['parent']}`" if t.get("parent") else "") + "."]
    return "\n".join(lines) + "\n"


def update_card(card: str, section: str) -> str:
    """``card`` with its promotion section replaced by ``section`` (appended if absent)."""
    pattern = re.compile(re.escape(CARD_SECTION) + r".*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(card):
        return pattern.sub(lambda _: section + "\n", card, count=1).rstrip() + "\n"
    return card.rstrip() + "\n\n" + section


def promote(candidate: Row, default: Row, model_dir: str | Path, *, force: bool = False) -> Verdict:
    """Copy ``candidate``'s model files into ``model_dir`` and update its ``MODEL_CARD.md``
    if it beats ``default`` (or ``force``); returns the verdict either way."""
    verdict = compare(candidate, default)
    if not (verdict.beats or force):
        return verdict
    if not candidate.model_dir:
        raise TersifyError(f"{candidate.name} has no model files to promote")
    src, dst = Path(candidate.model_dir), Path(model_dir)
    missing = [f for f in MODEL_FILES if not (src / f).is_file()]
    if missing:
        raise TersifyError(f"{src}: missing {', '.join(missing)}")
    dst.mkdir(parents=True, exist_ok=True)
    for f in MODEL_FILES:
        shutil.copyfile(src / f, dst / f)
    card_path = dst / "MODEL_CARD.md"
    card = card_path.read_text() if card_path.is_file() else "# tersify default model\n"
    card_path.write_text(update_card(card, card_section(candidate, default, verdict)))
    return verdict


__all__ = ["CARD_SECTION", "PROMOTION_SETS", "Verdict", "card_section", "choose", "compare", "promote",
           "update_card"]
