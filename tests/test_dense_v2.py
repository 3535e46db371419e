"""dense-v2: the committed set (size, shape, make-up, separation by hash) and the selection."""

from __future__ import annotations

import json

from tersify_train.sources import dense_v2
from tersify_train.sources.dense_v2 import Selected, losses, make_up, select, text_hash
from tersify_train.sources.evalsets import EVALSET_DIR, load_evalset
from tersify_train.sources.records import PairRecord


def test_committed_set_shape_and_make_up():
    records = load_evalset("dense-v2")
    meta = json.loads((EVALSET_DIR / "dense-v2.reasons.json").read_text())
    reasons = meta["reasons"]
    assert [r.id for r in records] == list(reasons)  # every item says why it is there
    adversarial = [r for r in records if reasons[r.id] != ["control:log"]]
    assert len(adversarial) >= dense_v2.MIN_ITEMS
    assert all(r.reference is None for r in records)
    assert all(dense_v2.MIN_LINES <= r.text.count("\n") + 1 <= dense_v2.MAX_LINES for r in records)
    families = {r.source.split(":")[0] for r in records}
    assert {"gen", "harvest", "real", "loghub"} <= families
    assert meta["make_up"]["total"]["items"] == len(records)
    assert any(x.startswith("reference:") for r in adversarial for x in reasons[r.id])  # the default fails some


def test_committed_set_is_apart_from_training_and_other_eval_sets():
    mine = {text_hash(r.text) for r in load_evalset("dense-v2")}
    assert len(mine) == len(load_evalset("dense-v2"))
    assert not mine & {text_hash(t) for t in dense_v2.held_out_texts()}


def _rec(i: int, source: str) -> PairRecord:
    return PairRecord(f"text {i} of {source}", None, "d", source, f"id-{source}-{i}")


def test_select_takes_sources_in_turn_reference_losses_first():
    pool = [_rec(i, "gen:diff") for i in range(10)] + [_rec(i, "real:git") for i in range(3)]
    hard = {pool[7].text, pool[11].text}  # the reference model fails these

    judges = {
        "selector": lambda t: frozenset({"must-keep"}) if not t.startswith("text 9 ") else frozenset(),
        "reference": lambda t: frozenset({"protected"}) if t in hard else frozenset(),
    }
    chosen = select(pool, judges, target=6, exclude=lambda t: t == pool[0].text)
    ids = {s.record.id for s in chosen}
    assert len(chosen) == 6
    assert pool[0].id not in ids and pool[9].id not in ids  # excluded; no judge found a loss
    assert pool[7].id in ids and pool[11].id in ids  # reference losses come first in their source
    assert sum(s.record.source == "real:git" for s in chosen) == 3  # the small source is not crowded out
    assert next(s for s in chosen if s.record.id == pool[7].id).reasons == ("reference:protected",
                                                                           "selector:must-keep")
    assert chosen == select(pool, judges, target=6, exclude=lambda t: t == pool[0].text)  # deterministic
    up = make_up(chosen)
    assert up["total"]["items"] == 6 and up["source"]["real:git"] == 3
    assert up["reason"]["selector:must-keep"] == 6 and up["reason"]["reference:protected"] == 2
    assert isinstance(chosen[0], Selected)


def test_losses_name_what_an_output_lost():
    text = "warning: port 8080 is not open, retry after 30 s\nError: the disk is full"
    assert losses(text, text) == frozenset()
    assert losses(text, text.replace("8080 ", "")) == {"must-keep"}
    assert losses(text, text.replace("not ", "")) >= {"protected"}
    assert losses(text, text.replace("the disk", "disk")) == frozenset()  # articles may go from errors
    assert "error-message" in losses(text, text.replace("disk is", "is"))


class _Constant:
    """A stub scorer: every word gets the same score (0: drop all it may, 1: keep all)."""

    def __init__(self, value: float):
        self.name, self.value = f"constant-{value}", value

    def score(self, words):
        import numpy as np

        return np.full(len(words), self.value, dtype=np.float32)


def test_model_judge_and_selection_with_stub_scorers():
    keeps, drops = dense_v2.model_judge(_Constant(1.0)), dense_v2.model_judge(_Constant(0.0))
    text = "note: retry after 30 s, the port 8080 is not open\nerror: build failed\nsee logs in /var/log/app.log"
    assert keeps(text) == frozenset()
    assert drops(text) == {"must-keep", "protected"}  # alone, a scorer may drop anything in prose
    pool = [PairRecord(text, None, "d", "gen:x", "a"), PairRecord("plain words only\n" * 5, None, "d", "gen:x", "b")]
    chosen = select(pool, {"selector": drops, "reference": keeps})
    assert [s.record.id for s in chosen] == ["a"] and chosen[0].reasons == ("selector:must-keep", "selector:protected")


def test_pipeline_breaks_flags_what_the_override_cannot_save(monkeypatch):
    # A hunk cut off from its "diff --git" and "---" lines reads as prose, but its lines are
    # not sentences, so no scorer may cut into them: the pipeline keeps it whole.
    hunk = "+++ b/README.md\n@@ -1,3 +1,3 @@\n intro\n-old line\n+new line\n end"
    breaks = dense_v2.pipeline_breaks(_Constant(0.0))
    assert not breaks(hunk)
    assert not breaks("diff --git a/README.md b/README.md\n--- a/README.md\n" + hunk)

    # Whatever would still break a structure check with the override is flagged.
    class Cut:
        def __init__(self, text):
            self.text = text.replace("+new line\n", "+new\n")

    monkeypatch.setattr(dense_v2, "compress", lambda text, **_: Cut(text))
    assert breaks("diff --git a/README.md b/README.md\n--- a/README.md\n" + hunk)
