#!/usr/bin/env python3
"""Savings and structure over the savings set: real tokens out/in per kind, and checks.

For every record of ``benchmarks/data/savings_set.jsonl`` the compressor runs in a mode,
its output is expanded, and the benchmark reports per kind and pooled: tokens in and out
(o200k_base; cl100k_base with ``--encoding``) and their ratio, plus the structure checks
of ``tersify_train.eval.structure`` (round trip exact in lossless mode, JSON equal, diff lines whole
and in order, ``git apply --check``, CODE/ERROR lines whole, brackets balanced), and the
speed end to end over the set (a first and a second pass).

    python benchmarks/savings.py                       # default mode
    python benchmarks/savings.py --mode both --show-worst 5
    python benchmarks/savings.py --mode lossless --json > out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tersify_train.eval import structure as checks  # noqa: E402

SET_PATH = Path(__file__).resolve().parent / "data" / "savings_set.jsonl"
LOGHUB_DIR = Path(__file__).resolve().parents[1] / "data" / "loghub"
TARGET_POOLED, TARGET_LOG = 0.60, 0.45


def run(text: str, mode: str) -> tuple[str, str]:
    """(compressed output, expanded output) of ``text`` in ``mode`` ("lossless" or "default")."""
    import tersify

    out = tersify.compress(text, lossless=mode == "lossless").text
    return out, tersify.expand(out)




CHECKS = ("round_trip", "json", "diff_lines", "git_apply", "code_error_whole", "brackets")


def check_record(text: str, expanded: str, mode: str) -> dict[str, bool | None]:
    return {
        "round_trip": checks.round_trip(text, expanded) if mode == "lossless" else None,
        "json": checks.json_check(text, expanded),
        "diff_lines": checks.diff_check(text, expanded),
        "git_apply": checks.git_apply_check(text, expanded),
        "code_error_whole": checks.whole_lines_check(text, expanded, articles_may_go=mode != "lossless"),
        "brackets": checks.brackets_check(text, expanded),
    }


def load(path: Path = SET_PATH) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def evaluate(records: list[dict], mode: str, encodings: list[str]) -> dict:
    from tersify.tokens import count_tokens

    per_record = []
    timings = []
    outputs: list[tuple[str, str]] = []
    for pass_no in range(2):  # the second pass shows warm caches; outputs are checked once
        t0 = time.perf_counter()
        got = [run(r["text"], mode) for r in records]
        timings.append(time.perf_counter() - t0)
        if pass_no == 0:
            outputs = got
    for r, (out, expanded) in zip(records, outputs, strict=True):
        row = {"id": r["id"], "kind": r["kind"], "command": r["command"]}
        for enc in encodings:
            row[f"{enc}_in"] = count_tokens(r["text"], enc)
            row[f"{enc}_out"] = count_tokens(out, enc)
        row["checks"] = check_record(r["text"], expanded, mode)
        per_record.append(row)
    main_enc = encodings[0]
    total_in = sum(row[f"{main_enc}_in"] for row in per_record)
    return {
        "mode": mode,
        "records": per_record,
        "kinds": _aggregate(per_record, encodings),
        "speed": {"machine": machine(), "encoding": main_enc, "tokens_in": total_in,
                  "pass_seconds": timings, "tokens_per_s": [total_in / t if t else None for t in timings]},
    }


def _aggregate(rows: list[dict], encodings: list[str]) -> dict[str, dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["kind"]].append(row)
        groups["POOLED"].append(row)
        if row["kind"] != "log":
            groups["POOLED without logs"].append(row)
    out = {}
    for name, members in groups.items():
        agg: dict = {"records": len(members)}
        for enc in encodings:
            tin = sum(m[f"{enc}_in"] for m in members)
            tout = sum(m[f"{enc}_out"] for m in members)
            agg[enc] = {"in": tin, "out": tout, "ratio": tout / tin if tin else 1.0}
        for check in CHECKS:
            results = [(m["id"], m["checks"][check]) for m in members if m["checks"][check] is not None]
            agg[check] = {"passed": sum(1 for _, ok in results if ok), "applies": len(results),
                          "failed": [rid for rid, ok in results if not ok]}
        out[name] = agg
    return out


def _cell(agg: dict) -> str:
    if not agg["applies"]:
        return "-"
    text = f"{agg['passed']}/{agg['applies']}"
    return text if agg["passed"] == agg["applies"] else f"[red]{text}[/red]"


def print_report(result: dict, encodings: list[str], show_worst: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.width = max(console.width, 150)  # the table is wide; never wrap it into an unreadable one
    table = Table(title=f"savings set, mode {result['mode']}")
    table.add_column("kind")
    table.add_column("n", justify="right")
    for enc in encodings:
        short = enc.split("_")[0]
        table.add_column(f"{short} in", justify="right")
        table.add_column(f"{short} out", justify="right")
        table.add_column(f"{short} out/in", justify="right")
    for check in CHECKS:
        table.add_column(check.replace("_", " "), justify="right")
    kinds = result["kinds"]
    names = [k for k in kinds if not k.startswith("POOLED")] + [k for k in ("POOLED", "POOLED without logs") if k in kinds]
    for i, name in enumerate(names):
        agg = kinds[name]
        cells = [name, str(agg["records"])]
        for enc in encodings:
            e = agg[enc]
            cells += [f"{e['in']:,}", f"{e['out']:,}", f"{e['ratio']:.3f}"]
        cells += [_cell(agg[c]) for c in CHECKS]
        table.add_row(*cells, end_section=i + 1 < len(names) and names[i + 1] == "POOLED")
    console.print(table)
    main = encodings[0]
    pooled, log = kinds["POOLED"][main]["ratio"], kinds.get("log", {}).get(main, {}).get("ratio")
    console.print(f"targets: pooled <= {TARGET_POOLED} (now {pooled:.4f}), logs <= {TARGET_LOG}"
                  + (f" (now {log:.3f})" if log is not None else ""))
    for check in CHECKS:
        failed = kinds["POOLED"][check]["failed"]
        if failed:
            console.print(f"[red]{check} failed[/red] on {len(failed)}: {', '.join(failed[:8])}"
                          + (" ..." if len(failed) > 8 else ""))
    speed = result["speed"]
    passes = ", ".join(f"pass {i + 1}: {t / 1e3:,.0f}k tokens/s ({s:.2f} s)"
                       for i, (t, s) in enumerate(zip(speed["tokens_per_s"], speed["pass_seconds"], strict=True)))
    console.print(f"speed ({speed['tokens_in']:,} {speed['encoding']} tokens in, compress + expand): {passes}")
    console.print(f"machine: {speed['machine']}")
    if show_worst:
        worst = sorted(result["records"], key=lambda r: r[f"{main}_out"] / max(r[f"{main}_in"], 1), reverse=True)
        console.print(f"\nthe {show_worst} records with the highest out/in:")
        for r in worst[:show_worst]:
            console.print(f"  {r[f'{main}_out'] / max(r[f'{main}_in'], 1):.3f}  {r[f'{main}_in']:>6} tokens  "
                          f"{r['kind']:9s} {r['id']}  $ {r['command'][:70]}", markup=False, highlight=False)
    console.print()


def loghub_report() -> int:
    """Lossless o200k out/in of each of the 12 loghub samples, whole, and pooled."""
    import tersify

    total_in = total_out = 0
    for path in sorted(LOGHUB_DIR.glob("*/*_2k.log")):
        result = tersify.compress(path.read_text(encoding="utf-8", errors="surrogateescape"), lossless=True)
        total_in += result.stats.tokens_in
        total_out += result.stats.tokens_out
        print(f"{path.parent.name:10s} {result.stats.tokens_in:8,} -> {result.stats.tokens_out:8,}  "
              f"{result.stats.tokens_out / result.stats.tokens_in:.3f}")
    print(f"{'pooled':10s} {total_in:8,} -> {total_out:8,}  {total_out / total_in:.3f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("lossless", "default", "both"), default="default")
    parser.add_argument("--encoding", choices=("o200k_base", "cl100k_base", "both"), default="o200k_base",
                        help="token counting (both: o200k_base first, then cl100k_base)")
    parser.add_argument("--set", type=Path, default=SET_PATH, help="a JSONL set (fields id, kind, command, text)")
    parser.add_argument("--kind", action="append", help="only records of this kind (repeatable)")
    parser.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    parser.add_argument("--show-worst", type=int, default=0, metavar="N", help="print the N records with highest out/in")
    parser.add_argument("--loghub", action="store_true",
                        help="instead: lossless out/in of each whole loghub sample (data/loghub/*/*_2k.log)")
    args = parser.parse_args(argv)
    if args.loghub:
        return loghub_report()
    encodings = ["o200k_base", "cl100k_base"] if args.encoding == "both" else [args.encoding]
    records = load(args.set)
    if args.kind:
        records = [r for r in records if r["kind"] in args.kind]
    modes = ["lossless", "default"] if args.mode == "both" else [args.mode]
    results = [evaluate(records, mode, encodings) for mode in modes]
    if args.json:
        json.dump({"set": str(args.set.name), "results": results}, sys.stdout, indent=1)
        print()
    else:
        for result in results:
            print_report(result, encodings, args.show_worst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
