"""Must-keep spans: character ranges of the original text, each with its category."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    category: str


@dataclass(frozen=True)
class Spans:
    """Must-keep spans as parallel arrays (a text can have hundreds of thousands)."""

    starts: np.ndarray
    ends: np.ndarray
    codes: np.ndarray
    names: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.starts.shape[0])

    def __iter__(self):
        order = np.lexsort((self.ends, self.starts))
        names = self.names
        for i in order.tolist():
            yield Span(int(self.starts[i]), int(self.ends[i]), names[int(self.codes[i])])

    def category_counts(self) -> dict[str, int]:
        counts = np.bincount(self.codes, minlength=len(self.names)) if len(self) else np.zeros(len(self.names))
        return {name: int(c) for name, c in zip(self.names, counts, strict=True) if c}

    @staticmethod
    def empty() -> Spans:
        z = np.zeros(0, dtype=np.int64)
        return Spans(z, z, z, ())
