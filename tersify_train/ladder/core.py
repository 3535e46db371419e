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
  training labels' mk_in_ref does not fall and ``dense`` exact_keep_pct (model alone)
  rises by more than ``min_gain``, at most ``max_self_rounds`` rounds; every round is
  reported, including the one that stopped the ladder.

Reference rows (evaluated, not trained): ``teacher``, ``baseline`` (the rule scorer)
and ``default`` (the shipped model). Every row is evaluated on the eval sets with and
without the override by :func:`tersify_train.eval.evaluate.evaluate_scorer`.

Results are cached per rung under ``runs_dir/<rung>/rung.json`` with a fingerprint of
everything the rung depends on (its settings, data, base config and parent), so running
one rung reuses the earlier rungs it needs and a changed setting retrains.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tersify.errors import TersifyError
from tersify.io import read_json_object
from tersify_train.sources.records import PairRecord

DEFAULT_LADDER_CONFIG = Path("configs/ladder.json")
MAIN_RUNGS: tuple[str, ...] = ("v-qa", "v-corrected", "v-domain")
REFERENCE_ROWS: tuple[str, ...] = ("teacher", "baseline", "default")
_SWEEP = re.compile(r"^(v-corrected|v-domain)-w(\d+(?:\.\d+)?)$")
_SELF = re.compile(r"^v-self-([1-9]\d*)$")
CACHE_VERSION = 1


# --- configuration ----------------------------------------------------------------------------


@dataclass
class LadderData:
    """How much of each source the rungs train on."""

    qa_pairs: int = 800
    generated_per_domain: int = 60
    loghub_windows: int = 150
    real_outputs: bool = True
    proxy_logs: str | None = None  # a `tersify logs export` file: the user's own traffic
    proxy_limit: int | None = None


