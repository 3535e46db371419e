"""The ladder: a smoke run end to end (tiny model, tiny data), its table and plot, caching,
the self-labelling stop rule, promotion, the proxy-log source and the CLI's errors."""

import json
from pathlib import Path

import pytest

from tersify.errors import TersifyError
from tersify_train.ladder.config import deep_merge, load_ladder_config
from tersify_train.ladder.promotion import CARD_SECTION, choose, compare, promote, update_card
from tersify_train.ladder.rows import Row, best_of, keep_going
from tersify_train.ladder.rungs import sweep_names
from tersify_train.sources.records import PairRecord

ROOT = Path(__file__).resolve().parents[1]
LADDER_JSON = ROOT / "configs" / "ladder.json"


SAFE = {"protected_retention": 1.0, "error_message_fidelity": 1.0, "structure_pass_rate": 1.0,
        "first_mention_retention": 1.0}


def row(name, *, dense_model=0.9, dense_ovr=1.0, agent_keep=0.8, dense_keep=0.9, agent_exact=1.0,
        label_mk=1.0, model_dir=None, kind="rung", agent_protected=1.0, qa_keep=None):
    """A row with dense-v2 (model-alone exact, prose keep rate), agent and qa figures (qa's prose
    keep rate: ``qa_keep``, else ``dense_keep``)."""
    qa_keep = dense_keep if qa_keep is None else qa_keep
    ev = {
        "qa": {"model": {"prose_token_keep_rate": qa_keep}, "override": {"prose_token_keep_rate": qa_keep}},
        "dense-v2": {"model": {"exact_keep_pct": dense_model, "prose_token_keep_rate": dense_keep, **SAFE},
                     "override": {"exact_keep_pct": dense_ovr, "prose_token_keep_rate": dense_keep, **SAFE}},
        "agent": {"model": {"exact_keep_pct": agent_exact, "prose_token_keep_rate": agent_keep, **SAFE},
                  "override": {"exact_keep_pct": agent_exact, "prose_token_keep_rate": agent_keep,
                               **SAFE, "protected_retention": agent_protected}},
    }
    return Row(name, kind, f"{name} row", f"tersify experiment rung {name}", train={"label_mk_in_ref": label_mk},
               eval=ev, model_dir=model_dir)


# --- rules -----------------------------------------------------------------------------------------


def test_stop_rule_follows_the_override_delta_on_dense_v2():
    prev = row("v-domain", dense_model=0.90, label_mk=1.0)  # delta 0.10
    go, why = keep_going(prev, row("v-self-1", dense_model=0.93, label_mk=1.0))  # delta 0.07: shrinking
    assert go and "another round" in why
    go, why = keep_going(prev, row("v-self-1", dense_model=0.90))  # not moving
    assert not go and why.startswith("stop: no improvement")
    go, _ = keep_going(prev, row("v-self-1", dense_model=0.95, label_mk=0.9))  # labels got worse
    assert not go
    go, _ = keep_going(prev, row("v-self-1", dense_model=0.905), min_gain=0.01)
    assert not go
    go, why = keep_going(prev, row("v-self-1", dense_model=0.9995))  # the override adds <= 0.001: done
    assert not go and "at most 0.001" in why


def test_best_of_prefers_dense_v2_survival_then_prose_compression():
    a = row("a", dense_model=0.95, dense_keep=0.8)
    b = row("b", dense_model=0.97, dense_keep=0.9)
    c = row("c", dense_model=0.97, dense_keep=0.7)
    assert best_of([a, b, c]).name == "c"
    with pytest.raises(TersifyError):
        best_of([])


def test_config_smoke_section_and_sweep():
    full = load_ladder_config(LADDER_JSON)
    smoke = load_ladder_config(LADDER_JSON, smoke=True)
    assert full.runs_dir != smoke.runs_dir and smoke.eval_limit
    assert sweep_names(full) == ["v-corrected-w3", "v-corrected", "v-corrected-w10",
                                 "v-domain-w3", "v-domain", "v-domain-w10"]
    assert deep_merge({"a": {"b": 1, "c": 2}}, {"a": {"b": 3}}) == {"a": {"b": 3, "c": 2}}
    bad = ROOT / "configs" / "ladder.json"
    with pytest.raises(TersifyError):
        load_ladder_config(bad.with_name("no-such-ladder.json"))


