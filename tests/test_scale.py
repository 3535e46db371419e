"""The batch steps' engine on one process (tersify_train/scale): shards and blocks, dead
letters, the same answers whatever the cut, Parquet in and out, and no Ray imported.
tests/test_scale_ray.py runs the same steps on Ray and compares."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from support.scale_inputs import BAD_JSON, good_records, write_input

from tersify.cli import main
from tersify.errors import TersifyError
from tersify_train.eval.diagnose import diagnose_pair, summarise
from tersify_train.eval.evaluate import evaluate_scorer
from tersify_train.labels.teacher import teach
from tersify_train.scale.deadletters import read_dead_letters
from tersify_train.scale.engine import Job, engine_hint, run_job
from tersify_train.scale.shards import find_shards, plan_blocks, read_block, read_rows
from tersify_train.scale.steps import StepSpec
from tersify_train.sources.pairs import load_pairs
from tersify_train.sources.records import PairRecord


@pytest.fixture(scope="module")
def records():
    return good_records()


def test_blocks_read_every_line_once_whatever_the_cut(tmp_path, records):
    src = write_input(tmp_path / "in.jsonl", records)
    shards = find_shards([src])
    whole = [i.where for b in plan_blocks(shards, 1 << 30) for i in read_block(b)]
    assert len(whole) == len(records) + 3  # the blank line is no record
    for size in (1, 7, 500, 4096):
        assert [i.where for b in plan_blocks(shards, size) for i in read_block(b)] == whole


def test_label_matches_the_teacher_and_is_the_same_for_any_cut(tmp_path, records):
    src = write_input(tmp_path / "in.jsonl", records)
    want = [PairRecord(**r).with_reference(teach(r["text"])).to_dict() for r in records]
    outs = []
    for i, size in enumerate((None, 3000, 700)):
        res = run_job(Job(StepSpec("label"), [str(src)], out=str(tmp_path / f"out{i}.jsonl"), block_bytes=size))
        assert res.written == len(records) and len(res.dead) == 3
        assert [json.loads(line) for line in open(res.out, encoding="utf-8")] == want
        outs.append((tmp_path / f"out{i}.jsonl").read_bytes())
    assert outs[0] == outs[1] == outs[2]
    assert not (tmp_path / ".out1.jsonl.parts").exists()  # the block shards were merged and removed


def test_dead_letters_name_the_record_and_the_error(tmp_path, records):
    src = write_input(tmp_path / "in.jsonl", records)
    res = run_job(Job(StepSpec("label"), [str(src)], out=str(tmp_path / "o.jsonl")))
    letters = read_dead_letters(res.dead_path)
    assert [d.error.split(" (")[0] for d in letters] == ["bad JSON", "not UTF-8", "missing field 'domain'"]
    offset = src.read_bytes().index(BAD_JSON)
    assert letters[0].where == f"{src}@{offset}" and letters[0].raw == BAD_JSON.decode()
    assert "\\xe9" in letters[1].raw  # undecodable bytes shown, not lost


def test_a_scorer_error_is_a_dead_letter_and_the_job_goes_on(tmp_path, records, monkeypatch):
    import tersify_train.labels.teacher as teacher

    def failing(text: str) -> str:
        if text == records[1]["text"]:
            raise ValueError("scorer exploded")
        return teach(text)

    monkeypatch.setattr(teacher, "teach", failing)
    src = write_input(tmp_path / "in.jsonl", records, bad=False)
    res = run_job(Job(StepSpec("label"), [str(src)], out=str(tmp_path / "o.jsonl"), dead_letters=str(tmp_path / "d")))
    assert res.written == len(records) - 1
    (letter,) = read_dead_letters(tmp_path / "d")
    assert letter.error == "label failed: ValueError: scorer exploded"


def test_diagnose_and_evaluate_equal_the_direct_computation(tmp_path, records):
    from tersify.scorers import get_scorer

    src = write_input(tmp_path / "in.jsonl", records)
    res = run_job(Job(StepSpec("diagnose"), [str(src)], dead_letters=str(tmp_path / "d")), workers=None)
    with_ref = [r for r in records if r["reference"] is not None]
    assert res.skipped == len(records) - len(with_ref)
    assert res.summary == summarise([diagnose_pair(r["text"], r["reference"]) for r in with_ref])
    res = run_job(Job(StepSpec("evaluate", scorer="teacher"), [str(src)], dead_letters=str(tmp_path / "d"),
                      block_bytes=2000))
    assert res.summary == evaluate_scorer(get_scorer("teacher"), [PairRecord(**r) for r in records])


def test_parquet_round_trip_and_parquet_input(tmp_path, records):
    pytest.importorskip("pyarrow")
    src = write_input(tmp_path / "in.jsonl", records, bad=False)
    res = run_job(Job(StepSpec("label"), [str(src)], out=str(tmp_path / "shards"), fmt="parquet", block_bytes=4000))
    shards = sorted((tmp_path / "shards").glob("part-*.parquet"))
    assert len(shards) == res.blocks > 1
    jsonl = run_job(Job(StepSpec("label"), [str(src)], out=str(tmp_path / "one.jsonl")))
    assert read_rows([tmp_path / "shards"]) == read_rows([jsonl.out])
    # Parquet in, JSONL out: the same records again
    again = run_job(Job(StepSpec("label"), [str(tmp_path / "shards")], out=str(tmp_path / "again.jsonl")))
    assert (tmp_path / "again.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    assert again.read == len(records)
    # a rerun with a coarser cut leaves no shard of the former one behind
    run_job(Job(StepSpec("label"), [str(src)], out=str(tmp_path / "shards"), fmt="parquet"))
    assert read_rows([tmp_path / "shards"]) == read_rows([jsonl.out])


def test_cli_steps_and_errors(tmp_path, records, capsys):
    src = write_input(tmp_path / "in.jsonl", records)
    assert main(["data", "label", str(src), "--out", str(tmp_path / "o.jsonl")]) == 0
    captured = capsys.readouterr()
    assert f"wrote {len(records)} labelled records" in captured.out
    assert "3 dead letters" in captured.err and "o.jsonl.dead-letters.jsonl" in captured.err
    assert main(["data", "diagnose", str(src), "--dead-letters", str(tmp_path / "d.jsonl")]) == 0
    assert "mk_in_ref" in capsys.readouterr().out
    assert main(["data", "evaluate", str(src), "--scorer", "baseline", "--json",
                 "--dead-letters", str(tmp_path / "d.jsonl")]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == len(records)
    assert main(["data", "label", str(tmp_path / "nope"), "--out", str(tmp_path / "x.jsonl")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["data", "label", str(src), "--out", str(tmp_path / "x.jsonl"), "--format", "parquet"]) == 2
    # A file none of whose records can be used is an error, not an empty success.
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text('{"text": 1}\n{"text": 2}\n')
    assert main(["data", "label", str(wrong), "--out", str(tmp_path / "w.jsonl")]) == 2
    assert "every one of the 2 records failed" in capsys.readouterr().err
    # A record without a reference is labelled (the reference is what label writes).
    bare = tmp_path / "bare.jsonl"
    bare.write_text(json.dumps({"text": "The build has failed with code 2", "domain": "build", "source": "x"}) + "\n")
    assert main(["data", "label", str(bare), "--out", str(tmp_path / "b.jsonl")]) == 0
    assert load_pairs(tmp_path / "b.jsonl", quiet=True)[0].reference == "build failed with code 2"
    # Shards of an earlier run in the other format would be read twice: they go.
    shards = tmp_path / "shards"
    assert main(["data", "label", str(bare), "--out", str(shards), "--format", "parquet"]) == 0
    assert main(["data", "label", str(bare), "--out", str(shards)]) == 0
    assert [p.name for p in shards.iterdir()] == ["part-00000.jsonl"]
    with pytest.raises(TersifyError):
        StepSpec("self-label")
    assert engine_hint("ray", 1000) and engine_hint("local", 1000) is None


def test_the_local_path_never_imports_ray(tmp_path, records):
    src = write_input(tmp_path / "in.jsonl", records)
    code = ("import sys; import tersify; assert 'ray' not in sys.modules; from tersify.cli import main; "
            f"main(['data', 'label', {str(src)!r}, '--out', {str(tmp_path / 'o.jsonl')!r}]); "
            "assert not any(m == 'ray' or m.startswith('ray.') for m in sys.modules), 'ray imported'")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
