"""Promotion: a ladder rung becomes the shipped default model only if it beats it.

"Beats" means: on ``dense-v2`` (the set that still ranks models), exact_keep_pct of the
model alone higher (or both 1.0); on ``qa`` (the set made of prose: in ``dense-v2`` and
``agent`` most lines the region detector calls prose are status lines, commands and frames
that the guide keeps whole, so their prose keep rate measures fidelity, not compression),
the prose keep rate in real tokens, as shipped (with the override), strictly lower; and on
``dense-v2`` and ``agent`` (the sets that stand for agent traffic) every safety column
equal or better: protected retention, error-message fidelity, structure pass rate and
exact_keep_pct with the override; and first-mention retention at least 0.98 there. The model-alone figure
decides because the override makes exact_keep_pct 1.0 for any model: compared with the
override alone, a model that has learned to drop numbers (the seed's v3) would win on keep
rate. Promotion copies the rung's model files over the default's and records the
comparison in the model card.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tersify.errors import TersifyError
from tersify_train.ladder.rows import DENSE, Row

PROMOTION_SETS: tuple[str, ...] = (DENSE, "agent")  # where every safety column must hold
PROSE_SET = "qa"  # where the prose keep rate must fall
# Figures with a floor rather than "no worse": the guide drops a hint's words ("For more
# information about this error, try ...") that the metric counts as a first mention.
FLOORS: tuple[tuple[str, str, float], ...] = (("first mentions", "first_mention_retention", 0.98),)
SAFETY: tuple[tuple[str, str, bool], ...] = (  # (label, metric, with the override)
    ("protected", "protected_retention", True),
    ("error-message fidelity", "error_message_fidelity", True),
    ("structure", "structure_pass_rate", True),
    ("exact_keep_pct +ovr", "exact_keep_pct", True),
)
MODEL_FILES: tuple[str, ...] = ("model.onnx", "tokenizer.json", "config.json")
CARD_SECTION = "## Promotion from the ladder"
EPS = 1e-9


@dataclass
class Verdict:
    candidate: str
    beats: bool
    reasons: list[str] = field(default_factory=list)


def _fig(v: float | None) -> str:
    return "–" if v is None else f"{v:.4f}"


def compare(candidate: Row, default: Row, sets: Sequence[str] = PROMOTION_SETS) -> Verdict:
    """Whether ``candidate`` beats ``default`` (see module docstring)."""
    verdict = Verdict(candidate.name, True)
    cm, dm = candidate.metric(DENSE, "exact_keep_pct"), default.metric(DENSE, "exact_keep_pct")
    ck = candidate.metric(PROSE_SET, "prose_token_keep_rate", override=True)
    dk = default.metric(PROSE_SET, "prose_token_keep_rate", override=True)
    if None in (cm, dm, ck, dk):
        verdict.beats = False
        verdict.reasons.append(f"{DENSE} or {PROSE_SET}: not evaluated")
    else:
        better, both_perfect = cm > dm + EPS, min(cm, dm) >= 1.0 - EPS
        alone_ok = better or both_perfect
        keep_ok = ck < dk - EPS
        verdict.beats &= alone_ok and keep_ok
        verdict.reasons.append(f"{DENSE}: model-alone exact_keep_pct {cm:.4f} vs {dm:.4f} "
                               f"({'better' if better else 'both 1.0' if both_perfect else 'not better'}); "
                               f"{PROSE_SET}: prose keep rate (tokens) "
                               f"{ck:.4f} vs {dk:.4f} ({'lower' if keep_ok else 'not lower'})")
    for s in sets:
        worse = []
        for label, key, override in SAFETY:
            c, d = candidate.metric(s, key, override=override), default.metric(s, key, override=override)
            if c is None or d is None or c < d - EPS:
                worse.append(f"{label} {_fig(c)} vs {_fig(d)}")
        for label, key, floor in FLOORS:
            c = candidate.metric(s, key, override=True)
            if c is None or c < floor - EPS:
                worse.append(f"{label} {_fig(c)} below {floor:g}")
        verdict.beats &= not worse
        verdict.reasons.append(f"{s}: safety columns " + ("equal or better" if not worse else "worse: " + ", ".join(worse)))
    return verdict


def choose(candidates: Sequence[Row], default: Row) -> tuple[Row | None, list[Verdict]]:
    """The candidate with the lowest ``qa`` prose keep rate among those that beat the default."""
    trained = [c for c in candidates if c.model_dir]
    verdicts = [compare(c, default) for c in trained]
    winners = [c for c, v in zip(trained, verdicts, strict=True) if v.beats]
    best = min(winners, key=lambda r: r.metric(PROSE_SET, "prose_token_keep_rate", override=True) or 1.0,
               default=None)
    return best, verdicts


def card_section(candidate: Row, default: Row, verdict: Verdict) -> str:
    lines = [
        CARD_SECTION,
        "",
        f"This model is ladder rung `{candidate.name}`: {candidate.description}.",
        f"Reproduce it with `{candidate.command}`, then `tersify experiment promote --rung {candidate.name}`.",
        f"It replaced the previous default because it beats it: on {DENSE} exact_keep_pct of the model alone",
        f"higher, on {PROSE_SET} prose keep rate in real tokens (with the override) lower, with every safety column",
        f"equal or better on {' and '.join(PROMOTION_SETS)}:",
        "",
        "| set | figure | new | old |",
        "|---|---|---|---|",
    ]
    figures = [(DENSE, "exact_keep_pct, model alone", "exact_keep_pct", False),
               (PROSE_SET, "prose keep rate (tokens)", "prose_token_keep_rate", True)]
    figures += [(s, label, key, o) for s in PROMOTION_SETS for label, key, o in SAFETY]
    for s, label, key, o in figures:
        lines.append(f"| {s} | {label} | {_fig(candidate.metric(s, key, override=o))} | "
                     f"{_fig(default.metric(s, key, override=o))} |")
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


__all__ = ["CARD_SECTION", "PROMOTION_SETS", "SAFETY", "Verdict", "card_section", "choose", "compare", "promote",
           "update_card"]
