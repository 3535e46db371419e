"""The teacher as a scorer on the committed eval sets: the baseline the model must beat.

    python benchmarks/teacher_eval.py [--scorers teacher,baseline] [--sets agent,dense]

Prints one Markdown row per (scorer, set), with the must-keep override on (as shipped)
and off (the scorer alone), using the metrics of :mod:`tersify_train.eval.metrics`.
"""

from __future__ import annotations

import argparse

from tersify.scorers import get_scorer
from tersify_train.eval.evaluate import evaluate_scorer, format_markdown
from tersify_train.sources.evalsets import load_evalset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scorers", default="teacher,baseline", help="comma-separated scorer names")
    parser.add_argument("--sets", default="agent,dense", help="comma-separated eval sets")
    parser.add_argument("--rate", type=float, default=None, help="target keep rate (default: threshold 0.5)")
    args = parser.parse_args()
    rows: dict[str, dict[str, float]] = {}
    for name in args.scorers.split(","):
        scorer = get_scorer(name)
        for set_name in args.sets.split(","):
            records = load_evalset(set_name)
            for override in (True, False):
                label = f"{name} / {set_name}" + ("" if override else " (no override)")
                rows[label] = evaluate_scorer(scorer, records, override=override, rate=args.rate, progress=True)
    print(format_markdown(rows))


if __name__ == "__main__":
    main()
