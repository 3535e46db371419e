"""Outputs must not change by accident: compress() reproduces tests/golden/outputs.jsonl
byte for byte (its sha256) on every eval record and sample, under several settings.

To change outputs on purpose, rerun ``python tests/golden/make_golden.py`` and say why in
the commit.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))

from golden_cases import GOLDEN_PATH, cases, run_case  # noqa: E402


def test_outputs_match_the_golden_file():
    expected = {}
    with GOLDEN_PATH.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            expected[(row["case"], row["setting"])] = row
    seen = set()
    mismatches = []
    for case in cases():
        row = run_case(case)
        key = (row["case"], row["setting"])
        seen.add(key)
        want = expected.get(key)
        if want != row:
            mismatches.append(key)
    assert not mismatches, f"{len(mismatches)} outputs differ from the golden file, e.g. {mismatches[:5]}"
    assert seen == set(expected), "the golden cases changed: inputs were added or removed"
