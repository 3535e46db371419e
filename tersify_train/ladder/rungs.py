"""The names of the ladder's rows and what each one is."""

from __future__ import annotations

import re

from tersify.errors import TersifyError
from tersify_train.ladder.config import LadderConfig

MAIN_RUNGS: tuple[str, ...] = ("v-qa", "v-corrected", "v-domain")
REFERENCE_ROWS: tuple[str, ...] = ("teacher-v1", "teacher", "baseline", "default")
SWEEP = re.compile(r"^(v-corrected|v-domain)-w(\d+(?:\.\d+)?)$")
SELF = re.compile(r"^v-self-([1-9]\d*)$")
PROXY = "v-proxy"


def describe(name: str, cfg: LadderConfig) -> str:
    """What a row is, in one line."""
    if name == "v-qa":
        return f"Q&A silver labels only, labels as the references say, must-keep weight {cfg.qa_weight:g}"
    if name == "v-corrected":
        return f"v-qa's pairs + label correction (must-keep forced, weight {cfg.corrected_weight:g})"
    if name == "v-domain":
        return f"+ domain and real-log pairs (teacher references), corrected, weight {cfg.corrected_weight:g}"
    if m := SWEEP.match(name):
        return f"{m.group(1)} with must-keep weight {float(m.group(2)):g} (weight sweep)"
    if m := SELF.match(name):
        return f"self-labelling round {m.group(1)}: best model + override relabels the texts, retrained from it"
    if name == PROXY:
        return (f"proxy traffic ({cfg.proxy_sessions} agent sessions x {cfg.proxy_turns} turns through tersify proxy): "
                "the pairs' originals + the domain texts, relabelled by the last self-labelling round (or the best "
                "main rung) + override, retrained from it")
    if name == "teacher":
        return "the rule-based teacher, second version (docs/LABELING.md), that labels the domain data"
    if name == "teacher-v1":
        return "the first rule-based teacher, for comparison"
    if name == "baseline":
        return f"the {cfg.baseline!r} rule scorer"
    if name == "default":
        return "the shipped default model (tersify/assets/default)"
    raise TersifyError(f"unknown rung {name!r} (known: {', '.join(known_rungs(cfg))}, v-self-N)")


def known_rungs(cfg: LadderConfig) -> list[str]:
    return list(dict.fromkeys([*MAIN_RUNGS, *sweep_names(cfg), PROXY, *REFERENCE_ROWS]))


def sweep_names(cfg: LadderConfig) -> list[str]:
    """Rung names of the weight sweep (at the corrected weight, the base rung itself)."""
    for base in cfg.sweep_bases:
        if base not in ("v-corrected", "v-domain"):
            raise TersifyError(f"sweep base must be v-corrected or v-domain, got {base!r}")
    return [b if w == cfg.corrected_weight else f"{b}-w{w:g}" for b in cfg.sweep_bases for w in cfg.sweep]


def self_round(name: str) -> int:
    """The round of a self-labelling rung (0 for any other name)."""
    m = SELF.match(name)
    return int(m.group(1)) if m else 0


__all__ = ["MAIN_RUNGS", "PROXY", "REFERENCE_ROWS", "SELF", "SWEEP", "describe", "known_rungs", "self_round", "sweep_names"]
