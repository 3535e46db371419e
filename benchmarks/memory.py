#!/usr/bin/env python3
"""Peak memory and time of compress() as the input grows: is it linear in the input?

Each size runs in a fresh process (the 12 loghub samples concatenated, repeated k times),
so the peak RSS is that of one compression, model and token encoding loaded.

    python benchmarks/memory.py                 # k = 1, 2, 4
    python benchmarks/memory.py --sizes 1,2,4,8 --lossless
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

LOGHUB_DIR = Path(__file__).resolve().parents[1] / "data" / "loghub"

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import tersify
from tersify.tokens import encoder
k, lossless = int(sys.argv[1]), sys.argv[2] == "1"
text = "".join(p.read_text(encoding="utf-8", errors="surrogateescape")
               for p in sorted(Path(sys.argv[3]).glob("*/*_2k.log"))) * k
encoder()
tersify.compress("warm up", lossless=lossless)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
result = tersify.compress(text, lossless=lossless)
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"k": k, "chars": len(text), "tokens_in": result.stats.tokens_in, "tokens_out": result.stats.tokens_out,
                  "seconds": seconds, "rss_loaded_mb": base / 1024, "rss_peak_mb": peak / 1024}))
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,2,4", help="comma-separated repeat factors k (default 1,2,4)")
    ap.add_argument("--lossless", action="store_true", help="compaction only")
    args = ap.parse_args(argv)
    print(f"{'k':>3} {'MB in':>7} {'o200k in':>10} {'out/in':>7} {'seconds':>8} {'tokens/s':>9} "
          f"{'RSS loaded':>10} {'RSS peak':>9} {'peak - loaded per MB in':>24}")
    for k in (int(x) for x in args.sizes.split(",")):
        out = subprocess.run([sys.executable, "-c", _CHILD, str(k), "1" if args.lossless else "0", str(LOGHUB_DIR)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        mb = r["chars"] / 1e6
        print(f"{r['k']:>3} {mb:7.1f} {r['tokens_in']:>10,} {r['tokens_out'] / r['tokens_in']:7.3f} {r['seconds']:8.2f} "
              f"{r['tokens_in'] / r['seconds']:9,.0f} {r['rss_loaded_mb']:9.0f}M {r['rss_peak_mb']:8.0f}M "
              f"{(r['rss_peak_mb'] - r['rss_loaded_mb']) / mb:23.0f}M")
    return 0


if __name__ == "__main__":
    sys.exit(main())
