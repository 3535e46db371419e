"""``tersify experiment``: the silver-label ladder (all rungs, or one), its table, promotion.

``ladder`` runs every rung (cached rungs are reused) and writes the table (.md, .json)
and the plot (.png); ``rung NAME`` runs one rung and the rungs it needs and prints its
row; ``promote`` makes the best rung (or a named one) the shipped default if it beats it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tersify.cli.extra import require_train
from tersify.errors import TersifyError

_RUNGS_HELP = ("v-qa, v-corrected, v-domain, v-domain-w<W> (weight sweep, e.g. v-domain-w3), v-self-<N> "
               "(self-labelling round N), v-proxy (self-distillation from proxy traffic), or a reference row: teacher, "
               "baseline, default")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default=None, help="ladder config (default: the repository's ladder config)")
    p.add_argument("--smoke", action="store_true",
                   help="tiny model, tiny data, eval subsets (the config's 'smoke' section): the whole pipeline in under a minute")
    p.add_argument("--runs", default=None, help="checkpoints and cached rung results (default: the config's "
                   "runs_dir)")
    p.add_argument("--fresh", action="store_true", help="ignore cached rung results and retrain")
    p.add_argument("--proxy-logs", default=None, metavar="PAIRS.jsonl",
                   help="also train the domain rungs on a `tersify logs export` file (your own traffic)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "experiment",
        help="reproduce the seed's experiments: the silver-label ladder and its version table",
        description="The ladder of model versions: v-qa (Q&A silver labels), v-corrected (+ label "
        "correction), v-domain (+ domain and real-log data), a must-keep weight sweep, and v-self-N "
        "(self-labelling with the best model plus the override, repeated while it helps), then v-proxy (the same "
        "on agent traffic driven through the proxy). Each version is "
        "evaluated on the qa, dense-v2 and agent sets with and without the must-keep override. Needs the "
        "train extra (torch).",
    )
    esub = p.add_subparsers(dest="experiment_command", metavar="ACTION")

    lad = esub.add_parser(
        "ladder",
        help="run every rung and write the version table and plot",
        description="Run all rungs (reusing cached ones), print the version table and write it to "
        "OUT/ladder.md and OUT/ladder.json, with the plot OUT/ladder.png (prose keep rate in real tokens "
        "against exact_keep_pct on dense-v2). Reports whether the best rung beats the shipped default; "
        "--promote makes it the default when it does.",
    )
    _common(lad)
    lad.add_argument("--out", default=None, help="where the table and plot go (default: the config's out_dir)")
    lad.add_argument("--promote", action="store_true",
                     help="make the best rung the shipped default if it beats it (on dense-v2; see promote --help)")
    lad.set_defaults(func=run_ladder)

    r = esub.add_parser(
        "rung",
        help="run one rung (and the rungs it needs) and print its row",
        description=f"Run one rung and print its row of the table. Rungs: {_RUNGS_HELP}. Earlier rungs it "
        "depends on (the self-labelling rounds need the main rungs) are run or taken from the cache.",
    )
    r.add_argument("name", help="rung name, e.g. v-qa")
    _common(r)
    r.set_defaults(func=run_rung)

    pr = esub.add_parser(
        "promote",
        help="make a rung the shipped default model if it beats it",
        description="Compare a rung (default: every trained rung, the best that qualifies) with the shipped "
        "default: on dense-v2, exact_keep_pct of the model alone higher and prose keep rate in real tokens (with "
        "the override) lower; on dense-v2 and agent, protected retention, error-message fidelity, structure and "
        "exact_keep_pct with the override equal or better. If it qualifies, copy its model files into the default model directory and "
        "record the comparison in MODEL_CARD.md.",
    )
    pr.add_argument("--rung", default=None, help="the rung to promote (default: the best that qualifies)")
    _common(pr)
    pr.set_defaults(func=run_promote)


def _ladder(args: argparse.Namespace):
    require_train(torch=True)
    from tersify_train.ladder.config import load_ladder_config
    from tersify_train.ladder.runner import Ladder

    cfg = load_ladder_config(args.config, smoke=args.smoke)
    if args.runs:
        cfg.runs_dir = str(Path(args.runs).resolve())
    if args.proxy_logs:
        cfg.data.proxy_logs = str(Path(args.proxy_logs).resolve())
    from rich.console import Console

    console = Console(stderr=True)
    return Ladder(cfg, config_path=args.config, smoke=args.smoke, fresh=args.fresh,
                  log=lambda s: console.print(s, highlight=False, markup=False))


def run_ladder(args: argparse.Namespace) -> int:
    from tersify_train.ladder.table import print_table, write_outputs

    t0 = time.time()
    ladder = _ladder(args)
    rows = ladder.run()
    seconds = round(time.time() - t0, 1)
    print_table(rows, title="tersify: the silver-label ladder")
    verdict_lines, promoted = _promotion(ladder, rows, promote=args.promote)
    out = Path(args.out) if args.out else ladder.cfg.out_path
    paths = write_outputs(rows, out, extra={"wall_seconds": seconds, "smoke": args.smoke,
                                             "promotion": verdict_lines, "promoted": promoted})
    for line in verdict_lines:
        print(line)
    print(f"ladder: {len(rows)} rows in {seconds:.0f} s; wrote {paths['md']}, {paths['json']}, {paths['png']}")
    return 0


def _promotion(ladder, rows, *, promote: bool, rung: str | None = None,
               model_dir: str | None = None) -> tuple[list[str], str | None]:
    from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR
    from tersify_train.ladder import promotion

    default = next((r for r in rows if r.name == "default"), None)
    if default is None:
        return ["promotion: no shipped default model to compare with"], None
    candidates = [r for r in rows if r.kind == "rung" and (rung is None or r.name == rung)]
    best, verdicts = promotion.choose(candidates, default)
    lines = [f"promotion: {v.candidate} {'beats' if v.beats else 'does not beat'} the default: "
             + "; ".join(v.reasons) for v in verdicts]
    if best is None:
        lines.append("promotion: no rung beats the shipped default; it stays")
        return lines, None
    if not promote:
        lines.append(f"promotion: {best.name} qualifies (rerun with --promote to make it the default)")
        return lines, None
    if ladder.smoke:
        raise TersifyError("smoke-run models are never promoted to the shipped default (run without --smoke)")
    promotion.promote(best, default, model_dir or DEFAULT_MODEL_DIR)
    lines.append(f"promotion: {best.name} is now the default model ({model_dir or DEFAULT_MODEL_DIR})")
    return lines, best.name


def run_rung(args: argparse.Namespace) -> int:
    from tersify_train.ladder.table import print_table

    ladder = _ladder(args)
    row = ladder.row(args.name)
    print_table([row], title=f"rung {row.name}")
    print(f"{row.name}: {row.description}")
    return 0


def run_promote(args: argparse.Namespace) -> int:
    from tersify_train.ladder.rungs import MAIN_RUNGS, PROXY, sweep_names

    ladder = _ladder(args)
    names = [args.rung] if args.rung else [*MAIN_RUNGS, *sweep_names(ladder.cfg)]
    rows = [ladder.row("default")] + [ladder.row(n) for n in dict.fromkeys(names)]
    if not args.rung:
        rows += ladder.self_rounds()
        rows += [ladder.row(PROXY)] if ladder.cfg.proxy_sessions > 0 else []
    lines, _ = _promotion(ladder, rows, promote=True, rung=args.rung)
    for line in lines:
        print(line)
    return 0
