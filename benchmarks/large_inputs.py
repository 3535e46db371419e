#!/usr/bin/env python3
"""Big inputs through the CLI: wall time and peak memory of `tersify compress` on a 50 MB log
and a big JSON document, as a user runs it (a subprocess writing to a file).

The log is the loghub samples (data/loghub, real system logs) concatenated until it reaches
the size; the JSON is the real JSON outputs of benchmarks/data/savings_set.jsonl, repeated in
one indented array (like `pip inspect`). For each input and mode it prints wall seconds, the
peak RSS of the process tree (the CLI and its worker processes, summed: pages they share are
counted once per process, so this overstates), the tree's CPU seconds (on a shared machine,
what the wall time would be bounded by with the cores to itself), tokens in and out (from --stats), and for
--lossless whether `tersify expand` gives back the exact bytes (timed too).

    python benchmarks/large_inputs.py                      # 50 MB log and 1.2 MB JSON, both modes
    python benchmarks/large_inputs.py --log-mb 10 --modes lossless --jobs 1
    python benchmarks/large_inputs.py --profile --log-mb 3.5   # where a piece's time goes (cProfile)
    python benchmarks/large_inputs.py --json-mb 0 --modes budget --budget 8000   # --budget 8000 on the log

Mode ``budget`` runs ``tersify compress --budget N`` (originals stored in a store of the work
directory) and checks the output: its o200k tokens (at most N), and every marker's range
retrieved with ``tersify retrieve`` against the input's lines (the first few, timed).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def build_log(path: Path, mb: float) -> None:
    logs = [p.read_bytes() for p in sorted((ROOT / "data" / "loghub").glob("*/*_2k.log"))]
    target = int(mb * 1e6)
    with path.open("wb") as out:
        size = 0
        while size < target:
            for data in logs:
                data = data if data.endswith(b"\n") else data + b"\n"
                out.write(data)
                size += len(data)
                if size >= target:
                    break


def build_json(path: Path, mb: float) -> None:
    docs = []
    for line in (ROOT / "benchmarks" / "data" / "savings_set.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["kind"] == "json":
            try:
                docs.append(json.loads(record["text"]))
            except json.JSONDecodeError:
                continue  # a JSON-lines or truncated output
    target = int(mb * 1e6)
    items, size = [], 2
    while size < target:
        for doc in docs:
            items.append(doc)
            size += len(json.dumps(doc, indent=2)) + 2
    path.write_text(json.dumps(items, indent=2) + "\n")


def run(cmd: list[str], stdin: Path, stdout: Path) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS in MB of the process and its descendants, their CPU seconds
    (user + system, as last seen), standard error."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with stdin.open("rb") as fin, stdout.open("wb") as fout, tempfile.TemporaryFile() as ferr:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=fin, stdout=fout, stderr=ferr, env=env)
        top = psutil.Process(proc.pid)
        peak = 0
        cpu: dict[int, float] = {}
        while proc.poll() is None:
            try:
                tree = [top, *top.children(recursive=True)]
                peak = max(peak, sum(_rss(p) for p in tree))
                for p in tree:
                    cpu[p.pid] = max(cpu.get(p.pid, 0.0), _cpu(p))
            except psutil.NoSuchProcess:
                pass
            time.sleep(0.05)
        seconds = time.perf_counter() - t0
        ferr.seek(0)
        err = ferr.read().decode(errors="replace")
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err}")
    return seconds, peak / 1e6, sum(cpu.values()), err


def _cpu(p: psutil.Process) -> float:
    try:
        times = p.cpu_times()
        return times.user + times.system
    except psutil.NoSuchProcess:
        return 0.0


def _rss(p: psutil.Process) -> int:
    try:
        return p.memory_info().rss
    except psutil.NoSuchProcess:
        return 0


def profile(path: Path, lossless: bool, top: int = 30) -> None:
    """CPU seconds of compress() over the pieces of ``path`` in this process, then the functions
    that take the most (cProfile, CPU time)."""
    import cProfile
    import io
    import pstats

    from tersify.compress import compress
    from tersify.pieces import read_pieces
    from tersify.scorers import default_scorer
    from tersify.tokens import encoder

    encoder()
    scorer = None if lossless else default_scorer()
    compress("warm up", lossless=lossless, scorer=scorer)
    with path.open("rb") as stream:
        pieces = [p.data.decode("utf-8", "surrogateescape") for p in read_pieces(stream)]
    t0 = time.process_time()
    for text in pieces:
        compress(text, lossless=lossless, scorer=scorer)
    print(f"{len(pieces)} pieces of {path.name}: {time.process_time() - t0:.2f} CPU s without the profiler")
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for text in pieces:
        compress(text, lossless=lossless, scorer=scorer)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())


MARKER = re.compile(rb"^\[lines? ([0-9]+)(?:-([0-9]+))? omitted: .*; run: tersify retrieve ([0-9a-f]+)(?: --db \S+)? --lines")


def check_budget(out: Path, original: Path, db: Path, budget: int, retrieve: int = 3) -> str:
    """The output's tokens against the budget, and the first ``retrieve`` markers' ranges
    retrieved (a process each, timed) against the input's lines."""
    sys.path.insert(0, str(ROOT))
    from tersify.tokens import count_tokens

    data = out.read_bytes()
    tokens = count_tokens(data.decode("utf-8", "surrogateescape"))
    markers = [m for m in map(MARKER.match, data.split(b"\n")) if m]
    lines = original.read_bytes().split(b"\n")
    exact, seconds = 0, []
    for m in markers[:retrieve]:
        first, last = int(m[1]), int(m[2] or m[1])
        got = work_file(out, "retrieved")
        s, _, _, _ = run([sys.executable, "-m", "tersify", "retrieve", m[3].decode(), "--lines", f"{first}-{last}",
                          "--db", str(db)], Path(os.devnull), got)
        seconds.append(s)
        expected = b"".join(line + b"\n" for line in lines[first - 1 : last])
        exact += got.read_bytes() in (expected, expected[:-1])  # the last line may have no newline
        got.unlink()
    verdict = "within" if tokens <= budget else "OVER"
    return (f"{tokens:,} tokens {verdict} {budget:,}; {len(markers)} markers; {exact}/{len(seconds)} ranges "
            f"retrieved exactly ({max(seconds, default=0):.1f} s each at most)")


