"""The Ray Data pipeline of a batch job: the blocks as a dataset of one row each, mapped by
an actor pool whose actors each load the step (its scorer) once and run
:func:`~tersify_train.scale.steps.process_block`, the local path's own loop. Each actor holds
one CPU and gives onnxruntime one thread. A block's output shard is written under a
temporary name and renamed, and its result travels back as one row: a task Ray retries
(a worker killed mid-block) rewrites the same shard and its row replaces the lost one, so
nothing is lost or duplicated.

Only this module imports ray, and only ``--engine ray`` imports this module.
"""

from __future__ import annotations

import os
import pickle
import warnings
from pathlib import Path

from tersify.errors import TersifyError
from tersify_train.scale.shards import Block
from tersify_train.scale.steps import BlockResult, Step, StepSpec, process_block

RETRIES = 3  # per block and per actor: a killed worker's block runs again on a new one


class BlockWorker:
    """The callable class of ``map_batches``: one per actor, the step loaded once."""

    def __init__(self, spec: StepSpec, out_dir: str | None, fmt: str):
        self.step = Step(spec, threads=1)
        self.out_dir, self.fmt = out_dir, fmt

    def __call__(self, batch: dict) -> dict:
        results = []
        for i in range(len(batch["index"])):
            block = Block(**{k: _plain(batch[k][i]) for k in Block.__dataclass_fields__})
            results.append(pickle.dumps(process_block(self.step, block, self.out_dir, self.fmt)))
        return {"index": list(batch["index"]), "result": results}


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value  # numpy scalars to Python


class RayRunner:
    """Joins the Ray cluster at ``address`` (``RAY_ADDRESS``; neither: a local one) and runs jobs
    on ``workers`` actors (default: the cluster's CPUs)."""

    def __init__(self, address: str | None = None, workers: int | None = None):
        try:
            import ray
        except ImportError as exc:
            raise TersifyError("--engine ray needs Ray: pip install 'tersify[scale]' "
                               "(from a checkout: pip install -e '.[scale]')") from exc
        address = address or os.environ.get("RAY_ADDRESS") or None
        if not ray.is_initialized():
            kwargs: dict = {"include_dashboard": False, "log_to_driver": False}
            if address is None and workers is not None:
                kwargs["num_cpus"] = workers
            try:
                ray.init(address=address, **kwargs)
            except ConnectionError as exc:
                raise TersifyError(f"cannot join the Ray cluster at {address}: {exc}") from exc
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.workers = workers or max(1, cpus)

    def run(self, spec: StepSpec, blocks: list[Block], out_dir: Path | None, fmt: str, *,
            worker: type[BlockWorker] = BlockWorker) -> list[BlockResult]:
        """Every block's result, in no particular order. ``worker``: the actor class (a test's
        subclass kills its process mid-job)."""
        import ray

        if not blocks:
            return []
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = True
        ds = ray.data.from_items([b.to_dict() for b in blocks], override_num_blocks=len(blocks))
        # One block in flight per actor: blocks are seconds long, and a queue behind a busy
        # actor would leave another idle at the end.
        pool = ray.data.ActorPoolStrategy(size=min(self.workers, len(blocks)), max_tasks_in_flight_per_actor=1)
        with warnings.catch_warnings():
            # Ray Data's own default retries a dying actor's block without end (one record that
            # kills its process would loop); bounded here through the remote args Ray 2.60 still
            # takes, with a deprecation warning that says nothing to a tersify user.
            warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated")
            ds = ds.map_batches(
                worker, batch_size=1, compute=pool, num_cpus=1,
                fn_constructor_kwargs={"spec": spec, "out_dir": str(out_dir) if out_dir else None, "fmt": fmt},
                max_restarts=RETRIES, max_task_retries=RETRIES,
            )
        try:
            rows = ds.take_all()
        except Exception as exc:  # a block failed past its retries (e.g. the output volume is full)
            last = str(exc).strip().splitlines()[-1:] or [type(exc).__name__]
            raise TersifyError(f"the Ray job failed: {last[0]}") from exc
        return [pickle.loads(row["result"]) for row in rows]


__all__ = ["BlockWorker", "RayRunner"]