@dataclass
class LadderConfig:
    base_config: str = "configs/default.json"  # network shape, tokenizer size, optimiser
    runs_dir: str = "runs/ladder"  # checkpoints and cached results (git-ignored)
    out_dir: str = "docs"  # the table (.md, .json) and the plot (.png)
    seed: int = 0
    epochs: int = 3
    self_epochs: int = 2
    qa_weight: float = 3.0
    corrected_weight: float = 6.0
    sweep: list[float] = field(default_factory=lambda: [3.0, 6.0, 10.0])
    sweep_bases: list[str] = field(default_factory=lambda: ["v-corrected", "v-domain"])
    max_self_rounds: int = 3
    min_gain: float = 0.0
    self_lora: dict[str, Any] | None = None  # LoRA settings for the self-labelling rounds (None: full)
    eval_sets: list[str] = field(default_factory=lambda: ["qa", "dense", "agent"])
    eval_limit: int | None = None  # evaluate on the first N records of each set (smoke runs)
    baseline: str = "baseline"
    data: LadderData = field(default_factory=LadderData)
    train: dict[str, Any] = field(default_factory=dict)  # overrides of the base training config

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LadderConfig:
        d = dict(d)
        d.pop("smoke", None)
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise TersifyError(f"unknown ladder config keys: {', '.join(sorted(unknown))}")
        try:
            data = LadderData(**d.pop("data", {}))
            cfg = cls(**d, data=data)
        except TypeError as exc:
            raise TersifyError(f"bad ladder config: {exc}") from exc
        if cfg.corrected_weight not in cfg.sweep:
            cfg.sweep = sorted({*cfg.sweep, cfg.corrected_weight})
        return cfg

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in, nested dicts merged key by key."""
    out = copy.deepcopy(base)
    for k, v in override.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def load_ladder_config(path: str | Path = DEFAULT_LADDER_CONFIG, *, smoke: bool = False) -> LadderConfig:
    """The ladder config; ``smoke`` merges its ``smoke`` section (tiny model, tiny data)."""
    raw = read_json_object(path, "ladder config")
    if smoke:
        raw = deep_merge(raw, raw.get("smoke", {}))
    return LadderConfig.from_dict(raw)


# --- results ----------------------------------------------------------------------------------


@dataclass
class Row:
    """One version of the table: how it was made and its metrics.

    ``eval[set]["model"]``: the scorer alone; ``eval[set]["override"]``: with the must-keep
    override (as shipped). ``train`` is empty for reference rows.
    """

    name: str
    kind: str  # "rung" or "reference"
    description: str
    command: str
    fingerprint: str = ""
    train: dict[str, Any] = field(default_factory=dict)
    eval: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    model_dir: str | None = None
    seconds: float = 0.0
    note: str = ""

    def metric(self, set_name: str, key: str, *, override: bool = False) -> float | None:
        m = self.eval.get(set_name, {}).get("override" if override else "model", {})
        v = m.get(key)
        return None if v is None else float(v)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Row:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def _fingerprint(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "missing"


def describe(name: str, cfg: LadderConfig) -> str:
    """What a row is, in one line."""
    if name == "v-qa":
        return f"Q&A silver labels only, labels as the references say, must-keep weight {cfg.qa_weight:g}"
    if name == "v-corrected":
        return f"v-qa's pairs + label correction (must-keep forced, weight {cfg.corrected_weight:g})"
    if name == "v-domain":
        return f"+ domain and real-log pairs (teacher references), corrected, weight {cfg.corrected_weight:g}"
    if m := _SWEEP.match(name):
        return f"{m.group(1)} with must-keep weight {float(m.group(2)):g} (weight sweep)"
    if m := _SELF.match(name):
        return f"self-labelling round {m.group(1)}: best model + override relabels the texts, retrained from it"
    if name == "teacher":
        return "the rule-based teacher (docs/LABELING.md) that labels the domain data"
    if name == "baseline":
        return f"the {cfg.baseline!r} rule scorer"
    if name == "default":
        return "the shipped default model (tersify/assets/default)"
    raise TersifyError(f"unknown rung {name!r} (known: {', '.join(known_rungs(cfg))}, v-self-N)")


def known_rungs(cfg: LadderConfig) -> list[str]:
    return list(dict.fromkeys([*MAIN_RUNGS, *sweep_names(cfg), *REFERENCE_ROWS]))


def sweep_names(cfg: LadderConfig) -> list[str]:
    """Rung names of the weight sweep (at the corrected weight, the base rung itself)."""
    for base in cfg.sweep_bases:
        if base not in ("v-corrected", "v-domain"):
            raise TersifyError(f"sweep base must be v-corrected or v-domain, got {base!r}")
    return [b if w == cfg.corrected_weight else f"{b}-w{w:g}" for b in cfg.sweep_bases for w in cfg.sweep]


# --- the ladder -------------------------------------------------------------------------------


class Ladder:
    """Runs rungs (and the rungs they depend on), caching each result under ``runs_dir``."""

    def __init__(self, cfg: LadderConfig, *, config_path: str | Path = DEFAULT_LADDER_CONFIG, smoke: bool = False,
                 fresh: bool = False, log: Callable[[str], None] = print):
        self.cfg = cfg
        self.smoke = smoke
        self.fresh = fresh
        self.log = log
        self.config_path = str(config_path)
        self.runs = Path(cfg.runs_dir)
        self.rows: dict[str, Row] = {}
        self._records: dict[str, list[PairRecord]] = {}
        self._eval: dict[str, list[PairRecord]] | None = None
        base = Path(cfg.base_config)
        if not base.is_file():
            raise TersifyError(f"base training config not found: {base}")
        self.base_train = deep_merge(json.loads(base.read_text()), cfg.train)

    # -- commands shown in the table --

    def command(self, name: str) -> str:
        opts = " --smoke" if self.smoke else ""
        if self.config_path != str(DEFAULT_LADDER_CONFIG):
            opts += f" --config {self.config_path}"
        return f"tersify experiment rung {name}{opts}"

    # -- data --

    def eval_records(self) -> dict[str, list[PairRecord]]:
        if self._eval is None:
            from tersify_train.sources.evalsets import load_evalset

            limit = self.cfg.eval_limit
            self._eval = {n: load_evalset(n)[:limit] if limit else load_evalset(n) for n in self.cfg.eval_sets}
        return self._eval

    def records(self, kind: str) -> list[PairRecord]:
        """Training records with references: ``qa`` (Q&A pairs) or ``domain`` (qa + domain
        sources, the unlabelled ones referenced by the teacher). Eval texts are left out."""
        if kind in self._records:
            return self._records[kind]
        from tersify_train.sources.evalsets import drop_eval_texts

        d = self.cfg.data
        if kind == "qa":
            from tersify_train.sources.qa import qa_pairs

            recs = drop_eval_texts(qa_pairs(d.qa_pairs, seed=self.cfg.seed))
        elif kind == "domain":
            recs = self.records("qa") + self._domain_records()
        else:
            raise TersifyError(f"unknown training data {kind!r}")
        self.log(f"training data {kind}: {len(recs)} records")
        self._records[kind] = recs
        return recs

    def _domain_records(self) -> list[PairRecord]:
        """Generator outputs, loghub windows, real outputs, proxy pairs; teacher references
        for those without one (cached on disk: the teacher is the slow part)."""
        from tersify_train.sources.evalsets import drop_eval_texts
        from tersify_train.sources.pairs import load_pairs, write_pairs

        d = self.cfg.data
        key = _fingerprint({"data": asdict(d), "seed": self.cfg.seed, "v": CACHE_VERSION,
                            "proxy": _file_digest(Path(d.proxy_logs)) if d.proxy_logs else None})
        cache = self.runs / "data" / f"domain-{key}.jsonl"
        if cache.is_file() and not self.fresh:
            return list(load_pairs(cache, extractive=False, quiet=True))
        raw: list[PairRecord] = []
        if d.generated_per_domain:
            from tersify_train.sources.generators import generate_all

            raw += generate_all(d.generated_per_domain, seed=self.cfg.seed)
        if d.loghub_windows:
            from tersify_train.sources.loghub import windows

            raw += windows(d.loghub_windows, seed=self.cfg.seed)
        if d.real_outputs:
            from tersify_train.sources.real import load_real_outputs

            raw += load_real_outputs()
        if d.proxy_logs:
            from tersify_train.sources.proxy_logs import proxy_pairs

            raw += proxy_pairs(d.proxy_logs, limit=d.proxy_limit, seed=self.cfg.seed)
        raw = drop_eval_texts(raw)
        from tersify_train.labels.teacher import teach

        out = [r if r.reference is not None else r.with_reference(teach(r.text))
               for r in _track(raw, "teacher references")]
        write_pairs(cache, out)
        return out

    # -- rows --

    def row(self, name: str) -> Row:
        """The row of ``name``, from the cache when its fingerprint matches, else (re)built."""
        if name in self.rows:
            return self.rows[name]
        describe(name, self.cfg)  # validates the name
        if name in REFERENCE_ROWS:
            row = self._reference_row(name)
        else:
            row = self._rung_row(name)
        self.rows[name] = row
        return row

    def _cached(self, name: str, fingerprint: str) -> Row | None:
        path = self.runs / name / "rung.json"
        if self.fresh or not path.is_file():
            return None
        try:
            row = Row.from_dict(json.loads(path.read_text()))
        except (json.JSONDecodeError, TypeError):
            return None
        if row.fingerprint != fingerprint:
            return None
        if row.model_dir and not (Path(row.model_dir) / "model.onnx").is_file():
            return None
        self.log(f"{name}: cached ({path})")
        return row

    def _save(self, row: Row) -> None:
        path = self.runs / row.name / "rung.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(row.to_dict(), indent=2))

    def _eval_fingerprint(self) -> dict[str, Any]:
        from tersify_train.sources.evalsets import evalset_path

        return {"sets": {n: _file_digest(evalset_path(n)) for n in self.cfg.eval_sets},
                "limit": self.cfg.eval_limit, "v": CACHE_VERSION}

    def evaluate(self, scorer) -> dict[str, dict[str, dict[str, float]]]:
        """Every eval set, the scorer alone and with the override."""
        from tersify_train.eval.evaluate import evaluate_scorer

        out: dict[str, dict[str, dict[str, float]]] = {}
        for set_name, recs in self.eval_records().items():
            out[set_name] = {
                "model": evaluate_scorer(scorer, recs, override=False, progress=True),
                "override": evaluate_scorer(scorer, recs, override=True, progress=True),
            }
        return out

    def _reference_row(self, name: str) -> Row:
        from tersify.scorers import get_scorer

        extra: dict[str, Any] = {}
        if name == "default":
            from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR

            extra = {"model": _file_digest(DEFAULT_MODEL_DIR / "model.onnx")}
        elif name == "baseline":
            extra = {"scorer": self.cfg.baseline}
        fp = _fingerprint({"row": name, "eval": self._eval_fingerprint(), **extra})
        cached = self._cached(name, fp)
        if cached is not None:
            return cached
        t0 = time.time()
        if name == "default":
            from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR, ModelScorer

            scorer = ModelScorer(DEFAULT_MODEL_DIR)
            model_dir: str | None = str(DEFAULT_MODEL_DIR)
        else:
            scorer, model_dir = get_scorer(self.cfg.baseline if name == "baseline" else name), None
        self.log(f"{name}: evaluating")
        row = Row(name, "reference", describe(name, self.cfg), self.command(name), fp,
                  eval=self.evaluate(scorer), model_dir=model_dir)
        row.seconds = round(time.time() - t0, 1)
        self._save(row)
        return row

    def _spec(self, name: str) -> dict[str, Any]:
        """Everything a rung's model depends on (its fingerprint is a hash of this)."""
        c = self.cfg
        base = {"train": self.base_train, "seed": c.seed, "epochs": c.epochs, "v": CACHE_VERSION}
        if name == "v-qa":
            return {**base, "data": "qa", "qa": c.data.qa_pairs, "force": False, "weight": c.qa_weight}
        m = _SWEEP.match(name)
        rung, weight = (m.group(1), float(m.group(2))) if m else (name, c.corrected_weight)
        if rung == "v-corrected":
            return {**base, "data": "qa", "qa": c.data.qa_pairs, "force": True, "weight": weight}
        if rung == "v-domain":
            return {**base, "data": "domain", "sources": asdict(c.data), "force": True, "weight": weight}
        m = _SELF.match(name)
        if m:
            parent = self.self_parent(int(m.group(1)))
            prow = self.row(parent)
            return {**base, "data": "self", "sources": asdict(c.data), "force": True, "weight": c.corrected_weight,
                    "epochs": c.self_epochs, "parent": parent, "parent_fp": prow.fingerprint, "lora": c.self_lora}
        raise TersifyError(f"unknown rung {name!r}")

    def self_parent(self, round_: int) -> str:
        """The model that labels round ``round_``: the best main rung for round 1, else the
        previous round."""
        if round_ > 1:
            return f"v-self-{round_ - 1}"
        return best_of([self.row(n) for n in MAIN_RUNGS]).name

    def _rung_row(self, name: str) -> Row:
        spec = self._spec(name)
        fp = _fingerprint(spec)
        cached = self._cached(name, fp)
        if cached is not None:
            return cached
        t0 = time.time()
        self.log(f"{name}: {describe(name, self.cfg)}")
        if spec["data"] == "self":
            records = self._self_labelled(self.row(spec["parent"]))
        else:
            records = self.records(spec["data"])
        train_stats = label_quality(records, force=spec["force"], weight=spec["weight"])
        result = self._train(name, spec, records)
        from tersify.scorers.onnx.scorer import ModelScorer

        model_dir = self.runs / name / "model"
        self.log(f"{name}: evaluating")
        row = Row(name, "rung", describe(name, self.cfg), self.command(name), fp,
                  train={**train_stats, "records": len(records), "weight": spec["weight"], "force": spec["force"],
                         "epochs": spec["epochs"], "parent": spec.get("parent"), "loss": _last_loss(result),
                         "train_seconds": result.get("seconds"), "lora_adapted": result.get("lora_adapted", [])},
                  eval=self.evaluate(ModelScorer(model_dir)), model_dir=str(model_dir))
        row.seconds = round(time.time() - t0, 1)
        self._save(row)
        return row

    def _self_labelled(self, parent: Row) -> list[PairRecord]:
        """v-domain's training texts, referenced by ``parent`` + the override."""
        from tersify.compress import compress
        from tersify.scorers.onnx.scorer import ModelScorer

        if not parent.model_dir:
            raise TersifyError(f"{parent.name} has no model to label with")
        scorer = ModelScorer(parent.model_dir)
        texts = self.records("domain")
        return [r.with_reference(compress(r.text, scorer=scorer, must_keep=True).text)
                for r in _track(texts, f"relabelling with {parent.name} + override")]

    def _train(self, name: str, spec: dict[str, Any], records: list[PairRecord]) -> dict[str, Any]:
        from tersify_train.train.config import TrainConfig
        from tersify_train.train.trainer import train

        run_dir = self.runs / name
        d = deep_merge(self.base_train, {
            "name": name, "seed": self.cfg.seed, "run_dir": str(run_dir), "model_dir": str(run_dir / "model"),
            "eval_sets": [], "optim": {"epochs": spec["epochs"], "must_keep_weight": spec["weight"],
                                       "force_must_keep": spec["force"]},
        })
        if spec["data"] == "self":
            d["init_from"] = str(self.runs / spec["parent"])
            d["lora"] = spec["lora"]
        return train(TrainConfig.from_dict(d), log=lambda s: self.log(f"{name}: {s}"), records=records)

    # -- the whole ladder --

    def self_rounds(self) -> list[Row]:
        """Self-labelling rounds until the stop rule says the last one added nothing."""
        rounds: list[Row] = []
        prev = self.row(self.self_parent(1))
        for n in range(1, self.cfg.max_self_rounds + 1):
            cur = self.row(f"v-self-{n}")
            rounds.append(cur)
            go, why = keep_going(prev, cur, self.cfg.min_gain)
            cur.note = why
            self._save(cur)
            self.log(f"v-self-{n}: {why}")
            if not go:
                break
            prev = cur
        return rounds

    def run(self) -> list[Row]:
        """Every row: reference rows, the main rungs, the sweep, the self-labelling rounds."""
        names = [*MAIN_RUNGS, *sweep_names(self.cfg)]
        for n in ("teacher", "baseline"):
            self.row(n)
        from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR

        if (DEFAULT_MODEL_DIR / "model.onnx").is_file():
            self.row("default")
        for n in dict.fromkeys(names):
            self.row(n)
        self.self_rounds()
        order = [*REFERENCE_ROWS, *MAIN_RUNGS, *sweep_names(self.cfg)]
        rows = [self.rows[n] for n in dict.fromkeys(order) if n in self.rows]
        rows += [r for n, r in sorted(self.rows.items(), key=lambda kv: _self_index(kv[0])) if _SELF.match(n)]
        return rows


