"""A batch job: find the shards, cut them into blocks, run the step over the blocks on this
process (``local``) or on Ray (``ray``), then put the results back in input order: the
output shards (merged into one file when the output is a file), the dead letters, and the
step's summary (the diagnostic, the metrics) reduced from the per-record values in input
order, so every engine and every cut gives the same answer.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from tersify.errors import TersifyError
from tersify_train.scale.deadletters import DeadLetter, write_dead_letters
from tersify_train.scale.shards import FORMATS, Block, find_shards, merge_shards, plan_blocks
from tersify_train.scale.steps import BlockResult, Step, StepSpec, process_block

ENGINES = ("local", "ray")
MIN_BLOCK_BYTES = 256 << 10
MAX_BLOCK_BYTES = 64 << 20
# Blocks per worker: enough that the last blocks leave no worker idle for long (with 4, the
# 2-worker run of benchmarks/scale.py lost ~10% waiting for the last block), few enough to cost nothing.
BLOCKS_PER_WORKER = 16
# Below this much input the local engine finishes first: Ray's start-up (a local cluster, the
# workers' imports and models: ~5 s) outweighs the second core. benchmarks/scale.py on 2 cores:
# labelling crosses at ~9,700 pairs (14.9 MiB), self-labelling at ~6,000 (9.1 MiB) (BENCHMARKS.md).
LOCAL_FASTER_BELOW_BYTES = 15 << 20


@dataclass
class Job:
    """``out``: a ``.jsonl`` / ``.parquet`` file, or a folder of shards in ``fmt`` (default jsonl).
    ``block_bytes``: the cut (None: chosen from the input size and the workers)."""

    spec: StepSpec
    inputs: list[str]
    out: str | None = None
    fmt: str | None = None
    block_bytes: int | None = None
    dead_letters: str | None = None


@dataclass
class JobResult:
    engine: str
    blocks: int
    read: int = 0
    written: int = 0
    skipped: int = 0
    dead: list[DeadLetter] = field(default_factory=list)
    dead_path: str | None = None
    summary: object = None
    out: str | None = None
    seconds: float = 0.0
    workers: int = 1
    cpu_s: float = 0.0  # CPU time the blocks took, all workers together


def input_bytes(inputs: list[str]) -> int:
    return sum(s.size for s in find_shards(inputs))


def engine_hint(engine: str, total_bytes: int) -> str | None:
    """The line to print when the input is small enough for the local engine to be faster."""
    if engine == "ray" and total_bytes < LOCAL_FASTER_BELOW_BYTES:
        return (f"tersify: {total_bytes / 2**20:.1f} MiB of input is below {LOCAL_FASTER_BELOW_BYTES >> 20} MiB, where "
                "--engine local is faster (Ray's start-up outweighs the extra cores)")
    return None


def auto_block_bytes(total: int, workers: int) -> int:
    return max(MIN_BLOCK_BYTES, min(MAX_BLOCK_BYTES, total // (BLOCKS_PER_WORKER * max(1, workers)) + 1))


def _layout(job: Job) -> tuple[Path | None, Path | None, str]:
    """(folder the block shards go to, the single file they merge into or None, format)."""
    if job.out is None:
        if job.spec.writes:
            raise TersifyError(f"{job.spec.name} writes records: give --out")
        return None, None, "jsonl"
    out = Path(job.out)
    suffix = out.suffix.lstrip(".")
    if suffix in FORMATS:
        if job.fmt and job.fmt != suffix:
            raise TersifyError(f"--out {out} is a .{suffix} file but --format is {job.fmt}")
        return out.with_name(f".{out.name}.parts"), out, suffix
    return out, None, job.fmt or "jsonl"


def default_dead_letters(job: Job) -> Path:
    if job.dead_letters:
        return Path(job.dead_letters)
    if job.out:
        out = Path(job.out)
        return out.with_name(f"{out.name}.dead-letters.jsonl")
    return Path("dead-letters.jsonl")


def run_local(spec: StepSpec, blocks: list[Block], out_dir: Path | None, fmt: str) -> list[BlockResult]:
    """The blocks one after another on this process, with a progress bar."""
    from tersify_train.eval.progress import progress_bar

    step = Step(spec)
    results = []
    with progress_bar() as bar:
        task = bar.add_task(spec.name, total=sum(b.units for b in blocks) or None, info="")
        for block in blocks:
            results.append(process_block(step, block, out_dir, fmt, progress=lambda n: bar.advance(task, n)))
    return results


def run_job(job: Job, *, engine: str = "local", ray_address: str | None = None,
            workers: int | None = None) -> JobResult:
    """Run ``job``; see the module's docstring."""
    if engine not in ENGINES:
        raise TersifyError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    if workers is not None and workers < 1:
        raise TersifyError(f"--workers must be >= 1, got {workers}")
    t0 = time.perf_counter()
    # Absolute paths: Ray workers run in other folders (and, on a cluster, other machines
    # that mount the same volume).
    shards = find_shards([str(Path(i).resolve()) for i in job.inputs])
    out_dir, single, fmt = _layout(job)
    out_dir = out_dir.resolve() if out_dir is not None else None
    runner = None
    if engine == "ray":
        from tersify_train.scale.ray_pipeline import RayRunner

        runner = RayRunner(ray_address, workers)
        workers = runner.workers
    total = sum(s.size for s in shards)
    blocks = plan_blocks(shards, job.block_bytes or auto_block_bytes(total, workers or 1))
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    if runner is None:
        results = run_local(job.spec, blocks, out_dir, fmt)
    else:
        results = runner.run(job.spec, blocks, out_dir, fmt)
    results.sort(key=lambda r: r.index)
    if [r.index for r in results] != [b.index for b in blocks]:
        raise TersifyError(f"{len(results)} block results for {len(blocks)} blocks")  # never silently short
    res = JobResult(engine, len(blocks), workers=workers or 1)
    for r in results:
        res.read, res.written, res.skipped = res.read + r.read, res.written + r.written, res.skipped + r.skipped
        res.dead += r.dead
        res.cpu_s += r.cpu_s
    if out_dir is not None:
        _finish_output(out_dir, single, fmt, [Path(r.output) for r in results if r.output])
        res.out = str(single or out_dir)
    res.summary = _summary(job.spec, [v for r in results for v in r.values])
    dead_path = default_dead_letters(job)
    if res.dead or dead_path.exists():  # an old file would misreport this run's failures
        write_dead_letters(dead_path, res.dead)
        res.dead_path = str(dead_path)
    res.seconds = time.perf_counter() - t0
    return res


def _finish_output(out_dir: Path, single: Path | None, fmt: str, parts: list[Path]) -> None:
    if single is not None:
        merge_shards(parts, single, fmt)
        shutil.rmtree(out_dir)
        return
    produced = set(parts)
    for stale in out_dir.glob("part-*"):  # a former run's shards (cut otherwise, or the other format) would duplicate
        if stale not in produced and stale.suffix in (".jsonl", ".parquet"):
            stale.unlink()
    for tmp in out_dir.glob(".part-*.tmp-*"):  # what a worker killed while writing left (readers skip it)
        tmp.unlink(missing_ok=True)


def _summary(spec: StepSpec, values: list) -> object:
    if spec.name == "diagnose":
        from tersify_train.eval.diagnose import summarise

        return summarise(values) if values else None
    if spec.name == "evaluate":
        from tersify_train.eval.metrics import aggregate

        return aggregate(values)
    return None


__all__ = ["ENGINES", "LOCAL_FASTER_BELOW_BYTES", "Job", "JobResult", "auto_block_bytes", "engine_hint",
           "input_bytes", "run_job", "run_local"]
