"""``dense-v2``: short, decision-dense outputs on which models still differ (frozen eval set).

``dense`` is saturated: every model trained on domain data keeps all its must-keep tokens.
Since word dropping happens in prose lines only, a compressor can only lose something
where prose carries must-keep spans, protected words or first mentions. ``dense-v2`` is
chosen adversarially from many short candidates (5 to 30 lines; at most 60 accepted):

* harvested command outputs (``benchmarks/data/savings_set.jsonl`` and the real-output
  corpus), cut into windows; only outputs that no training source holds (the real outputs
  held out for eval, the savings set's own harvest);
* generated failures (every generator domain, drawn with :data:`SEED`);
* loghub windows (the repository's samples): every loghub line is a log line, never
  touched by word dropping, so none can be adversarial; a few are added as controls.

A candidate is kept when a *selector* model alone (``compress(..., must_keep=False)``, by
default the ladder's ``v-qa``: Q&A labels, the seed's failure) loses a must-keep or
protected token, an error-message word or a code token, or when the *reference* model
(the shipped default) alone is not perfect on one of those. Texts are checked by hash
against every training source draw and every other eval set. The make-up (per source, per
reason) is written next to the set (``dense-v2.reasons.json``, ``README.md``). Candidates
whose structure the pipeline breaks even with the override (a diff window that starts
after its ``diff --git`` line: its ``index``/``+++`` lines read as prose) are left out:
no model can do anything about them.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tersify.compaction import expand
from tersify.compress import compress
from tersify.dropping import plan_drops
from tersify.errors import TersifyError
from tersify.mustkeep import MustKeep
from tersify.scorers import Scorer
from tersify.text.lexicon import is_protected
from tersify.text.segment import segment
from tersify_train.eval.metrics import exact_keep_pct, protected_retention
from tersify_train.eval.regional import line_kinds, region_counts
from tersify_train.sources import REPO_DATA_DIR
from tersify_train.sources.records import PairRecord

NAME = "dense-v2"
SEED = 90_002  # every dense-v2 draw uses this seed; training uses 0, the other eval sets 90_001
MIN_LINES, MAX_LINES = 5, 60
WINDOW_LINES = (6, 30)
GENERATED_PER_DOMAIN = 120
LOG_CONTROLS = 24  # loghub windows (2 per system), see loghub_controls
TARGET = 300  # adversarial items kept (at most); the build fails under MIN_ITEMS of them
MIN_ITEMS = 300
SAVINGS_SET = REPO_DATA_DIR.parent / "benchmarks" / "data" / "savings_set.jsonl"
REASONS: tuple[str, ...] = ("must-keep", "protected", "error-message", "code")

Judge = Callable[[str], frozenset[str]]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# --- candidates ---------------------------------------------------------------------------


def _windows(text: str, rid: str, rng: random.Random) -> list[tuple[str, str]]:
    """(text, id) of the output itself when it is short, else of consecutive windows that
    tile it (seeded lengths; a short tail is left out), so no two candidates share a line."""
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if MIN_LINES <= len(lines) <= WINDOW_LINES[1]:
        return [("\n".join(lines), rid)]
    out = []
    start = 0
    while len(lines) - start >= MIN_LINES:
        size = min(rng.randint(*WINDOW_LINES), len(lines) - start)
        out.append(("\n".join(lines[start : start + size]), f"{rid}-L{start + 1}-{start + size}"))
        start += size
    return out


def _has_prose_stakes(text: str, must_keep: MustKeep) -> bool:
    """Whether some prose line holds a must-keep span or a protected word: only there can a
    model lose anything (every other line is copied whole, error lines lose only articles)."""
    words = segment(text)
    plan = plan_drops(words, line_kinds(text.split("\n")))
    if not plan.scored.any():
        return False
    prose = set(plan.prose_lines.tolist())
    mask = must_keep.word_mask(words)
    strings = words.strings()
    return any(words.lines[i] in prose and (mask[i] or is_protected(strings[i])) for i in range(len(words)))


def harvested_candidates(train_texts: frozenset[str]) -> list[PairRecord]:
    """Windows of the harvested outputs no training source holds."""
    from tersify_train.sources.evalsets import is_real_eval_text
    from tersify_train.sources.real import load_real_outputs

    docs: dict[str, PairRecord] = {}
    for r in load_real_outputs():
        if is_real_eval_text(r.text):  # held out of training
            docs.setdefault(text_hash(r.text), r)
    if SAVINGS_SET.is_file():
        with SAVINGS_SET.open(encoding="utf-8") as fh:
            for line in fh:
                obj = json.loads(line)
                if obj["text"] not in train_texts:
                    rec = PairRecord(obj["text"], None, obj.get("kind", "text"), obj.get("source", "harvest"), obj["id"])
                    docs.setdefault(text_hash(rec.text), rec)
    rng = random.Random(f"{NAME}-harvest-{SEED}")
    out = []
    for doc in docs.values():
        for text, rid in _windows(doc.text, f"{NAME}-{doc.id}", rng):
            out.append(PairRecord(text, None, doc.domain, doc.source, rid))
    return out


def generated_candidates() -> list[PairRecord]:
    from tersify_train.sources.generators import DOMAINS, generate

    rng = random.Random(f"{NAME}-gen-{SEED}")
    out = []
    for domain in DOMAINS:
        for r in generate(domain, GENERATED_PER_DOMAIN, seed=SEED):
            for text, rid in _windows(r.text, f"{NAME}-{r.id}", rng)[:2]:
                out.append(PairRecord(text, None, domain, f"gen:{domain}", rid))
    return out


def loghub_controls(exclude: frozenset[str]) -> list[PairRecord]:
    """Loghub windows, :data:`LOG_CONTROLS` of them (the systems in turn). Every loghub line
    is a log line, which word dropping never touches, so no model can lose anything there:
    they are controls (any loss on them is a pipeline bug), not adversarial picks."""
    from tersify_train.sources.loghub import SYSTEMS, windows

    if not SYSTEMS:
        return []
    banned = {text_hash(t) for t in exclude}
    drawn = windows(LOG_CONTROLS * 2, seed=SEED, lines_per_window=(MIN_LINES, WINDOW_LINES[1]))
    return [PairRecord(r.text, None, r.domain, r.source, f"{NAME}-{r.id}")
            for r in drawn if text_hash(r.text) not in banned][:LOG_CONTROLS]


def held_out_texts() -> frozenset[str]:
    """Every text dense-v2 must not hold: the training draws of every source (seed 0, as
    many as the eval builds check), the real outputs trained on, the other eval sets."""
    from tersify_train.sources.evalsets import NAMES, TRAIN_CHECK_N, TRAIN_SEED, load_evalset
    from tersify_train.sources.generators import generate_all
    from tersify_train.sources.loghub import SYSTEMS, windows
    from tersify_train.sources.qa import qa_pairs
    from tersify_train.sources.real import load_real_outputs

    texts = {r.text for r in load_real_outputs()}
    texts |= {r.text for r in generate_all(TRAIN_CHECK_N, seed=TRAIN_SEED)}
    texts |= {r.text for r in qa_pairs(TRAIN_CHECK_N, seed=TRAIN_SEED)}
    if SYSTEMS:
        texts |= {r.text for r in windows(TRAIN_CHECK_N, seed=TRAIN_SEED)}
    for name in NAMES:
        if name != NAME:
            texts |= {r.text for r in load_evalset(name)}
    return frozenset(texts)


def candidates(exclude: frozenset[str], *, must_keep: MustKeep | None = None) -> list[PairRecord]:
    """Every candidate: short, with stakes in its prose, not excluded (by hash), unique."""
    mk = must_keep or MustKeep()
    banned = {text_hash(t) for t in exclude}
    seen: set[str] = set()
    out = []
    for r in [*harvested_candidates(exclude), *generated_candidates()]:
        h = text_hash(r.text)
        n_lines = r.text.count("\n") + 1
        if h in banned or h in seen or not MIN_LINES <= n_lines <= MAX_LINES or not _has_prose_stakes(r.text, mk):
            continue
        seen.add(h)
        out.append(r)
    return out


# --- selection ----------------------------------------------------------------------------


def model_judge(scorer: Scorer) -> Judge:
    """What ``scorer`` alone (no override) loses on a text: a subset of :data:`REASONS`."""
    mk = MustKeep()

    def judge(text: str) -> frozenset[str]:
        out = expand(compress(text, scorer=scorer, must_keep=False).text)
        return losses(text, out, must_keep=mk)

    return judge


def losses(text: str, output: str, *, must_keep: MustKeep | None = None) -> frozenset[str]:
    """The reasons of :data:`REASONS` that ``output`` fails on."""
    counts = region_counts(text, output)
    lost = set()
    if exact_keep_pct(text, output, must_keep=must_keep) < 1.0:
        lost.add("must-keep")
    if protected_retention(text, output) < 1.0:
        lost.add("protected")
    if counts["error_words_kept"] < counts["error_words_in"]:
        lost.add("error-message")
    if counts["structure_ok"] < counts["structure_checks"]:
        lost.add("code")
    return frozenset(lost)


def pipeline_breaks(scorer: Scorer) -> Callable[[str], bool]:
    """Whether a structure check fails on a text even with the override (not a model's doing)."""

    def breaks(text: str) -> bool:
        out = expand(compress(text, scorer=scorer, must_keep=True).text)
        counts = region_counts(text, out)
        return counts["structure_ok"] < counts["structure_checks"]

    return breaks


@dataclass(frozen=True)
class Selected:
    record: PairRecord
    reasons: tuple[str, ...]  # "<selector|reference>:<reason>"


def select(records: Sequence[PairRecord], judges: dict[str, Judge], *, target: int = TARGET,
           exclude: Callable[[str], bool] | None = None,
           progress: Callable[[Sequence, str], Iterable] | None = None) -> list[Selected]:
    """The records some judge finds a loss on (and ``exclude`` does not reject), at most
    ``target``, the sources taken in turn so that no one source fills the set; within a
    source, those the ``reference`` judge fails on first (they still tell good models
    apart), then those with most reasons, ties in a seeded order."""
    hits: dict[str, list[Selected]] = {}
    items = progress(records, "judging dense-v2 candidates") if progress else records
    for r in items:
        if exclude is not None and exclude(r.text):
            continue
        reasons = tuple(sorted(f"{name}:{why}" for name, judge in judges.items() for why in judge(r.text)))
        if reasons:
            hits.setdefault(_family(r.source), []).append(Selected(r, reasons))
    rng = random.Random(f"{NAME}-select-{SEED}")
    for group in hits.values():
        rng.shuffle(group)
        group.sort(key=lambda s: (not any(x.startswith("reference:") for x in s.reasons), -len(s.reasons)))
    chosen: list[Selected] = []
    queues = [list(hits[k]) for k in sorted(hits)]
    while len(chosen) < target and any(queues):
        for q in queues:
            if q and len(chosen) < target:
                chosen.append(q.pop(0))
    return sorted(chosen, key=lambda s: (s.record.source, s.record.id or ""))


def _family(source: str) -> str:
    """Generated items per domain, harvested ones (``real:*``, ``harvest:*``) together."""
    if source.startswith("gen:"):
        return source
    family = source.split(":", 1)[0]
    return "harvest" if family == "real" else family


def make_up(selected: Sequence[Selected]) -> dict[str, dict[str, int]]:
    """Counts per source family and per reason (an item counts once under each of its reasons)."""
    by_source = Counter(s.record.source for s in selected)
    by_reason = Counter(x for s in selected for x in s.reasons)
    return {"total": {"items": len(selected)}, "source": dict(sorted(by_source.items())),
            "reason": dict(sorted(by_reason.items()))}


def build(selector: Scorer, reference: Scorer | None, out_dir: Path, *, progress: bool = False,
          names: tuple[str, str | None] | None = None) -> dict:
    """Build ``dense-v2.jsonl`` (and ``dense-v2.reasons.json``) in ``out_dir``; return the make-up.
    ``names``: how the make-up names the two models (their directories; default: scorer names)."""
    from tersify_train.eval.progress import track
    from tersify_train.sources.pairs import write_pairs

    judges = {"selector": model_judge(selector)}
    if reference is not None:
        judges["reference"] = model_judge(reference)
    held_out = held_out_texts()
    pool = candidates(held_out)
    breaks, broken = pipeline_breaks(selector), []

    def exclude(text: str) -> bool:
        if breaks(text):
            broken.append(text)
            return True
        return False

    chosen = select(pool, judges, exclude=exclude, progress=track if progress else None)
    if len(chosen) < MIN_ITEMS:
        raise TersifyError(f"{NAME}: only {len(chosen)} of {len(pool)} candidates lose anything (need {MIN_ITEMS})")
    chosen += [Selected(r, ("control:log",)) for r in loghub_controls(held_out)]
    out_dir = Path(out_dir)
    write_pairs(out_dir / f"{NAME}.jsonl", [s.record for s in chosen])
    summary = make_up(chosen)
    summary["candidates"] = {"items": len(pool), "left out: the pipeline breaks their structure": len(broken)}
    sel_name, ref_name = names or (selector.name, reference.name if reference else None)
    summary["models"] = {"selector": sel_name, "reference": ref_name}
    meta = {"make_up": summary, "reasons": {s.record.id: list(s.reasons) for s in chosen}}
    (out_dir / f"{NAME}.reasons.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    return summary


__all__ = ["NAME", "REASONS", "SEED", "Selected", "build", "candidates", "held_out_texts", "losses", "make_up",
           "loghub_controls", "model_judge", "pipeline_breaks", "select", "text_hash"]