def work_file(near: Path, suffix: str) -> Path:
    return near.with_suffix(near.suffix + "." + suffix)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--log-mb", type=float, default=50.0, help="size of the log (default 50)")
    ap.add_argument("--json-mb", type=float, default=1.2, help="size of the JSON document (default 1.2; 0: none)")
    ap.add_argument("--modes", default="lossless,default", help="comma-separated: lossless, default, budget")
    ap.add_argument("--budget", type=int, default=8000, help="the budget of mode budget (default 8000)")
    ap.add_argument("--jobs", type=int, default=None, help="passed to tersify compress --jobs")
    ap.add_argument("--workdir", default=None, help="keep the inputs and outputs here (default: a temp dir)")
    ap.add_argument("--profile", action="store_true",
                    help="instead, profile compress() over the log's pieces in this process (first mode)")
    args = ap.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="tersify-large-"))
    work.mkdir(parents=True, exist_ok=True)
    inputs = []
    if args.log_mb > 0:
        inputs.append(("log", work / f"loghub_{args.log_mb:g}mb.log", build_log, args.log_mb))
    if args.json_mb > 0:
        inputs.append(("json", work / f"json_{args.json_mb:g}mb.json", build_json, args.json_mb))
    if args.profile:
        sys.path.insert(0, str(ROOT))
        name, path, build, mb = inputs[0]
        if not path.exists():
            build(path, mb)
        profile(path, args.modes.split(",")[0] == "lossless")
        return 0
    print(f"machine: {os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
          f"load {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}; workdir {work}")
    print(f"{'input':6} {'MB':>6} {'mode':9} {'seconds':>8} {'CPU s':>6} {'MB/s':>6} {'peak RSS':>9} {'tokens in':>11} "
          f"{'tokens out':>11} {'out/in':>6}  round trip")
    for name, path, build, mb in inputs:
        if not path.exists():
            build(path, mb)
        size = path.stat().st_size / 1e6
        for mode in args.modes.split(","):
            out = work / f"{path.stem}.{mode}.out"
            cmd = [sys.executable, "-m", "tersify", "compress", "--stats"]
            cmd += ["--lossless"] if mode == "lossless" else []
            cmd += ["--budget", str(args.budget), "--db", str(work / "store.db")] if mode == "budget" else []
            cmd += ["--jobs", str(args.jobs)] if args.jobs else []
            seconds, peak, cpu, err = run(cmd, path, out)
            found = re.search(r"tokens (\d+) -> (\d+)", err)
            t_in, t_out = (int(found[1]), int(found[2])) if found else (0, 0)
            check = ""
            if mode == "lossless":
                back = work / f"{path.stem}.expanded"
                e_seconds, e_peak, _, _ = run([sys.executable, "-m", "tersify", "expand"], out, back)
                same = filecmp.cmp(back, path, shallow=False)
                check = f"{'exact' if same else 'DIFFERS'} (expand {e_seconds:.1f} s, {e_peak:.0f} MB)"
                back.unlink()
            if mode == "budget":
                check = check_budget(out, path, work / "store.db", args.budget)
            print(f"{name:6} {size:6.1f} {mode:9} {seconds:8.1f} {cpu:6.1f} {size / seconds:6.2f} {peak:8.0f}M {t_in:>11,} "
                  f"{t_out:>11,} {t_out / max(t_in, 1):6.3f}  {check}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
