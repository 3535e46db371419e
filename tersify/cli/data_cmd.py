"""``tersify data``: make, label and inspect training pairs and the eval sets.

``generate`` draws texts from the sources (domain generators, loghub windows, Q&A pairs,
harvested real outputs) and labels them with the teacher; ``stats`` counts records per
domain and source; ``build-evalsets`` rebuilds the committed eval sets; ``proxy-traffic``
drives the proxy with a stream of agent sessions and exports its pair log (self-distillation
data). The batch steps (``label``, ``self-label``, ``diagnose``, ``evaluate``, locally or on
Ray) are in :mod:`tersify.cli.batch_cmd`.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from tersify.cli import batch_cmd
from tersify.cli.args import positive_float, positive_int
from tersify.cli.extra import needs_train
from tersify.errors import TersifyError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "data",
        help="make, label and inspect training pairs and eval sets",
        description="Training data and label quality: generate and label pairs, diagnose references "
        "(must-keep tokens missing from them, per category), count records, rebuild the eval sets.",
    )
    dsub = p.add_subparsers(dest="data_command", metavar="ACTION")

    g = dsub.add_parser(
        "generate",
        help="generate texts from the data sources and label them with the teacher",
        description="Draw texts from the domain generators (and optionally loghub windows, Q&A pairs and "
        "harvested real outputs) with the training recipe, which leaves out any text that is in an eval "
        "set, label them with the teacher (Q&A pairs keep their own references) and write JSONL.",
    )
    g.add_argument("--out", required=True, help="output JSONL file")
    g.add_argument("-n", "--per-domain", type=int, default=500, help="records per generator domain (default 500)")
    g.add_argument("--domains", default=None, help="comma-separated generator domains (default: all)")
    g.add_argument("--loghub", type=int, default=0, help="also this many loghub windows (default 0)")
    g.add_argument("--qa", type=int, default=0, help="also this many Q&A-style pairs (default 0)")
    g.add_argument("--real", action="store_true", help="also the harvested real command outputs (training share)")
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g.add_argument("--no-label", action="store_true", help="write texts without references")
    g.set_defaults(func=run_generate)

    batch_cmd.register(dsub)  # label, self-label, diagnose, evaluate: local or on Ray

    s = dsub.add_parser(
        "stats",
        help="count records per domain and source",
        description="Counts of records per domain and per source, with and without references, and their "
        "average length in words. PAIRS is a JSONL file or an eval set name.",
    )
    s.add_argument("pairs", help="JSONL pair file, or an eval set name")
    s.set_defaults(func=run_stats)

    b = dsub.add_parser(
        "build-evalsets",
        help="rebuild the committed eval sets (qa, dense, agent)",
        description="Rebuild data/evalsets/{qa,dense,agent}.jsonl deterministically from their sources.",
    )
    b.add_argument("--out", default=None, help="output folder (default: the package's eval set folder)")
    b.add_argument("--dense-v2", action="store_true",
                   help="build only the frozen dense-v2 set instead: chosen by what a selector model alone "
                   "and the shipped default alone lose (see data/evalsets/README.md)")
    b.add_argument("--selector", default="runs/ladder/v-qa/model", metavar="MODEL_DIR",
                   help="dense-v2: the Q&A-labelled model whose losses choose items (default: the ladder's v-qa, "
                   "`tersify experiment rung v-qa`)")
    b.add_argument("--reference", default=None, metavar="MODEL_DIR",
                   help="dense-v2: the second model whose losses choose items (default: the shipped default)")
    b.set_defaults(func=run_build)

    t = dsub.add_parser(
        "proxy-traffic",
        help="drive the proxy with a stream of agent sessions and export its pair log",
        description="Build SESSIONS coding-agent sessions of TURNS tool turns each (Anthropic Messages, history "
        "resent every turn, cache_control on the newest tool result) from the harvested real outputs, the "
        "domain generators and loghub windows, never from an eval text; send them through `tersify proxy` "
        "(a separate process, 127.0.0.1, a temporary pair log) to a fake API on 127.0.0.1; export the pair "
        "log as `tersify logs export` does (file mode 0600) and say what became of every tool result.",
    )
    t.add_argument("--out", required=True, help="output JSONL pair file")
    t.add_argument("--sessions", type=positive_int("sessions"), default=20, help="sessions (default 20)")
    t.add_argument("--turns", type=positive_int("turns"), default=30, help="tool turns per session (default 30)")
    t.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    t.add_argument("--concurrency", type=positive_int("concurrency"), default=4,
                   help="sessions in flight at once (default 4)")
    t.add_argument("--deadline", type=positive_float("deadline"), default=None,
                   help="the proxy's --deadline in seconds (default 60: long, so that a busy machine does not "
                   "send tool results upstream uncompressed and lose their pairs)")
    t.add_argument("--keep", default=None, metavar="DIR", help="keep the pair log and the proxy's output in DIR")
    t.add_argument("--json", action="store_true", help="print the report as JSON")
    t.set_defaults(func=run_proxy_traffic)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _load_any(name: str, *, require_reference: bool, extractive: bool = False):
    from tersify_train.sources.evalsets import NAMES, load_evalset
    from tersify_train.sources.pairs import load_pairs

    if name in NAMES and not Path(name).exists():
        return load_evalset(name)
    return load_pairs(name, require_reference=require_reference, extractive=extractive)


@needs_train()
def run_generate(args: argparse.Namespace) -> int:
    from tersify_train.sources.generators import DOMAINS
    from tersify_train.sources.pairs import write_pairs
    from tersify_train.train.recipe import DataConfig, teacher_references, training_records

    if args.per_domain < 0 or args.loghub < 0 or args.qa < 0:
        raise TersifyError("counts must be >= 0")
    domains = [d.strip() for d in args.domains.split(",")] if args.domains else list(DOMAINS)
    unknown = sorted(set(domains) - set(DOMAINS))
    if unknown:
        raise TersifyError(f"unknown domains: {', '.join(unknown)} (known: {', '.join(DOMAINS)})")
    cfg = DataConfig(generated_per_domain=args.per_domain, loghub_windows=args.loghub, qa_pairs=args.qa,
                     real_outputs=args.real, seed=args.seed)
    records = training_records(cfg, domains=domains, report=lambda s: print(s, file=sys.stderr))
    if not args.no_label:
        records = teacher_references(records)
    n = write_pairs(args.out, records)
    print(f"wrote {n} records to {args.out}")
    return 0


@needs_train()
def run_stats(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    records = _load_any(args.pairs, require_reference=False)
    for key in ("domain", "source"):
        counts: Counter = Counter()
        refs: Counter = Counter()
        words: Counter = Counter()
        for r in records:
            k = getattr(r, key)
            counts[k] += 1
            refs[k] += r.reference is not None
            words[k] += len(r.text.split())
        table = Table(title=f"{args.pairs}: records per {key}")
        for col in (key, "records", "with reference", "avg words"):
            table.add_column(col, justify="left" if col == key else "right")
        for k in sorted(counts):
            table.add_row(k, str(counts[k]), str(refs[k]), f"{words[k] / counts[k]:.0f}")
        table.add_row("total", str(len(records)), str(sum(refs.values())),
                      f"{sum(words.values()) / max(1, len(records)):.0f}")
        Console().print(table)
    return 0


def _build_dense_v2(args: argparse.Namespace, out: Path) -> int:
    import json

    from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR, ModelScorer
    from tersify_train.sources import dense_v2

    for d in (args.selector, args.reference):
        if d is not None and not (Path(d) / "model.onnx").is_file():
            raise TersifyError(f"no model in {d} (for the ladder's v-qa: tersify experiment rung v-qa)")
    reference = args.reference or DEFAULT_MODEL_DIR
    names = (str(args.selector), "the shipped default" if args.reference is None else str(reference))
    summary = dense_v2.build(ModelScorer(args.selector), ModelScorer(reference), out, progress=True, names=names)
    print(json.dumps(summary, indent=1))
    return 0


@needs_train()
def run_build(args: argparse.Namespace) -> int:
    from tersify_train.sources.evalsets import EVALSET_DIR, build

    if args.dense_v2:
        return _build_dense_v2(args, Path(args.out) if args.out else EVALSET_DIR)
    counts = build(args.out or EVALSET_DIR, progress=True)
    for name, n in counts.items():
        print(f"{name}: {n} records")
    return 0


@needs_train()
def run_proxy_traffic(args: argparse.Namespace) -> int:
    import json

    from tersify_train.sources.proxy_traffic import DEADLINE_S, proxy_traffic

    report = proxy_traffic(args.out, n_sessions=args.sessions, n_turns=args.turns, seed=args.seed,
                           concurrency=args.concurrency, deadline_s=args.deadline or DEADLINE_S,
                           keep=Path(args.keep).resolve() if args.keep else None, progress=True)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0
    print(f"{report.sessions} sessions x {report.turns} turns: {report.requests} requests in {report.seconds:.1f} s, "
          f"{report.tool_results_sent} tool results sent (history resent), {report.distinct} distinct")
    print("distinct tool results: " + ", ".join(f"{k} {v}" for k, v in report.fates.items()))
    print(f"wrote {report.pairs} pair records to {args.out}")
    return 0
