"""Labelling and self-labelling throughput: the local engine against Ray Data with 1 and 2
workers, Ray's start-up overhead, and the input size below which the local engine is faster.

    python benchmarks/scale.py [--n 100000] [--steps label,self-label] [--workers 1,2]
                               [--data DIR] [--json OUT.json]

The pairs are generated from the project's sources (the domain generators, loghub windows,
the harvested real outputs; no eval text), ``--n`` of them, written once to ``--data``
(default: the cache folder). Each step runs on the local engine and on a local Ray with
each number of workers (one actor, one CPU, one onnxruntime thread each); every Ray output
is checked byte for byte against the local one. Start-up: ``ray.init`` plus the extra wall
time of a 20-record job on Ray (actors starting, loading the step) over the same job run
locally. Crossover: the size at which local time equals Ray's with the most workers,
start-up included. Prints the load average (``uptime``) before and after: the figures are
only as good as the machine was idle.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR
from tersify_train.paths import cache_dir
from tersify_train.scale.engine import Job, run_job
from tersify_train.scale.steps import StepSpec
from tersify_train.sources.pairs import write_pairs
from tersify_train.train.recipe import DataConfig, training_records

SHARES = {"generators": 0.7, "loghub": 0.25}  # the rest: the real outputs, cycled


def make_pairs(n: int, path: Path, seed: int = 0) -> Path:
    """``n`` unlabelled pair records from the sources (generated once, then reused)."""
    if path.is_file():
        return path
    from tersify_train.sources.generators import DOMAINS

    cfg = DataConfig(generated_per_domain=math.ceil(n * SHARES["generators"] / len(DOMAINS)),
                     loghub_windows=math.ceil(n * SHARES["loghub"]), qa_pairs=0, real_outputs=True, seed=seed)
    records = training_records(cfg, sources=("generators", "loghub", "real"), report=lambda s: None)
    picked = [records[i % len(records)] for i in range(n)]
    # interleave the sources so any block is a fair sample of the whole
    order = sorted(range(n), key=lambda i: (i * 7919) % n)
    out = [picked[i].with_reference(None) for i in order]
    out = [type(r)(r.text, None, r.domain, r.source, f"bench-{i}") for i, r in enumerate(out)]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_pairs(path, out)
    return path


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def overhead_cpu_s() -> float:
    """CPU seconds of this process (the driver) and Ray's own processes (raylet, GCS, agents):
    its descendants but the workers (``ray::...``), which come and go with the jobs."""
    import psutil

    total = 0.0
    me = psutil.Process()
    for proc in [me, *me.children(recursive=True)]:
        try:
            if proc is not me and proc.cmdline()[:1] and proc.cmdline()[0].startswith("ray::"):
                continue
            t = proc.cpu_times()
            total += t.user + t.system
        except (psutil.Error, IndexError):
            pass
    return total


def timed_job(spec: StepSpec, src: Path, out: Path, engine: str, workers: int | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds the blocks took); prints the CPU the rest (driver, Ray) took."""
    t0, c0 = time.perf_counter(), overhead_cpu_s()
    res = run_job(Job(spec, [str(src)], out=str(out), dead_letters=str(out) + ".dead"), engine=engine,
                  workers=workers)
    wall, other = time.perf_counter() - t0, overhead_cpu_s() - c0
    if engine == "ray" and src.stat().st_size > 1 << 20:
        print(f"  driver + Ray's own processes: {other:.1f} CPU-s ({other / wall:.0%} of a core)", flush=True)
    return wall, res.cpu_s


def _figures(n: int, wall: float, cpu: float, workers: int) -> dict:
    # CPU share: how much of its workers' cores the job got (others' work on a shared machine takes the rest).
    return {"s": wall, "rps": n / wall, "cpu_s": cpu, "rps_per_cpu_s": n / cpu, "cpu_share": cpu / wall / workers}


