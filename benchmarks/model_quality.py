"""Quality of the shipped model against the teacher and the baseline on the eval sets.

    python benchmarks/model_quality.py [--sets agent,dense] [--scorers model,teacher,baseline]
                                       [--model-dir DIR] [--no-override model|all|none] [--rate R]

One row per (scorer, set), with the must-keep override and, for the scorers of
``--no-override`` (default: the model), without it (the scorer alone). Columns are those
of ``tersify_train.eval.evaluate``. Then, when the model is among the scorers, per set, how
many words the model and the teacher decide differently (both with the override), and
both keep rates to five places.

The teacher as a scorer (the baseline the model must beat)::

    python benchmarks/model_quality.py --scorers teacher,baseline --no-override all
"""

from __future__ import annotations

import argparse

from tersify import compress
from tersify.scorers import get_scorer
from tersify.scorers.onnx import ModelScorer
from tersify_train.eval.evaluate import evaluate_scorer, format_markdown
from tersify_train.sources.evalsets import load_evalset


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="agent,dense", help="comma-separated eval sets (default agent,dense)")
    ap.add_argument("--scorers", default="model,teacher,baseline", help="scorers to compare")
    ap.add_argument("--model-dir", default=None,
                    help="a model directory to evaluate as 'model' instead of the shipped model")
    ap.add_argument("--no-override", choices=("model", "all", "none"), default="model",
                    help="which scorers also get a row without the must-keep override (default: the model)")
    ap.add_argument("--rate", type=float, default=None, help="target keep rate (default: threshold 0.5)")
    args = ap.parse_args()
    scorer_names = args.scorers.split(",")

    def scorer_named(name: str):
        return ModelScorer(args.model_dir) if name == "model" and args.model_dir else get_scorer(name)

    rows = {}
    for name in args.sets.split(","):
        records = load_evalset(name)
        for scorer_name in scorer_names:
            scorer = scorer_named(scorer_name)
            rows[f"{scorer_name} / {name}"] = evaluate_scorer(scorer, records, override=True, rate=args.rate,
                                                             progress=True)
            if args.no_override == "all" or args.no_override == scorer_name:
                rows[f"{scorer_name} (no override) / {name}"] = evaluate_scorer(
                    scorer, records, override=False, rate=args.rate, progress=True)
    print(format_markdown(rows))
    if "model" not in scorer_names:
        return
    model, teacher = scorer_named("model"), get_scorer("teacher")
    for name in args.sets.split(","):
        n = only_model = only_teacher = 0
        for record in load_evalset(name):
            a = compress(record.text, scorer=model, rate=args.rate).keep
            b = compress(record.text, scorer=teacher, rate=args.rate).keep
            n += a.shape[0]
            only_model += int((a & ~b).sum())
            only_teacher += int((b & ~a).sum())
        print(f"agreement on {name}: model and teacher differ on {only_model + only_teacher} of {n} words "
              f"({only_model} kept by the model only, {only_teacher} by the teacher only)")
        if f"model / {name}" in rows and f"teacher / {name}" in rows:
            print(f"keep_rate on {name} to 5 places: model {rows[f'model / {name}']['keep_rate']:.5f}, "
                  f"teacher {rows[f'teacher / {name}']['keep_rate']:.5f}")


if __name__ == "__main__":
    main()
