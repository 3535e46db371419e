"""``tersify data label|self-label|diagnose|evaluate``: the batch steps over pair records.

Each reads JSONL or Parquet (files or folders of shards) and runs on this process
(``--engine local``, the default and the reference) or on Ray (``--engine ray``: a local Ray
by default, a cluster with ``--ray-address`` or ``RAY_ADDRESS``); both give the same labels,
diagnostics and metrics. Records that fail go to a dead-letter file and the job goes on.
The work lives in :mod:`tersify_train.scale`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tersify.cli.args import positive_float, positive_int
from tersify.cli.extra import needs_train
from tersify.errors import TersifyError

_INPUT_HELP = ("JSONL or Parquet pair files, or folders of *.jsonl / *.parquet shards (read in name order)")


def _engine_options(p: argparse.ArgumentParser, *, writes: bool, evalsets: bool = False) -> None:
    p.add_argument("pairs", nargs="+", help=_INPUT_HELP + (", or an eval set name (qa, dense, agent)" if evalsets else ""))
    if writes:
        p.add_argument("--out", required=True,
                       help="output: a .jsonl or .parquet file, or a folder that gets one shard per input block")
        p.add_argument("--format", choices=("jsonl", "parquet"), default=None,
                       help="shard format of a folder --out (default jsonl)")
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="local: this process (default); ray: Ray Data, one actor per worker")
    p.add_argument("--ray-address", default=None, metavar="ADDR",
                   help="the Ray cluster to join (default: $RAY_ADDRESS, else a local Ray started for the job)")
    p.add_argument("--workers", type=positive_int("--workers"), default=None,
                   help="Ray actors (default: the cluster's CPUs)")
    p.add_argument("--block-mb", type=positive_float("--block-mb"), default=None,
                   help="input block size in MiB, the unit of work and of output shards (default: from the input "
                   "size and the workers)")
    p.add_argument("--dead-letters", default=None, metavar="PATH",
                   help="where records that fail go, with their error (default: OUT.dead-letters.jsonl, or "
                   "./dead-letters.jsonl)")


def register(dsub: argparse._SubParsersAction) -> None:
    """Add the batch steps to ``tersify data``."""
    lab = dsub.add_parser(
        "label", help="label the texts of pair files with the teacher",
        description="Read pair records (references may be null), replace every reference with the teacher's "
        "and write the result.")
    _engine_options(lab, writes=True)
    lab.set_defaults(func=run_label)

    sl = dsub.add_parser(
        "self-label", help="label the texts of pair files with a model + the must-keep override",
        description="Self-labelling, as the ladder's v-self rounds do: every reference becomes what the model "
        "keeps with the must-keep override (compaction expanded).")
    _engine_options(sl, writes=True)
    sl.add_argument("--model", default=None, metavar="DIR", help="model folder (default: the shipped model)")
    sl.set_defaults(func=run_self_label)

    d = dsub.add_parser(
        "diagnose", help="per-category must-keep tokens missing from the references, and mk_in_ref",
        description="The seed's diagnostic: for every must-keep match of each text, is it in the reference? "
        "Prints the missing counts per category, mk_in_ref (pooled share found), protected-word "
        "retention, and the alignment figures (variation rate, alignment gap) of the silver labels. "
        "Records without a reference are left out.")
    _engine_options(d, writes=False, evalsets=True)
    d.add_argument("--markdown", action="store_true", help="print a Markdown table")
    d.set_defaults(func=run_diagnose)

    ev = dsub.add_parser(
        "evaluate", help="compress pair texts with a scorer and print the averaged metrics",
        description="Compress every text with a scorer (the shipped model by default) and print the metrics "
        "of tersify_train.eval (keep_rate, floor, exact_keep_pct, ...) averaged over the records.")
    _engine_options(ev, writes=False, evalsets=True)
    ev.add_argument("--scorer", choices=("model", "teacher", "teacher-v1", "baseline"), default="model",
                    help="scorer to evaluate (default: model)")
    ev.add_argument("--model", default=None, metavar="DIR", help="a model folder to evaluate as the model")
    ev.add_argument("--no-override", action="store_true", help="without the must-keep override (the scorer alone)")
    ev.add_argument("--rate", type=positive_float("--rate"), default=None, help="target keep rate")
    ev.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ev.set_defaults(func=run_evaluate)


def _inputs(names: list[str]) -> list[str]:
    from tersify_train.sources.evalsets import NAMES, evalset_path

    return [str(evalset_path(n)) if n in NAMES and not Path(n).exists() else n for n in names]


def _run(args: argparse.Namespace, spec):
    from tersify_train.scale.engine import Job, engine_hint, input_bytes, run_job

    inputs = _inputs(args.pairs)
    hint = engine_hint(args.engine, input_bytes(inputs))
    if hint:
        print(hint, file=sys.stderr)
    block = int(args.block_mb * 2**20) if args.block_mb else None
    job = Job(spec, inputs, out=getattr(args, "out", None), fmt=getattr(args, "format", None), block_bytes=block,
              dead_letters=args.dead_letters)
    res = run_job(job, engine=args.engine, ray_address=args.ray_address, workers=args.workers)
    where = f"{args.engine}, {res.workers} worker{'s' if res.workers > 1 else ''}" if args.engine == "ray" else "local"
    print(f"tersify: {spec.name}: read {res.read} record{'s' if res.read != 1 else ''} in {res.blocks} block{'s' if res.blocks != 1 else ''}, "
          f"{len(res.dead)} dead letter{'s' if len(res.dead) != 1 else ''} "
          f"({where}, {res.seconds:.1f} s)", file=sys.stderr)
    if res.dead:
        first = res.dead[0]
        print(f"tersify: dead letters in {res.dead_path}; first: {first.where}: {first.error}", file=sys.stderr)
        if len(res.dead) == res.read:  # nothing could be used: a wrong file, not a few bad records
            raise TersifyError(f"{spec.name}: every one of the {res.read} records failed (see {res.dead_path})")
    return res


@needs_train()
def run_label(args: argparse.Namespace) -> int:
    from tersify_train.scale.steps import StepSpec

    res = _run(args, StepSpec("label"))
    print(f"wrote {res.written} labelled records to {res.out}")
    return 0


@needs_train()
def run_self_label(args: argparse.Namespace) -> int:
    from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR
    from tersify_train.scale.steps import StepSpec

    model = str(Path(args.model or DEFAULT_MODEL_DIR).resolve())
    res = _run(args, StepSpec("self-label", model_dir=model))
    print(f"wrote {res.written} self-labelled records to {res.out}")
    return 0


@needs_train()
def run_diagnose(args: argparse.Namespace) -> int:
    from tersify_train.scale.steps import StepSpec

    res = _run(args, StepSpec("diagnose"))
    if res.summary is None:
        raise TersifyError(f"{' '.join(args.pairs)}: no record with a reference to diagnose")
    print(res.summary.format(markdown=args.markdown))
    return 0


@needs_train()
def run_evaluate(args: argparse.Namespace) -> int:
    from tersify_train.eval.evaluate import format_markdown
    from tersify_train.scale.steps import StepSpec

    model = str(Path(args.model).resolve()) if args.model else None
    spec = StepSpec("evaluate", model_dir=model, scorer=args.scorer, override=not args.no_override, rate=args.rate)
    res = _run(args, spec)
    if not res.summary:
        raise TersifyError(f"{' '.join(args.pairs)}: no record to evaluate")
    if args.json:
        print(json.dumps(res.summary, indent=2))
    else:
        name = f"{args.model or args.scorer}{' (no override)' if args.no_override else ''}"
        print(format_markdown({f"{name} / {' '.join(args.pairs)}": res.summary}))
    return 0