def test_ladder_config_is_found_from_the_repository_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = load_ladder_config()
    assert cfg == load_ladder_config(LADDER_JSON)
    assert cfg.base_config_path == ROOT / "configs" / "default.json" and cfg.runs_path.is_relative_to(ROOT)
    assert cfg.data.seed == cfg.seed  # one seed for the ladder's data and training
    bad = tmp_path / "ladder.json"
    bad.write_text('{"data": {"seed": 3}}')
    with pytest.raises(TersifyError, match="seed"):
        load_ladder_config(bad)


# --- promotion -------------------------------------------------------------------------------------


def test_promotion_needs_better_dense_v2_and_equal_safety():
    default = row("default", dense_model=0.95, dense_keep=0.90, kind="reference")
    assert compare(row("x", dense_model=0.97, dense_keep=0.88), default).beats
    assert not compare(row("x", dense_model=0.97, dense_keep=0.95), default).beats  # prose keeps more
    assert not compare(row("x", dense_model=0.95, dense_keep=0.88), default).beats  # exact alone not better
    v = compare(row("x", dense_model=0.97, dense_keep=0.88, agent_protected=0.99), default)  # a safety column
    assert not v.beats and any("agent: safety columns worse: protected 0.9900 vs 1.0000" in r for r in v.reasons)
    assert not compare(row("x", dense_model=0.97, dense_keep=0.88, agent_exact=0.99), default).beats
    v = compare(row("x", dense_model=0.97, dense_keep=0.90), default)  # same keep rate is not lower
    assert not v.beats and any("not lower" in r for r in v.reasons)
    # The override makes everyone's exact_keep_pct 1.0: a model that learned to drop numbers
    # compresses more, but must not win.
    v = compare(row("x", dense_keep=0.5, dense_model=0.3), default)
    assert not v.beats and any("model-alone exact_keep_pct 0.3000 vs 0.9500 (not better)" in r for r in v.reasons)
    both_perfect = row("default", dense_model=1.0, dense_keep=0.90, kind="reference")
    assert compare(row("x", dense_model=1.0, dense_keep=0.88), both_perfect).beats
    # The prose keep rate that must fall is qa's (prose), not dense-v2's (mostly status lines kept whole).
    assert compare(row("x", dense_model=1.0, dense_keep=0.95, qa_keep=0.88), both_perfect).beats
    assert not compare(row("x", dense_model=1.0, dense_keep=0.80, qa_keep=0.95), both_perfect).beats
    # First mentions have a floor (0.98), not "no worse".
    slightly = row("x", dense_model=1.0, dense_keep=0.88)
    slightly.eval["agent"]["override"]["first_mention_retention"] = 0.99
    assert compare(slightly, both_perfect).beats
    slightly.eval["agent"]["override"]["first_mention_retention"] = 0.97
    v = compare(slightly, both_perfect)
    assert not v.beats and any("first mentions 0.9700 below 0.98" in r for r in v.reasons)


def test_promote_copies_model_files_and_updates_the_card(tmp_path):
    src = tmp_path / "cand"
    src.mkdir()
    for f in ("model.onnx", "tokenizer.json", "config.json"):
        (src / f).write_text(f"new {f}")
    dst = tmp_path / "default"
    dst.mkdir()
    (dst / "MODEL_CARD.md").write_text("# the default\n\nTrained by `tersify train`.\n")
    default = row("default", dense_model=0.95, dense_keep=0.90, kind="reference")
    worse = row("w", dense_model=0.97, dense_keep=0.95, model_dir=str(src))
    assert not promote(worse, default, dst).beats
    assert not (dst / "model.onnx").exists()
    cand = row("v-self-1", dense_model=0.97, dense_keep=0.88, model_dir=str(src))
    best, verdicts = choose([worse, cand], default)
    assert best is cand and len(verdicts) == 2
    assert promote(cand, default, dst).beats
    assert (dst / "model.onnx").read_text() == "new model.onnx"
    card = (dst / "MODEL_CARD.md").read_text()
    assert card.startswith("# the default") and CARD_SECTION in card and "v-self-1" in card
    assert card.count(CARD_SECTION) == 1
    again = update_card(card, CARD_SECTION + "\n\nreplaced\n")
    assert again.count(CARD_SECTION) == 1 and "replaced" in again and "v-self-1" not in again


