#!/usr/bin/env python3
"""Budget mode: how much of the original a budgeted output shows, per kind, at 2k/8k/32k.

For every record of ``benchmarks/data/savings_set.jsonl`` (grouped by its kind) and every
loghub log (``data/loghub/*/*_2k.log``, one kind per system) the compressor runs with
``budget=N`` and the report gives, pooled per kind: the share of the original's lines the
output shows (a line is shown unless it is in a range a marker names), the share of its
error/warning lines shown, the share of its line templates with at least one line shown,
how many texts needed elision at all, and whether every output was within its budget
(o200k tokens, counted on the output).

    python benchmarks/budget_report.py                  # default mode, 2000 8000 32000
    python benchmarks/budget_report.py --lossless --budgets 2000 8000
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

from tersify.budget import original_id
from tersify.budget.selection import Values
from tersify.compress import compress
from tersify.regions import detect_regions
from tersify.tokens import count_tokens

ROOT = Path(__file__).resolve().parents[1]


def corpus() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in (ROOT / "benchmarks" / "data" / "savings_set.jsonl").read_text().splitlines()]
    items = [(row["kind"], row["text"]) for row in rows]
    for path in sorted((ROOT / "data" / "loghub").glob("*/*_2k.log")):
        items.append((f"loghub:{path.parent.name}", path.read_text(errors="surrogateescape")))
    return items


def shown_shares(text: str, omitted) -> tuple[int, ...]:
    """(lines shown, lines, error lines shown, error lines, templates shown, templates,
    error templates shown, error templates)."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    values = Values(lines, detect_regions(lines))
    hidden = [False] * len(lines)
    for o in omitted:
        hidden[o.start : o.stop] = [True] * (o.stop - o.start)
    tmpl, err = values.template.tolist(), values.error.tolist()
    all_t = {t for t in tmpl if t >= 0}
    shown_t = {t for t, h in zip(tmpl, hidden, strict=True) if t >= 0 and not h}
    n_err = sum(err)
    shown_err = sum(1 for e, h in zip(err, hidden, strict=True) if e and not h)
    err_t = {t for t, e in zip(tmpl, err, strict=True) if e and t >= 0}
    shown_err_t = {t for t, e, h in zip(tmpl, err, hidden, strict=True) if e and t >= 0 and not h}
    return (len(lines) - sum(hidden), len(lines), shown_err, n_err, len(shown_t), len(all_t), len(shown_err_t),
            len(err_t))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budgets", type=int, nargs="+", default=[2000, 8000, 32000])
    parser.add_argument("--lossless", action="store_true")
    args = parser.parse_args()
    items = corpus()
    print(f"# budget report: {len(items)} texts, mode {'lossless' if args.lossless else 'default'}, "
          f"{platform.processor() or platform.machine()}, python {platform.python_version()}", file=sys.stderr)
    print("| kind | texts | budget | elided | lines shown | error/warning lines shown | their templates shown | "
          "templates shown | within budget |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    all_within = True
    t0 = time.perf_counter()
    for budget in args.budgets:
        per: dict[str, list[int]] = defaultdict(lambda: [0] * 11)
        for kind, text in items:
            result = compress(text, lossless=args.lossless, budget=budget, retrieve_id=original_id(text))
            omitted = result.elision.omitted if result.elision else ()
            s = shown_shares(text, omitted)
            row = per[kind]
            row[0] += 1
            row[1] += result.elision is not None
            for k in range(8):
                row[2 + k] += s[k]
            row[10] += count_tokens(result.text) > budget
        for kind in sorted(per, key=lambda k: (k.startswith("loghub"), k)):
            n, elided, ls, lt, es, et, ts, tt, ks, kt, over = per[kind]
            all_within &= over == 0
            err = f"{es / et:.0%} ({es}/{et})" if et else "-"
            err_kinds = f"{ks / kt:.0%} ({ks}/{kt})" if kt else "-"
            print(f"| {kind} | {n} | {budget} | {elided} | {ls / lt:.0%} | {err} | {err_kinds} | {ts / tt:.0%} | "
                  f"{'yes' if not over else f'NO ({over} over)'} |")
    print(f"\nevery output within its budget: {'yes' if all_within else 'NO'} "
          f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    return 0 if all_within else 1


if __name__ == "__main__":
    sys.exit(main())
