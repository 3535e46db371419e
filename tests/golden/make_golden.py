"""Write tests/golden/outputs.jsonl: the compressed outputs that later changes must reproduce.

Run from the repository root: ``python tests/golden/make_golden.py``. Only rerun it on
purpose, when outputs are meant to change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from golden_cases import GOLDEN_PATH, cases, run_case  # noqa: E402


def main() -> None:
    rows = [run_case(case) for case in cases()]
    with GOLDEN_PATH.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {len(rows)} rows to {GOLDEN_PATH}")


if __name__ == "__main__":
    main()
