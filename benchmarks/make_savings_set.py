#!/usr/bin/env python3
"""Build ``benchmarks/data/savings_set.jsonl``: the outputs the savings benchmark runs on.

Three sources, all inside this repository:

* the real corpus ``data/corpus/real_outputs.jsonl`` (every record, its domain
  mapped to a kind below): deterministic;
* slices of the loghub samples ``data/loghub/<System>/<System>_2k.log``
  (one slice per system, start and length drawn from a generator seeded by the system
  name): deterministic;
* outputs harvested on the machine that builds the set (``benchmarks/harvest_set.py``):
  these vary by machine (package versions, sizes, dates). Without ``--harvest`` the
  harvested records already in the set are kept as they are, so a rebuild from a fresh
  checkout gives the committed file back byte for byte.

    python benchmarks/make_savings_set.py               # rebuild, keeping harvested records
    python benchmarks/make_savings_set.py --harvest     # run the programs again (this machine)
    python benchmarks/make_savings_set.py --check       # rebuild in memory, compare with the file
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SET_PATH = REPO / "benchmarks" / "data" / "savings_set.jsonl"
CORPUS = REPO / "data" / "corpus" / "real_outputs.jsonl"
LOGHUB = REPO / "data" / "loghub"

# The kinds of the set, as an agent session meets them. Documented in benchmarks/data/README.md.
KINDS = ("test", "traceback", "build", "lint", "git", "diff", "json", "listing", "search", "log", "http",
         "database", "text")

# Corpus domain -> kind. ``package`` outputs are pip install/show/download runs (build logs);
# ``binary`` outputs (nm, readelf, objdump, ldd, xxd) are column listings.
_DOMAIN_KIND = {"test": "test", "traceback": "traceback", "build": "build", "package": "build", "lint": "lint",
                "vcs": "git", "diff": "diff", "json": "json", "listing": "listing", "binary": "listing",
                "search": "search", "http": "http", "database": "database"}

# Loghub slice lengths: short enough that logs do not outweigh the rest of the set (a session
# reads a log tail or a grep of a log far more often than a 2,000-line file).
LOG_LINES = (100, 150)


def corpus_records() -> list[dict]:
    out = []
    with open(CORPUS, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            out.append({"id": f"corpus-{r['id']}", "kind": _DOMAIN_KIND[r["domain"]], "source": r["source"],
                        "command": r["command"], "text": r["text"]})
    return out


def loghub_records() -> list[dict]:
    out = []
    for system_dir in sorted(p for p in LOGHUB.iterdir() if p.is_dir()):
        name = system_dir.name
        lines = (system_dir / f"{name}_2k.log").read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        rng = random.Random(f"savings-set:{name}")  # str seeds are stable across runs and platforms
        n = rng.randint(*LOG_LINES)
        start = rng.randint(0, len(lines) - n)
        out.append({"id": f"loghub-{name.lower()}-{start}-{start + n}", "kind": "log", "source": f"loghub:{name}",
                    "command": f"sed -n '{start + 1},{start + n}p' {name}_2k.log",
                    "text": "\n".join(lines[start : start + n])})
    return out


def harvested_records(harvest: bool) -> list[dict]:
    if harvest:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from harvest_set import harvest as run_harvest

        records, skipped = run_harvest()
        for s in skipped:
            print(f"  skipped: {s}", file=sys.stderr)
        return records
    if not SET_PATH.exists():
        return []
    return [r for r in load_set(SET_PATH) if r["source"].startswith("harvest:")]


def load_set(path: Path = SET_PATH) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def build(harvest: bool = False) -> list[dict]:
    records = corpus_records() + harvested_records(harvest) + loghub_records()
    order = {k: i for i, k in enumerate(KINDS)}
    records.sort(key=lambda r: (order[r["kind"]], r["id"]))
    ids = [r["id"] for r in records]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate ids in the set")
    return records


def dumps(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--harvest", action="store_true", help="run the programs again on this machine")
    parser.add_argument("--check", action="store_true", help="compare a rebuild with the committed file")
    parser.add_argument("--out", type=Path, default=SET_PATH)
    args = parser.parse_args(argv)
    text = dumps(build(args.harvest))
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print("set is up to date" if same else "set differs from a rebuild")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10))} records to {args.out} ({len(text.encode()) / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
