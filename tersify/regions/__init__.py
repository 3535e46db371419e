"""Regions: what each line of a tool output is, so each stage knows what it may touch.

``detect_regions(lines)`` splits an output (its lines, split on ``\\n``, each keeping any
``\\r``) into contiguous regions of one kind. Compaction works per region; word dropping
is allowed by kind only (``DROP_POLICY``). Detection is deterministic and linear in the
number of lines. ``noise_spans(line)`` names the parts of a line that are pure decoration
(progress percentages, bars, rules, diffstat bars) and may go whole, whatever the kind.
"""

from __future__ import annotations

from tersify.regions.detect import detect_regions, label_lines
from tersify.regions.kinds import DROP_POLICY, Drop, Kind, Region
from tersify.regions.noise import NOISE_CATEGORIES, NoiseCategory, noise_spans, text_noise_spans

__all__ = [
    "DROP_POLICY",
    "NOISE_CATEGORIES",
    "Drop",
    "Kind",
    "NoiseCategory",
    "Region",
    "detect_regions",
    "label_lines",
    "noise_spans",
    "text_noise_spans",
]
