"""The version table of the ladder: printed (rich), saved as Markdown and JSON, and drawn
as a PNG (keep_rate against exact_keep_pct, one point per version).

Every figure comes from the rows' metrics, which :mod:`tersify_train.eval` computed; this
module only chooses and formats them. Unmarked columns measure the scorer alone;
``+ovr`` columns apply the must-keep override (as shipped); ``ovr Δ`` is what the
override adds on ``dense``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tersify_train.eval import tables
from tersify_train.eval.tables import markdown_table
from tersify_train.ladder.rows import Row


@dataclass(frozen=True)
class Column:
    header: str
    key: str  # the JSON name
    value: Callable[[Row], float | None]


def _metric(set_name: str, key: str, override: bool = False) -> Callable[[Row], float | None]:
    return lambda r: r.metric(set_name, key, override=override)


def _override_delta(r: Row) -> float | None:
    a, b = r.metric("dense", "exact_keep_pct"), r.metric("dense", "exact_keep_pct", override=True)
    return None if a is None or b is None else b - a


COLUMNS: tuple[Column, ...] = (
    Column("train mk_in_ref", "train_mk_in_ref", lambda r: r.train.get("label_mk_in_ref")),
    Column("ref mk_in_ref", "ref_mk_in_ref", lambda r: r.train.get("ref_mk_in_ref")),
    Column("qa keep_rate", "qa_keep_rate", _metric("qa", "keep_rate")),
    Column("qa exact", "qa_exact_keep_pct", _metric("qa", "exact_keep_pct")),
    Column("dense exact", "dense_exact_keep_pct", _metric("dense", "exact_keep_pct")),
    Column("dense exact +ovr", "dense_exact_keep_pct_override", _metric("dense", "exact_keep_pct", True)),
    Column("ovr Δ", "override_delta", _override_delta),
    Column("agent keep_rate", "agent_keep_rate", _metric("agent", "keep_rate")),
    Column("agent keep_rate +ovr", "agent_keep_rate_override", _metric("agent", "keep_rate", True)),
    Column("agent exact", "agent_exact_keep_pct", _metric("agent", "exact_keep_pct")),
    Column("protected", "agent_protected_retention", _metric("agent", "protected_retention")),
    Column("first mentions", "agent_first_mention_retention", _metric("agent", "first_mention_retention")),
)


def _cell(v: float | None, header: str) -> str:
    if v is None:
        return "–"
    return f"{v:+.3f}" if header == "ovr Δ" else f"{v:.3f}"


def table_rows(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """One flat dict per row: version, the column values, the command that reproduces it."""
    out = []
    for r in rows:
        d: dict[str, Any] = {"version": r.name}
        d.update({c.key: c.value(r) for c in COLUMNS})
        d.update({"command": r.command, "description": r.description, "note": r.note})
        out.append(d)
    return out


def _cells(r: Row) -> list[str]:
    return [r.name, *(_cell(c.value(r), c.header) for c in COLUMNS)]


def format_markdown(rows: Sequence[Row]) -> str:
    """The table as Markdown, then each row's command and description."""
    figures = markdown_table(["version", *(c.header for c in COLUMNS)], [_cells(r) for r in rows],
                             right=[False, *([True] * len(COLUMNS))])
    what = markdown_table(["version", "what it is", "reproduce"],
                          [[r.name, r.description + (f" — {r.note}" if r.note else ""), f"`{r.command}`"]
                           for r in rows])
    return f"{figures}\n\n{what}\n"


def print_table(rows: Sequence[Row], title: str = "the ladder") -> None:
    tables.print_table(["version", *(c.header for c in COLUMNS)], [_cells(r) for r in rows], title=title)


PLOT_SETS: tuple[str, ...] = ("qa", "dense", "agent")


def plot(rows: Sequence[Row], path: str | Path) -> Path:
    """keep_rate (x) against exact_keep_pct (y), one point per version, one panel per eval
    set: filled = scorer alone, hollow = with the override."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sets = [s for s in PLOT_SETS if any(s in r.eval for r in rows)]
    fig, axes = plt.subplots(1, max(1, len(sets)), figsize=(5.2 * max(1, len(sets)), 4.6), squeeze=False)
    colours = plt.get_cmap("tab20")
    for ax, set_name in zip(axes[0], sets, strict=False):
        for i, r in enumerate(rows):
            x, y = r.metric(set_name, "keep_rate"), r.metric(set_name, "exact_keep_pct")
            xo, yo = r.metric(set_name, "keep_rate", override=True), r.metric(set_name, "exact_keep_pct", override=True)
            colour = colours(i % 20)
            if x is not None and y is not None:
                ax.scatter([x], [y], color=colour, s=36, zorder=3, label=r.name)
            if xo is not None and yo is not None:
                ax.scatter([xo], [yo], facecolors="none", edgecolors=colour, s=36, zorder=2)
        ax.set_title(f"{set_name}: filled = model alone, hollow = + override", fontsize=9)
        ax.set_xlabel("keep_rate (lower = more compression)")
        ax.set_ylabel("exact_keep_pct")
        ax.grid(alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center right", fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0, 0.88, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_outputs(rows: Sequence[Row], out_dir: str | Path, *, name: str = "ladder",
                  extra: dict[str, Any] | None = None) -> dict[str, Path]:
    """``<name>.md``, ``<name>.json`` (the table, then every row in full) and ``<name>.png``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"md": out / f"{name}.md", "json": out / f"{name}.json", "png": out / f"{name}.png"}
    paths["md"].write_text(format_markdown(rows))
    payload = {"columns": [{"key": c.key, "header": c.header} for c in COLUMNS], "table": table_rows(rows),
               "rows": [r.to_dict() for r in rows], **(extra or {})}
    paths["json"].write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    plot(rows, paths["png"])
    return paths


__all__ = ["COLUMNS", "Column", "format_markdown", "plot", "print_table", "table_rows", "write_outputs"]