# --- proxy logs ------------------------------------------------------------------------------------


def test_proxy_logs_source(tmp_path):
    from tersify_train.sources.proxy_logs import proxy_pairs

    good = [PairRecord(f"Error: disk {i} is not ready\nretry in {i}s", f"Error: disk {i} not ready\nretry {i}s",
                       "proxy", "proxy:openai", f"proxy-{i}") for i in range(6)]
    lines = [json.dumps(r.to_dict()) for r in good]
    lines.append(json.dumps({**good[0].to_dict(), "reference": "invented words", "id": "bad"}))  # not extractive
    lines.append("{not json")
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    got = proxy_pairs(path)
    assert [r.id for r in got] == [r.id for r in good]
    assert got[0].reference == good[0].reference
    sample = proxy_pairs(path, limit=3, seed=1)
    assert len(sample) == 3 and sample == proxy_pairs(path, limit=3, seed=1)
    from tersify_train.train.recipe import DataConfig, training_records

    only_proxy = DataConfig(generated_per_domain=0, loghub_windows=0, qa_pairs=0, real_outputs=False,
                            proxy_logs=str(path))
    assert training_records(only_proxy, report=lambda s: None) == got  # `tersify train` reads it too
    empty = tmp_path / "empty.jsonl"
    empty.write_text("{not json\n")
    with pytest.raises(TersifyError):
        proxy_pairs(empty)


# --- the smoke ladder ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    pytest.importorskip("torch")
    from tersify_train.ladder.runner import Ladder

    runs = tmp_path_factory.mktemp("ladder")
    cfg = load_ladder_config(LADDER_JSON, smoke=True)
    cfg.runs_dir = str(runs)
    cfg.base_config = str(ROOT / cfg.base_config)
    ladder = Ladder(cfg, config_path=LADDER_JSON, smoke=True, log=lambda s: None)
    return ladder, ladder.run(), runs


def test_smoke_ladder_runs_every_rung(smoke):
    ladder, rows, _ = smoke
    names = [r.name for r in rows]
    assert names[:4] == ["teacher-v1", "teacher", "baseline", "default"]
    for n in ("v-qa", "v-corrected", "v-domain", "v-corrected-w3", "v-domain-w3", "v-domain-w10", "v-self-1",
              "v-proxy"):
        assert n in names
    by = {r.name: r for r in rows}
    for r in rows:
        for s in ("qa", "dense-v2", "agent"):
            m, o = r.eval[s]["model"], r.eval[s]["override"]
            assert m["n"] == o["n"] == ladder.cfg.eval_limit
            assert o["exact_keep_pct"] >= m["exact_keep_pct"] - 1e-9  # the override only adds
            assert o["exact_keep_pct"] == pytest.approx(1.0)  # and guarantees every match
            assert o["structure_pass_rate"] == 1.0 and o["error_message_fidelity"] == 1.0
            assert 0.0 <= m["prose_token_keep_rate"] <= 1.0
    # The seed's story in labels: Q&A references lose must-keep tokens; correction restores them.
    assert by["v-qa"].train["ref_mk_in_ref"] < 0.9
    assert by["v-qa"].train["label_mk_in_ref"] == pytest.approx(by["v-qa"].train["ref_mk_in_ref"])
    assert by["v-corrected"].train["label_mk_in_ref"] == pytest.approx(1.0)
    assert by["v-domain"].train["ref_mk_in_ref"] > by["v-qa"].train["ref_mk_in_ref"]
    assert by["v-domain-w10"].train["weight"] == 10.0 and by["v-corrected-w3"].train["weight"] == 3.0
    selfs = [r for r in rows if r.name.startswith("v-self-")]
    assert selfs[0].train["parent"] in ("v-qa", "v-corrected", "v-domain")
    assert selfs[0].train["ref_mk_in_ref"] == pytest.approx(1.0)  # references made with the override
    assert selfs[-1].note.startswith("stop") or len(selfs) == ladder.cfg.max_self_rounds
    # v-proxy: the proxy traffic's originals + the domain texts, labelled by the last round + override
    proxy = by["v-proxy"]
    assert names[-1] == "v-proxy" and proxy.train["parent"] == selfs[-1].name
    assert proxy.train["ref_mk_in_ref"] == pytest.approx(1.0)
    assert proxy.train["records"] > selfs[-1].train["records"]  # the traffic added texts
    assert proxy.note.startswith(f"over {selfs[-1].name} (+ ") and "dense-v2 exact_keep_pct" in proxy.note
    assert all(r.command.startswith("tersify experiment rung ") for r in rows)


