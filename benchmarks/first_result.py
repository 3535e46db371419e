"""Time from ``import tersify`` to the first result, and peak memory, in this process:
run by ``model_speed.py`` in a fresh process.

    python benchmarks/first_result.py TEXTS.json [MODEL_DIR] < first_text

Compresses stdin (the first result), then every text of ``TEXTS.json``; prints one JSON
line: first_result_s, peak_rss_mb, torch_imported.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def main(argv: list[str]) -> dict:
    t0 = time.perf_counter()
    import tersify  # timed: the import is part of the time to the first result
    from tersify.scorers import get_scorer
    from tersify.scorers.onnx import ModelScorer

    scorer = ModelScorer(argv[1]) if len(argv) > 1 else get_scorer("model")
    tersify.compress(sys.stdin.read(), scorer=scorer)
    t1 = time.perf_counter()
    with open(argv[0]) as f:
        for text in json.load(f):
            tersify.compress(text, scorer=scorer)
    return {"first_result_s": t1 - t0, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "torch_imported": "torch" in sys.modules}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
