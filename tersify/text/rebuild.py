"""Output text from a keep mask: the input with whole words removed, line by line.

A line that loses no word is copied byte for byte (blank lines too), so every region
that word dropping may not touch comes out exactly as it went in. A line that loses some
words keeps its indentation and its kept words byte for byte: runs of consecutive kept
words are copied as one slice (their original spacing survives), runs are joined by one
space, the line's trailing whitespace stays when its last word is kept, and its
terminator (``\\n`` or ``\\r\\n``) stays. A line that loses every word disappears with
its terminator. Lines never merge and never change order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tersify.text.segment import Words


def rebuild(words: Words, keep: np.ndarray, keep_whole: Callable[[str, str], bool] | None = None) -> str:
    """The text for ``keep`` (one flag per word).

    ``keep_whole(original_line, rebuilt_line)``: when it returns True the line is copied
    whole instead (e.g. when dropping words would make it read as something else).
    """
    text = words.text
    dropped = np.flatnonzero(~keep)
    if dropped.shape[0] == 0:
        return text
    lines, starts, ends, line_starts = words.lines, words.starts, words.ends, words.line_starts
    n_lines = line_starts.shape[0]
    touched = np.unique(lines[dropped])
    first_word = np.searchsorted(lines, touched, side="left").tolist()
    stop_word = np.searchsorted(lines, touched, side="right").tolist()
    out: list[str] = []
    pos = 0
    size = len(text)
    for line, w0, w1 in zip(touched.tolist(), first_word, stop_word, strict=True):
        begin = int(line_starts[line])
        end = int(line_starts[line + 1]) - 1 if line + 1 < n_lines else size  # at "\n", or the end
        out.append(text[pos:begin])
        kept = np.flatnonzero(keep[w0:w1]) + w0
        if kept.shape[0] == 0:
            pos = end + 1 if end < size else end  # the line goes, with its terminator
            continue
        cr = "\r" if end > begin and text[end - 1] == "\r" else ""
        parts = [text[begin : int(starts[w0])]]  # indentation
        run_start = int(kept[0])
        previous = run_start
        for i in kept[1:].tolist():
            if i != previous + 1:
                parts.append(text[int(starts[run_start]) : int(ends[previous])])
                parts.append(" ")
                run_start = i
            previous = i
        parts.append(text[int(starts[run_start]) : int(ends[previous])])
        # The trailing whitespace (which holds any "\r") stays when the last word is kept.
        parts.append(text[int(ends[previous]) : end] if previous == w1 - 1 else cr)
        rebuilt = "".join(parts)
        out.append(text[begin:end] if keep_whole is not None and keep_whole(text[begin:end], rebuilt) else rebuilt)
        pos = end
    out.append(text[pos:])
    return "".join(out)