def test_smoke_ladder_writes_table_json_and_plot(smoke, tmp_path):
    from tersify_train.ladder.table import COLUMNS, format_markdown, write_outputs

    _, rows, _ = smoke
    paths = write_outputs(rows, tmp_path, extra={"wall_seconds": 1.0})
    md = paths["md"].read_text()
    assert md.splitlines()[0].startswith("| version | train mk_in_ref")
    assert all(f"| {r.name} |" in md for r in rows) and "`tersify experiment rung v-qa --smoke" in md
    data = json.loads(paths["json"].read_text())
    assert [c["key"] for c in data["columns"]] == [c.key for c in COLUMNS]
    assert [t["version"] for t in data["table"]] == [r.name for r in rows]
    assert data["wall_seconds"] == 1.0
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert format_markdown(rows) == md


def test_rungs_are_cached_and_retrained_when_settings_change(smoke, monkeypatch):
    from tersify_train.ladder.runner import Ladder
    from tersify_train.sources import proxy_traffic
    from tersify_train.train import trainer

    ladder, rows, runs = smoke

    def no_training(*a, **k):
        raise AssertionError("a cached rung was retrained")

    monkeypatch.setattr(trainer, "train", no_training)
    monkeypatch.setattr(proxy_traffic, "proxy_traffic", no_training)  # the traffic file is cached too
    again = Ladder(ladder.cfg, config_path=LADDER_JSON, smoke=True, log=lambda s: None)
    assert again.row("v-qa").to_dict() == next(r for r in rows if r.name == "v-qa").to_dict()
    assert again.row("v-proxy").to_dict() == next(r for r in rows if r.name == "v-proxy").to_dict()
    assert len(list((runs / "data").glob("proxy-traffic-*.jsonl"))) == 1
    changed = load_ladder_config(LADDER_JSON, smoke=True)
    changed.runs_dir, changed.base_config, changed.qa_weight = str(runs), ladder.cfg.base_config, 4.0
    with pytest.raises(AssertionError, match="retrained"):
        Ladder(changed, config_path=LADDER_JSON, smoke=True, log=lambda s: None).row("v-qa")


# --- CLI -------------------------------------------------------------------------------------------


def test_cli_unknown_rung_is_a_one_line_error(capsys, tmp_path):
    from tersify.cli import main

    code = main(["experiment", "rung", "v-bogus", "--smoke", "--runs", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("tersify: error: unknown rung 'v-bogus'") and err.count("\n") == 1


def test_cli_help_explains_the_ladder(capsys):
    from tersify.cli import main

    with pytest.raises(SystemExit):
        main(["experiment", "ladder", "--help"])
    out = capsys.readouterr().out
    assert "--smoke" in out and "--promote" in out and "ladder.md" in out


def test_smoke_models_are_never_promoted():
    from types import SimpleNamespace

    from tersify.cli.experiment_cmd import _promotion

    rows = [row("default", dense_model=0.9, dense_keep=0.95, kind="reference"),
            row("v-qa", dense_model=0.95, dense_keep=0.5, model_dir="/nonexistent")]
    lines, promoted = _promotion(SimpleNamespace(smoke=True), rows, promote=False)
    assert promoted is None and "v-qa qualifies" in lines[-1]
    with pytest.raises(TersifyError, match="never promoted"):
        _promotion(SimpleNamespace(smoke=True), rows, promote=True)