# --- rules ------------------------------------------------------------------------------------


def label_quality(records: list[PairRecord], *, force: bool, weight: float) -> dict[str, float]:
    """mk_in_ref of the references, and of the labels the model trains on (after correction
    when ``force``): the seed's label-quality figure, before and after the fix."""
    from tersify.compress import rebuild
    from tersify.mustkeep import MustKeep
    from tersify_train.eval.metrics import mk_in_ref
    from tersify_train.train.data import label_record

    mk = MustKeep()
    refs = [(r.text, r.reference or "") for r in records]
    labelled = [label_record(r, None, mk, weight, force=force) for r in records]
    from tersify.text.segment import segment

    label_refs = [(x.text, rebuild(segment(x.text), x.labels.astype(bool))) for x in labelled]
    return {"ref_mk_in_ref": mk_in_ref(refs, must_keep=mk), "label_mk_in_ref": mk_in_ref(label_refs, must_keep=mk)}


def best_of(rows: list[Row]) -> Row:
    """The best model of ``rows``: highest ``dense`` exact_keep_pct of the model alone, then
    the lowest ``agent`` keep_rate with the override (as shipped)."""
    if not rows:
        raise TersifyError("no rows to choose from")

    def key(r: Row) -> tuple[float, float]:
        return (-(r.metric("dense", "exact_keep_pct") or 0.0), r.metric("agent", "keep_rate", override=True) or 1.0)

    return min(rows, key=key)


