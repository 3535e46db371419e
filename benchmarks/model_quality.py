"""Quality of the shipped model against the teacher and the baseline on the eval sets.

    python benchmarks/model_quality.py [--sets agent,dense] [--model-dir DIR]

One row per (scorer, set), with the must-keep override and, for the model, without it
(``no-override``: the model alone). Columns are those of ``tersify_train.eval.evaluate``.
Then, per set, how many words the model and the teacher decide differently (both with
the override), and both keep rates to five places.
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
    args = ap.parse_args()

    def scorer_named(name: str):
        return ModelScorer(args.model_dir) if name == "model" and args.model_dir else get_scorer(name)

    rows = {}
    for name in args.sets.split(","):
        records = load_evalset(name)
        for scorer_name in args.scorers.split(","):
            scorer = scorer_named(scorer_name)
            rows[f"{scorer_name} / {name}"] = evaluate_scorer(scorer, records, override=True, progress=True)
            if scorer_name == "model":
                rows[f"model (no override) / {name}"] = evaluate_scorer(scorer, records, override=False,
                                                                       progress=True)
    print(format_markdown(rows))
    model, teacher = scorer_named("model"), get_scorer("teacher")
    for name in args.sets.split(","):
        n = only_model = only_teacher = 0
        for record in load_evalset(name):
            a = compress(record.text, scorer=model).keep
            b = compress(record.text, scorer=teacher).keep
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
