"""Batch steps over many pair records, on one process or on a Ray cluster.

The steps (teacher labelling, self-labelling with a model + the override, the label
diagnostic, evaluation of a scorer) read JSONL or Parquet shards in blocks and write one
output shard per block. Modules, one concern each:

- :mod:`~tersify_train.scale.shards`: finding the input shards, cutting them into blocks,
  reading a block's records, writing a block's output (temp file, then rename).
- :mod:`~tersify_train.scale.steps`: the per-record work of each step (the functions the
  local path has always used) and the per-block loop both engines run.
- :mod:`~tersify_train.scale.deadletters`: records that fail, with their error.
- :mod:`~tersify_train.scale.engine`: a job: plan, run the blocks locally or on Ray, reduce.
- :mod:`~tersify_train.scale.ray_pipeline`: the Ray Data pipeline (the only module that
  imports ray, and only when ``--engine ray`` is asked for).
"""
