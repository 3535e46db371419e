"""The batch steps on Ray (a local Ray of 2 CPUs, small inputs) give exactly the local
engine's labels, dead letters, diagnostic and metrics, whatever the cut into blocks.
Skipped when ray is not installed (the scale extra); CI installs it."""

from __future__ import annotations

import pytest
from support.scale_inputs import good_records, write_input

from tersify.cli import main
from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR
from tersify_train.scale.deadletters import read_dead_letters
from tersify_train.scale.engine import Job, run_job
from tersify_train.scale.shards import read_rows
from tersify_train.scale.steps import StepSpec

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def src(tmp_path_factory):
    return write_input(tmp_path_factory.mktemp("scale") / "in.jsonl", good_records(24))


def _both(job: Job, tmp_path, **ray_job):
    local = run_job(job)
    on_ray = run_job(Job(**{**job.__dict__, **ray_job}), engine="ray", workers=2)
    return local, on_ray


def test_label_on_ray_equals_local_whatever_the_cut(local_ray, src, tmp_path):
    local, on_ray = _both(Job(StepSpec("label"), [str(src)], out=str(tmp_path / "local.jsonl")), tmp_path,
                          out=str(tmp_path / "ray.jsonl"), block_bytes=3000)
    assert on_ray.blocks > 4 and on_ray.workers == 2
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert read_dead_letters(on_ray.dead_path) == read_dead_letters(local.dead_path) and len(local.dead) == 3
    # one block instead of many, Parquet shards instead of a file: the same records
    one = run_job(Job(StepSpec("label"), [str(src)], out=str(tmp_path / "shards"), fmt="parquet",
                      block_bytes=1 << 30), engine="ray")
    assert one.blocks == 1 and read_rows([tmp_path / "shards"]) == read_rows([tmp_path / "local.jsonl"])


def test_self_label_with_the_shipped_model_on_ray_equals_local(local_ray, src, tmp_path):
    spec = StepSpec("self-label", model_dir=str(DEFAULT_MODEL_DIR))
    _both(Job(spec, [str(src)], out=str(tmp_path / "local")), tmp_path, out=str(tmp_path / "ray"), block_bytes=5000)
    assert read_rows([tmp_path / "ray"]) == read_rows([tmp_path / "local"])
    assert len(list((tmp_path / "ray").glob("part-*.jsonl"))) > 1


def test_diagnose_and_evaluate_on_ray_equal_local(local_ray, src, tmp_path):
    dead = str(tmp_path / "dead.jsonl")
    local, on_ray = _both(Job(StepSpec("diagnose"), [str(src)], dead_letters=dead), tmp_path, block_bytes=2500)
    assert on_ray.summary == local.summary and on_ray.skipped == local.skipped == 8
    local, on_ray = _both(Job(StepSpec("evaluate"), [str(src)], dead_letters=dead), tmp_path, block_bytes=4000)
    assert on_ray.summary == local.summary and local.summary["n"] == 24


def test_cli_engine_ray(local_ray, src, tmp_path, capsys):
    assert main(["data", "label", str(src), "--out", str(tmp_path / "o.jsonl"), "--engine", "ray",
                 "--block-mb", "0.004"]) == 0
    err = capsys.readouterr().err
    assert "--engine local is faster" in err and "3 dead letters" in err
    assert main(["data", "label", str(src), "--out", str(tmp_path / "l.jsonl")]) == 0
    assert (tmp_path / "o.jsonl").read_bytes() == (tmp_path / "l.jsonl").read_bytes()


def test_a_worker_killed_mid_job_loses_and_duplicates_nothing(local_ray, src, tmp_path):
    import sys

    from ray import cloudpickle

    from tersify_train.scale.engine import run_local
    from tersify_train.scale.ray_pipeline import BlockWorker, RayRunner
    from tersify_train.scale.shards import find_shards, plan_blocks

    marker = tmp_path / "died"

    class Dying(BlockWorker):
        def __call__(self, batch: dict) -> dict:
            import os

            if 2 in list(batch["index"]) and not marker.exists():
                marker.touch()
                os._exit(1)  # the worker process dies as it takes block 2
            return super().__call__(batch)

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
    blocks = plan_blocks(find_shards([src]), 3000)
    results = RayRunner(workers=2).run(StepSpec("label"), blocks, tmp_path / "ray", "jsonl", worker=Dying)
    assert marker.exists() and sorted(r.index for r in results) == [b.index for b in blocks]
    run_local(StepSpec("label"), blocks, tmp_path / "local", "jsonl")
    assert sorted(p.name for p in (tmp_path / "ray").iterdir()) == sorted(p.name for p in (tmp_path / "local").iterdir())
    assert read_rows([tmp_path / "ray"]) == read_rows([tmp_path / "local"])
