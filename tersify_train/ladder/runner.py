"""The silver-label ladder: the seed's experiments as rungs, each rebuilt by one command.

Rungs (every one trains the same network shape, from ``base_config``):

* ``v-qa``: Q&A silver labels only, labels as the references say, must-keep words
  weighted ``qa_weight`` (the seed's v3: the model learns that numbers are droppable);
* ``v-corrected``: the same pairs with label correction (must-keep words forced to keep,
  weight ``corrected_weight``, the seed's fix 2);
* ``v-domain``: + domain data (generator outputs, loghub windows, real command outputs,
  optionally the proxy's pair log), labelled by the teacher and corrected;
* ``v-corrected-w<W>``, ``v-domain-w<W>``: the weight sweep, the rung with must-keep weight
  ``W`` (on Q&A pairs alone the weight trades compression against must-keep survival on
  unseen domains; with domain data the model keeps must-keep words at any weight);
* ``v-self-<N>``: self-labelling (the seed's Experiment A): the best model so far *plus the
  must-keep override* compresses the training texts of ``v-domain``; those outputs are the
  new references; training continues from that model's weights. Rounds repeat while the
  override delta on ``dense-v2`` (exact_keep_pct with the override minus without) is above
  0.001 and shrinks by more than ``min_gain``, and the training labels' mk_in_ref does not
  fall, at most ``max_self_rounds`` rounds; every round is reported, including the one that
  stopped the ladder;
* ``v-proxy``: self-distillation from proxy logs (the seed's C3): ``proxy_sessions`` agent
  sessions of ``proxy_turns`` tool turns driven through ``tersify proxy`` (fake upstream),
  its pair log exported; those originals and the ``v-domain`` texts are relabelled by the
  last self-labelling round (or the best main rung) + the override, and training continues
  from that model. Its note says what it changes over that model.

Reference rows (evaluated, not trained): ``teacher-v1`` and ``teacher`` (the first and
second rule teachers), ``baseline`` (the rule scorer)
and ``default`` (the shipped model). Every row is evaluated on the eval sets with and
without the override by :func:`tersify_train.eval.evaluate.evaluate_scorer`.

Results are cached per rung under ``runs_dir/<rung>/rung.json`` (:mod:`.cache`) with a fingerprint of
everything the rung depends on (its settings, data, base config and parent), so running
one rung reuses the earlier rungs it needs and a changed setting retrains.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tersify.errors import TersifyError
from tersify.io import read_json_object
from tersify.scorers import get_scorer
from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR, ModelScorer
from tersify_train.ladder.cache import CACHE_VERSION, RowCache, file_digest, fingerprint
from tersify_train.ladder.config import LadderConfig, deep_merge
from tersify_train.ladder.data import TrainingTexts
from tersify_train.ladder.evaluation import Evaluation, label_quality
from tersify_train.ladder.rows import Row, best_of, keep_going, versus
from tersify_train.ladder.rungs import (
    MAIN_RUNGS,
    PROXY,
    REFERENCE_ROWS,
    SELF,
    SWEEP,
    describe,
    self_round,
    sweep_names,
)
from tersify_train.ladder.training import last_loss, train_rung


class Ladder:
    """Runs rungs (and the rungs they depend on), caching each result under ``runs_dir``.
    ``config_path``: the config file given on the command line (None: the repository's),
    shown in each row's command."""

    def __init__(self, cfg: LadderConfig, *, config_path: str | Path | None = None, smoke: bool = False,
                 fresh: bool = False, log: Callable[[str], None] = print):
        self.cfg = cfg
        self.smoke = smoke
        self.log = log
        self.config_path = None if config_path is None else str(config_path)
        self.runs = cfg.runs_path
        self.rows: dict[str, Row] = {}
        self._rounds: list[Row] | None = None  # the self-labelling rounds, once run
        self.cache = RowCache(self.runs, fresh=fresh, log=log)
        self.texts = TrainingTexts(cfg.data, self.runs / "data", fresh=fresh, log=log)
        self.evaluate = Evaluation(cfg)
        base = cfg.base_config_path
        if not base.is_file():
            raise TersifyError(f"base training config not found: {base}")
        self.base_train = deep_merge(read_json_object(base, "base training config"), cfg.train)

    def command(self, name: str) -> str:
        """The command that rebuilds row ``name`` (shown in the table)."""
        opts = " --smoke" if self.smoke else ""
        if self.config_path is not None:
            opts += f" --config {self.config_path}"
        return f"tersify experiment rung {name}{opts}"

    def records(self, kind: str):
        return self.texts.records(kind)

    # -- rows --

    def row(self, name: str) -> Row:
        """The row of ``name``, from the cache when its fingerprint matches, else (re)built."""
        if name in self.rows:
            return self.rows[name]
        describe(name, self.cfg)  # validates the name
        row = self._reference_row(name) if name in REFERENCE_ROWS else self._rung_row(name)
        self.rows[name] = row
        return row

    def _reference_row(self, name: str) -> Row:
        extra: dict[str, Any] = {}
        if name == "default":
            extra = {"model": file_digest(DEFAULT_MODEL_DIR / "model.onnx")}
        elif name == "baseline":
            extra = {"scorer": self.cfg.baseline}
        fp = fingerprint({"row": name, "eval": self.evaluate.fingerprint(), **extra})
        cached = self.cache.load(name, fp)
        if cached is not None:
            return cached
        t0 = time.time()
        if name == "default":
            scorer, model_dir = ModelScorer(DEFAULT_MODEL_DIR), str(DEFAULT_MODEL_DIR)
        else:
            scorer, model_dir = get_scorer(self.cfg.baseline if name == "baseline" else name), None
        self.log(f"{name}: evaluating")
        row = Row(name, "reference", describe(name, self.cfg), self.command(name), fp,
                  eval=self.evaluate(scorer), model_dir=model_dir)
        row.seconds = round(time.time() - t0, 1)
        self.cache.save(row)
        return row

    def _spec(self, name: str) -> dict[str, Any]:
        """Everything a rung's model depends on (its fingerprint is a hash of this)."""
        c = self.cfg
        base = {"train": self.base_train, "seed": c.seed, "epochs": c.epochs, "v": CACHE_VERSION}
        if name == "v-qa":
            return {**base, "data": "qa", "qa": c.data.qa_pairs, "force": False, "weight": c.qa_weight}
        m = SWEEP.match(name)
        rung, weight = (m.group(1), float(m.group(2))) if m else (name, c.corrected_weight)
        if rung == "v-corrected":
            return {**base, "data": "qa", "qa": c.data.qa_pairs, "force": True, "weight": weight}
        if rung == "v-domain":
            return {**base, "data": "domain", "sources": c.data.to_dict(), "force": True, "weight": weight}
        m = SELF.match(name)
        if m or name == PROXY:
            parent = self.self_parent(int(m.group(1))) if m else self.proxy_parent()
            prow = self.row(parent)
            spec = {**base, "data": "self", "sources": c.data.to_dict(), "force": True, "weight": c.corrected_weight,
                    "epochs": c.self_epochs, "parent": parent, "parent_fp": prow.fingerprint, "lora": c.self_lora}
            if name == PROXY:
                traffic = self.texts.proxy_traffic(c.proxy_sessions, c.proxy_turns)
                spec.update(data="proxy", traffic=fingerprint(sorted(r.text for r in traffic)))
            return spec
        raise TersifyError(f"unknown rung {name!r}")

    def self_parent(self, round_: int) -> str:
        """The model that labels round ``round_``: the best main rung for round 1, else the
        previous round."""
        if round_ > 1:
            return f"v-self-{round_ - 1}"
        return best_of([self.row(n) for n in MAIN_RUNGS]).name

    def proxy_parent(self) -> str:
        """The model that labels v-proxy: the last self-labelling round, else the best main rung."""
        rounds = self.self_rounds() if self.cfg.max_self_rounds > 0 else []
        return rounds[-1].name if rounds else self.self_parent(1)

    def _rung_row(self, name: str) -> Row:
        spec = self._spec(name)
        fp = fingerprint(spec)
        cached = self.cache.load(name, fp)
        if cached is not None:
            return cached
        t0 = time.time()
        self.log(f"{name}: {describe(name, self.cfg)}")
        if spec["data"] == "self":
            records = self.texts.self_labelled(self.row(spec["parent"]))
        elif spec["data"] == "proxy":
            traffic = self.texts.proxy_traffic(self.cfg.proxy_sessions, self.cfg.proxy_turns)
            records = self.texts.self_labelled(self.row(spec["parent"]), extra=traffic)
        else:
            records = self.texts.records(spec["data"])
        train_stats = label_quality(records, force=spec["force"], weight=spec["weight"])
        result = train_rung(name, spec, records, base_train=self.base_train, runs=self.runs, seed=self.cfg.seed,
                            log=self.log)
        model_dir = self.runs / name / "model"
        self.log(f"{name}: evaluating")
        row = Row(name, "rung", describe(name, self.cfg), self.command(name), fp,
                  train={**train_stats, "records": len(records), "weight": spec["weight"], "force": spec["force"],
                         "epochs": spec["epochs"], "parent": spec.get("parent"), "loss": last_loss(result),
                         "train_seconds": result.get("seconds"), "lora_adapted": result.get("lora_adapted", [])},
                  eval=self.evaluate(ModelScorer(model_dir)), model_dir=str(model_dir))
        row.seconds = round(time.time() - t0, 1)
        if name == PROXY:
            new = len(records) - len(self.texts.records("domain"))
            row.note = versus(self.row(spec["parent"]), row, f"+ {new} proxy-traffic texts not among the domain texts")
        self.cache.save(row)
        return row

    # -- the whole ladder --

    def self_rounds(self) -> list[Row]:
        """Self-labelling rounds until the stop rule says the last one added nothing."""
        if self._rounds is not None:
            return self._rounds
        rounds: list[Row] = []
        prev = self.row(self.self_parent(1))
        for n in range(1, self.cfg.max_self_rounds + 1):
            cur = self.row(f"v-self-{n}")
            rounds.append(cur)
            go, why = keep_going(prev, cur, self.cfg.min_gain)
            cur.note = why
            self.cache.save(cur)
            self.log(f"v-self-{n}: {why}")
            if not go:
                break
            prev = cur
        self._rounds = rounds
        return rounds

    def run(self) -> list[Row]:
        """Every row: reference rows, the main rungs, the sweep, the self-labelling rounds, v-proxy."""
        for n in ("teacher-v1", "teacher", "baseline"):
            self.row(n)
        if (DEFAULT_MODEL_DIR / "model.onnx").is_file():
            self.row("default")
        for n in dict.fromkeys([*MAIN_RUNGS, *sweep_names(self.cfg)]):
            self.row(n)
        self.self_rounds()
        if self.cfg.proxy_sessions > 0:
            self.row(PROXY)
        order = [*REFERENCE_ROWS, *MAIN_RUNGS, *sweep_names(self.cfg)]
        rows = [self.rows[n] for n in dict.fromkeys(order) if n in self.rows]
        rows += sorted((r for n, r in self.rows.items() if SELF.match(n)), key=lambda r: self_round(r.name))
        return rows + ([self.rows[PROXY]] if PROXY in self.rows else [])


__all__ = ["Ladder"]
