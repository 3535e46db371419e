"""The version table of the ladder: printed (rich), saved as Markdown and JSON, and drawn
as a PNG (prose keep rate in real tokens against exact_keep_pct on ``dense-v2``, one point
per version).

Every figure comes from the rows' metrics, which :mod:`tersify_train.eval` computed; this
module only chooses and formats them. Per set (qa, dense-v2, agent): exact_keep_pct of the
model alone and with the override (``+ovr``), then, as shipped (with the override),
protected retention, error-message fidelity, first-mention retention, the prose keep rate
in real tokens and the structure pass rate; ``ovr Δ`` is what the override adds to
exact_keep_pct on ``dense-v2``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tersify_train.eval import tables
from tersify_train.eval.tables import markdown_table
from tersify_train.ladder.rows import DENSE, Row, override_delta


@dataclass(frozen=True)
class Column:
    header: str
    key: str  # the JSON name
    value: Callable[[Row], float | None]
    group: str = ""  # the eval set it belongs to ("": labels and the override delta)


def _metric(set_name: str, key: str, override: bool = False) -> Callable[[Row], float | None]:
    return lambda r: r.metric(set_name, key, override=override)


TABLE_SETS: tuple[str, ...] = ("qa", DENSE, "agent")

# Per set: (header suffix, JSON suffix, metric, with the override). Exact keep is shown both
# ways (the override makes it 1.0 for any model); the rest as shipped, with the override.
PER_SET: tuple[tuple[str, str, str, bool], ...] = (
    ("exact", "exact_keep_pct", "exact_keep_pct", False),
    ("exact +ovr", "exact_keep_pct_override", "exact_keep_pct", True),
    ("protected", "protected_retention", "protected_retention", True),
    ("err-msg", "error_message_fidelity", "error_message_fidelity", True),
    ("first ment.", "first_mention_retention", "first_mention_retention", True),
    ("prose keep", "prose_token_keep_rate", "prose_token_keep_rate", True),
    ("structure", "structure_pass_rate", "structure_pass_rate", True),
)


def _set_columns(set_name: str) -> list[Column]:
    key = set_name.replace("-", "_")
    return [Column(h, f"{key}_{k}", _metric(set_name, m, o), set_name) for h, k, m, o in PER_SET]


COLUMNS: tuple[Column, ...] = (
    Column("train mk_in_ref", "train_mk_in_ref", lambda r: r.train.get("label_mk_in_ref")),
    Column("ref mk_in_ref", "ref_mk_in_ref", lambda r: r.train.get("ref_mk_in_ref")),
    *(c for s in TABLE_SETS for c in _set_columns(s)),
    Column(f"ovr Δ {DENSE}", "override_delta", override_delta),
)


def _groups() -> list[tuple[str, list[Column]]]:
    """The columns in display tables: labels and the override delta, then one per set."""
    order = dict.fromkeys(c.group for c in COLUMNS)
    return [(g, [c for c in COLUMNS if c.group == g]) for g in order]


def _cell(v: float | None, header: str) -> str:
    if v is None:
        return "–"
    return f"{v:+.3f}" if header.startswith("ovr Δ") else f"{v:.3f}"


def table_rows(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """One flat dict per row: version, the column values, the command that reproduces it."""
    out = []
    for r in rows:
        d: dict[str, Any] = {"version": r.name}
        d.update({c.key: c.value(r) for c in COLUMNS})
        d.update({"command": r.command, "description": r.description, "note": r.note})
        out.append(d)
    return out


def _cells(r: Row, columns: Sequence[Column]) -> list[str]:
    return [r.name, *(_cell(c.value(r), c.header) for c in columns)]


def _title(group: str) -> str:
    return f"{group} (exact alone and with the override; the rest as shipped, with it)" if group else \
        "labels and the override"


def format_markdown(rows: Sequence[Row]) -> str:
    """The table as Markdown (one table for the labels and the override delta, then one per
    eval set), then each row's command and description."""
    parts = []
    for group, columns in _groups():
        table = markdown_table(["version", *(c.header for c in columns)], [_cells(r, columns) for r in rows],
                               right=[False, *([True] * len(columns))])
        parts.append(table if not group else f"**{_title(group)}**\n\n{table}")
    what = markdown_table(["version", "what it is", "reproduce"],
                          [[r.name, r.description + (f" — {r.note}" if r.note else ""), f"`{r.command}`"]
                           for r in rows])
    return "\n\n".join([*parts, what]) + "\n"


def print_table(rows: Sequence[Row], title: str = "the ladder") -> None:
    for group, columns in _groups():
        tables.print_table(["version", *(c.header for c in columns)], [_cells(r, columns) for r in rows],
                           title=f"{title}: {_title(group)}")


PLOT_SETS: tuple[str, ...] = (DENSE,)


def plot(rows: Sequence[Row], path: str | Path) -> Path:
    """Prose keep rate in real tokens (x) against exact_keep_pct (y), one point per version,
    one panel per set of :data:`PLOT_SETS`: filled = scorer alone, hollow = with the override."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sets = [s for s in PLOT_SETS if any(s in r.eval for r in rows)]
    fig, axes = plt.subplots(1, max(1, len(sets)), figsize=(6.4 * max(1, len(sets)), 4.8), squeeze=False)
    colours = plt.get_cmap("tab20")
    for ax, set_name in zip(axes[0], sets, strict=False):
        for i, r in enumerate(rows):
            x, y = r.metric(set_name, "prose_token_keep_rate"), r.metric(set_name, "exact_keep_pct")
            xo = r.metric(set_name, "prose_token_keep_rate", override=True)
            yo = r.metric(set_name, "exact_keep_pct", override=True)
            colour = colours(i % 20)
            if x is not None and y is not None:
                ax.scatter([x], [y], color=colour, s=36, zorder=3, label=r.name)
            if xo is not None and yo is not None:
                ax.scatter([xo], [yo], facecolors="none", edgecolors=colour, s=36, zorder=2)
        ax.set_title(f"{set_name}: filled = model alone, hollow = + override", fontsize=9)
        ax.set_xlabel("prose keep rate, real tokens (lower = more compression)")
        ax.set_ylabel("exact_keep_pct")
        ax.grid(alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center right", fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0, 0.84, 1))
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