def _line(name: str, what: str, f: dict) -> str:
    return (f"{name}: {what} {f['rps']:.1f} records/s ({f['s']:.0f} s); {f['rps_per_cpu_s']:.1f} records per "
            f"CPU-second; CPU share {f['cpu_share']:.0%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="pairs (default 100000)")
    ap.add_argument("--steps", default="label,self-label", help="steps to time (default label,self-label)")
    ap.add_argument("--workers", default="1,2", help="Ray worker counts (default 1,2)")
    ap.add_argument("--data", default=None, help="folder of the generated pairs (default: the cache folder)")
    ap.add_argument("--json", default=None, help="also write the figures as JSON here")
    ap.add_argument("--no-local", action="store_true", help="time Ray only (no local run, no output comparison)")
    args = ap.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    data = Path(args.data) if args.data else cache_dir() / "bench-scale"
    t0 = time.perf_counter()
    src = make_pairs(args.n, data / f"pairs-{args.n}.jsonl")
    size = src.stat().st_size
    print(f"input: {args.n} pairs, {size / 2**20:.1f} MiB ({size / args.n:.0f} bytes/pair), {src} "
          f"(made in {time.perf_counter() - t0:.0f} s)")
    print(f"machine: {os.cpu_count()} CPUs; before: {uptime()}", flush=True)
    tiny = data / "pairs-tiny.jsonl"
    tiny.write_text("".join(src.open(encoding="utf-8").readline() for _ in range(20)), encoding="utf-8")

    import ray

    t0 = time.perf_counter()
    ray.init(num_cpus=max(workers), include_dashboard=False, log_to_driver=False)
    init_s = time.perf_counter() - t0
    figures: dict = {"n": args.n, "bytes": size, "ray_init_s": init_s, "steps": {}}
    work = Path(tempfile.mkdtemp(prefix="tersify-scale-"))
    try:
        for name in args.steps.split(","):
            spec = StepSpec(name, model_dir=str(DEFAULT_MODEL_DIR) if name == "self-label" else None)
            tiny_local = timed_job(spec, tiny, work / "tiny-local.jsonl", "local")[0]
            tiny_ray = timed_job(spec, tiny, work / "tiny-ray.jsonl", "ray", max(workers))[0]
            row = {"startup_s": init_s + max(0.0, tiny_ray - tiny_local), "job_overhead_s": tiny_ray - tiny_local}
            if not args.no_local:
                row["local"] = _figures(args.n, *timed_job(spec, src, work / "local.jsonl", "local"), 1)
                print(_line(name, "local", row["local"]), f"| {uptime()}", flush=True)
            for w in workers:
                out = work / f"ray-{w}.jsonl"
                row[f"ray{w}"] = f = _figures(args.n, *timed_job(spec, src, out, "ray", w), w)
                f["same_as_local"] = None if args.no_local else out.read_bytes() == (work / "local.jsonl").read_bytes()
                print(_line(name, f"ray {w} worker(s)", f), f"| same as local: {f['same_as_local']} | {uptime()}",
                      flush=True)
                out.unlink()
            best = row[f"ray{max(workers)}"]["rps"]
            if len(workers) > 1:
                row["speedup"] = best / row[f"ray{min(workers)}"]["rps"]
            gain = 1 / row["local"]["rps"] - 1 / best if "local" in row else 0  # seconds saved per record
            row["crossover_records"] = row["startup_s"] / gain if gain > 0 else None
            figures["steps"][name] = row
    finally:
        shutil.rmtree(work, ignore_errors=True)
        ray.shutdown()
    figures["uptime_after"] = uptime()
    print(f"after: {figures['uptime_after']}")
    print(f"ray.init: {init_s:.1f} s")
    for name, row in figures["steps"].items():
        cross = row["crossover_records"]
        where = f"{cross:.0f} records ({cross * size / args.n / 2**20:.1f} MiB)" if cross else "never (Ray not faster)"
        print(f"{name}: start-up {row['startup_s']:.1f} s; speed-up 2 vs 1 worker {row.get('speedup', 0):.2f}x; "
              f"local faster below {where}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
