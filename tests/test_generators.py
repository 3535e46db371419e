"""Domain generators: determinism, counts, variety, realistic must-keep content."""

from __future__ import annotations

import pytest

from tersify.errors import TersifyError
from tersify.mustkeep import MustKeep
from tersify_train.sources.generators import DOMAINS, generate, generate_all, line_template, template_variety

# Distinct line templates per domain over 200 records: well above one template per domain.
VARIETY_FLOOR = 400


@pytest.fixture(scope="module")
def records_500():
    return generate_all(500, seed=0)


def test_domains_cover_the_spec():
    assert set(DOMAINS) == {"diff", "build", "json", "traceback", "test", "listing", "search", "http"}


def test_500_per_domain(records_500):
    by_domain = {d: [r for r in records_500 if r.domain == d] for d in DOMAINS}
    for domain, recs in by_domain.items():
        assert len(recs) == 500
        assert all(r.text.strip() and r.reference is None for r in recs)
        assert all(r.source == f"gen:{domain}" for r in recs)
        assert len({r.text for r in recs}) >= 495, domain  # practically no duplicate texts
    assert len({r.id for r in records_500}) == len(records_500)


def test_same_seed_same_output_other_seed_differs():
    for domain in DOMAINS:
        a, b = generate(domain, 20, seed=7), generate(domain, 20, seed=7)
        assert a == b
        assert [r.text for r in generate(domain, 20, seed=8)] != [r.text for r in a]


def test_record_i_does_not_depend_on_n():
    assert generate("json", 30, seed=3)[:10] == generate("json", 10, seed=3)


def test_ids():
    recs = generate("diff", 3, seed=5)
    assert [r.id for r in recs] == ["gen-diff-5-0", "gen-diff-5-1", "gen-diff-5-2"]


def test_variety_above_floor(records_500):
    first_200 = [r for d in DOMAINS for r in [x for x in records_500 if x.domain == d][:200]]
    variety = template_variety(first_200)
    assert set(variety) == set(DOMAINS)
    for domain, n in variety.items():
        assert n >= VARIETY_FLOOR, (domain, n)


def test_several_layouts_per_domain(records_500):
    # Each domain mixes tools/styles: look for a marker of each layout.
    markers = {
        "build": ["make: ***", "error[E", "npm ERR!", "[INFO] BUILD FAILURE", "# github.com/", "ERROR: failed to solve"],
        "traceback": ["Traceback (most recent call last):", "    at ", "\tat ", "goroutine ", "panicked at"],
        "test": ["test session starts", "Test Suites:", "--- FAIL", "test result:"],
        "listing": ["total ", "USER         PID", "Filesystem", "CONTAINER ID", "Mem:"],
        "http": ["> GET", "HTTP/1.1\"", "Host:", "HTTP/"],
        "diff": ["diff --git", "@@ -", "commit ", "+++ "],
    }
    for domain, needles in markers.items():
        texts = [r.text for r in records_500 if r.domain == domain]
        for needle in needles:
            assert any(needle in t for t in texts), (domain, needle)


def test_texts_carry_must_keep_spans(records_500):
    mk = MustKeep()
    for domain in DOMAINS:
        recs = [r for r in records_500 if r.domain == domain][:50]
        assert all(len(mk.find(r.text)) >= 3 for r in recs), domain


def test_line_template_masks_values():
    assert line_template("  File \"/app/x.py\", line 22, in f") == line_template("File \"/app/x.py\", line 917, in f")
    assert line_template("addr 0x7fff2038 sha 3f9c2a1b") == "addr <hex> sha <hex>"
    assert line_template("a") != line_template("b")


def test_unknown_domain_and_bad_n():
    with pytest.raises(TersifyError, match="unknown generator domain"):
        generate("poetry", 1)
    with pytest.raises(TersifyError):
        generate("json", -1)