def keep_going(prev: Row, cur: Row, min_gain: float = 0.0) -> tuple[bool, str]:
    """The stop rule of self-labelling: go on while the training labels' mk_in_ref does not
    fall and ``dense`` exact_keep_pct (model alone) rises by more than ``min_gain``."""
    mk_prev, mk_cur = prev.train.get("label_mk_in_ref"), cur.train.get("label_mk_in_ref")
    d_prev, d_cur = prev.metric("dense", "exact_keep_pct"), cur.metric("dense", "exact_keep_pct")
    if d_prev is None or d_cur is None:
        return False, "stop: no dense exact_keep_pct to compare"
    mk_ok = mk_prev is None or mk_cur is None or mk_cur >= mk_prev - 1e-9
    gain = d_cur - d_prev
    figures = f"label mk_in_ref {_fmt(mk_prev)} -> {_fmt(mk_cur)}, dense exact_keep_pct {d_prev:.4f} -> {d_cur:.4f}"
    if mk_ok and gain > min_gain:
        return True, f"improved over {prev.name} ({figures}): another round"
    return False, f"stop: no improvement over {prev.name} ({figures})"


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.4f}"


def _last_loss(result: dict[str, Any]) -> float | None:
    hist = result.get("history") or []
    return float(hist[-1]["loss"]) if hist else None


def _self_index(name: str) -> int:
    m = _SELF.match(name)
    return int(m.group(1)) if m else 0


def _track(items: list, description: str):
    from rich.progress import track

    return track(items, description=description, transient=True)


__all__ = ["DEFAULT_LADDER_CONFIG", "Ladder", "LadderConfig", "LadderData", "MAIN_RUNGS", "REFERENCE_ROWS", "Row",
           "best_of", "deep_merge", "describe", "keep_going", "known_rungs", "label_quality", "load_ladder_config",
           "sweep_names"]
