"""Input shards, their blocks, and the output shards of a job.

Input: JSONL files, Parquet files, or folders of them (their ``*.jsonl`` and ``*.parquet``
files in name order). A JSONL shard is cut into byte ranges, a line belonging to the range
its first byte is in (so blocks need no scan of the file to plan, and any cut reads every
line once); a Parquet shard into runs of row groups. The records' order is the shards'
order, then file order: every engine and every cut gives the same sequence.

Output: one shard per input block, ``part-NNNNN.jsonl`` or ``.parquet``, written to a
temporary name and renamed, so a block run twice (a retried task) leaves one complete file.
Pyarrow is imported only for Parquet.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from tersify.errors import TersifyError

FORMATS = ("jsonl", "parquet")
ROW_GROUP_ROWS = 10_000  # rows per Parquet row group: the unit a Parquet input is cut at
FIELDS = ("text", "reference", "domain", "source", "id")


def _kind(path: Path) -> str | None:
    return "parquet" if path.suffix == ".parquet" else "jsonl" if path.suffix in (".jsonl", ".ndjson") else None


@dataclass(frozen=True)
class Shard:
    path: str
    kind: str  # jsonl | parquet
    size: int  # bytes


def find_shards(inputs: Sequence[str | Path]) -> list[Shard]:
    """The shards of ``inputs`` (files, or folders of ``*.jsonl`` / ``*.parquet`` files), in order."""
    shards: list[Shard] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".") and _kind(f))
            if not files:
                raise TersifyError(f"{p}: no .jsonl or .parquet shard in this folder")
        elif p.is_file():
            files = [p]
        else:
            raise TersifyError(f"{p}: no such file or folder")
        shards += [Shard(str(f), _kind(f) or "jsonl", f.stat().st_size) for f in files]
    return shards


@dataclass(frozen=True)
class Block:
    """Part of a shard: bytes [start, end) of a JSONL file, row groups [start, end) of a Parquet
    file (its first row is ``first_row``). ``units``: its size for progress (bytes or rows)."""

    index: int
    path: str
    kind: str
    start: int
    end: int
    first_row: int = 0
    units: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def plan_blocks(shards: Sequence[Shard], block_bytes: int) -> list[Block]:
    """Cut the shards into blocks of about ``block_bytes`` each (Parquet: whole row groups)."""
    if block_bytes < 1:
        raise TersifyError(f"block size must be positive, got {block_bytes}")
    blocks: list[Block] = []
    for shard in shards:
        if shard.kind == "jsonl":
            for start in range(0, shard.size, block_bytes):
                end = min(start + block_bytes, shard.size)
                blocks.append(Block(len(blocks), shard.path, "jsonl", start, end, units=end - start))
            continue
        meta = _parquet_file(shard.path).metadata
        group, row, size, first = 0, 0, 0, 0
        for g in range(meta.num_row_groups):
            size += meta.row_group(g).total_byte_size
            row += meta.row_group(g).num_rows
            if size >= block_bytes or g == meta.num_row_groups - 1:
                blocks.append(Block(len(blocks), shard.path, "parquet", group, g + 1, first, row - first))
                group, first, size = g + 1, row, 0
    return blocks


@dataclass(frozen=True)
class RawRecord:
    """One input record before validation: the decoded object, or why it could not be decoded."""

    where: str
    value: object
    error: str
    raw: bytes | str
    units: int


def read_block(block: Block) -> Iterator[RawRecord]:
    """The records of ``block`` in file order (blank JSONL lines skipped)."""
    if block.kind == "parquet":
        table = _parquet_file(block.path).read_row_groups(list(range(block.start, block.end)))
        for i, row in enumerate(table.to_pylist()):
            yield RawRecord(f"{block.path}#{block.first_row + i}", row, "", "", 1)
        return
    with open(block.path, "rb") as fh:
        if block.start > 0:
            fh.seek(block.start - 1)
            fh.readline()  # the line under way at start belongs to the block before
        pos = fh.tell()
        while pos < block.end:
            line = fh.readline()
            if not line:
                break
            where, pos = f"{block.path}@{pos}", pos + len(line)
            if not line.strip():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield RawRecord(where, None, f"not UTF-8 ({exc.reason} at byte {exc.start})", line, len(line))
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                yield RawRecord(where, None, f"bad JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})", line, len(line))
                continue
            yield RawRecord(where, value, "", line, len(line))


def shard_name(index: int, fmt: str) -> str:
    return f"part-{index:05d}.{fmt}"


def _temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")


def write_rows(path: str | Path, rows: Sequence[dict], fmt: str) -> Path:
    """Write ``rows`` (pair-record dicts) to ``path`` as JSONL or Parquet: a temporary file, then
    a rename, so readers never see half a file and a second write replaces the first."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_beside(p)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(_table(rows), tmp, row_group_size=ROW_GROUP_ROWS)
    else:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    os.replace(tmp, p)
    return p


def write_block(out_dir: str | Path, index: int, rows: Sequence[dict], fmt: str) -> Path:
    """Block ``index``'s output shard in ``out_dir`` (written even when empty: one per block)."""
    return write_rows(Path(out_dir) / shard_name(index, fmt), rows, fmt)


def merge_shards(parts: Sequence[Path], out: str | Path, fmt: str) -> Path:
    """Concatenate output shards, in the order given, into one file (temporary file, rename)."""
    p = Path(out)
    tmp = _temp_beside(p)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        with pq.ParquetWriter(tmp, _schema()) as writer:
            for part in parts:
                writer.write_table(pq.read_table(part, schema=_schema()), row_group_size=ROW_GROUP_ROWS)
    else:
        with tmp.open("wb") as fh:
            for part in parts:
                fh.write(part.read_bytes())
    os.replace(tmp, p)
    return p


def read_rows(inputs: Sequence[str | Path]) -> list[dict]:
    """Every record of ``inputs`` (as in :func:`find_shards`) as a dict, in order; ``id`` left out
    when null, as a JSONL pair file has it. Raises on a record that cannot be decoded."""
    rows = []
    for block in plan_blocks(find_shards(inputs), 1 << 62):
        for item in read_block(block):
            if item.error:
                raise TersifyError(f"{item.where}: {item.error}")
            row = dict(item.value)  # type: ignore[call-overload]
            if row.get("id", "") is None:
                del row["id"]
            rows.append(row)
    return rows


def _schema():
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in FIELDS])


def _table(rows: Sequence[dict]):
    import pyarrow as pa

    return pa.Table.from_pylist([{k: r.get(k) for k in FIELDS} for r in rows], schema=_schema())


def _parquet_file(path: str):
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise TersifyError(f"{path}: reading Parquet needs pyarrow: pip install 'tersify[scale]'") from exc
    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own types for a file that is not Parquet
        raise TersifyError(f"{path}: not a Parquet file ({exc})") from exc


__all__ = ["FORMATS", "Block", "RawRecord", "Shard", "find_shards", "merge_shards", "plan_blocks", "read_block",
           "read_rows", "shard_name", "write_block", "write_rows"]
