"""Compaction: the many small parts of a partition merged into one, so file counts stay bounded however many
runs publish.

Every publishing run adds a part to each table's partition of the day (a windowed run,
one per window). A service publishing every few minutes would leave thousands of small
files per partition, and every scan of the history opens each of them. When a partition
of the snapshot being built holds more than ``max_parts`` parts smaller than
``part_bytes``, those are merged into one part, streamed (rows in part-name order). Larger
parts stay as they are: there are already few of them for the data they hold, and
rewriting them would make a large run's publish read and write its whole output again.

The merge happens in the folder of the new snapshot before it is published (its parts
are hard links: removing one there leaves the older snapshots' files alone), so
readers of an older snapshot are not disturbed, and a crash leaves the published
tables as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from newsflow.load.atomic import write_atomically
from newsflow.load.storage import Layout
from newsflow.tables.dictionary import polars_schema
from newsflow.tables.registry import PUBLISHED, TABLES


@dataclass(frozen=True, slots=True)
class Compaction:
    """When parts are merged (see the module docstring; ``Settings.compact_parts`` and ``compact_part_bytes``)."""

    max_parts: int
    part_bytes: int

    def __post_init__(self) -> None:
        if self.max_parts < 1 or self.part_bytes < 1:
            raise ValueError(f"max_parts and part_bytes must be >= 1, got {self.max_parts}, {self.part_bytes}")


def scan_parts(parts: str | list[Path], table: str) -> pl.LazyFrame:
    """``table``'s rows in ``parts`` (a glob or files), with the table's schema: parts written before a column
    was added read it as null, and a column since dropped is left out."""
    return pl.scan_parquet(
        parts,
        hive_partitioning=False,
        schema=polars_schema(table),
        missing_columns="insert",
        extra_columns="ignore",
    )


def _merge(parts: list[Path], table: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        scan_parts(parts, table).sink_parquet(path, compression="zstd", arrow_schema=TABLES[table].schema)

    return write


def compact(
    layout: Layout,
    folder: Path,
    policy: Compaction,
    *,
    name: str,
    report: Callable[[str, int], object] | None = None,
) -> dict[str, int]:
    """Merge the small parts of every table's partitions in the snapshot folder ``folder`` where ``policy`` says
    so, each into ``part-<name>-merged.parquet``; returns how many parts were merged, by table (``report`` is
    called with each table and count as it is done)."""
    merged: dict[str, int] = {}
    for table in PUBLISHED:
        root = layout.table(table, folder)
        if not root.is_dir():
            continue
        for partition in sorted({part.parent for part in root.rglob("*.parquet")}):
            small = sorted(part for part in partition.glob("*.parquet") if part.stat().st_size < policy.part_bytes)
            if len(small) <= policy.max_parts:
                continue
            write_atomically(partition / f"part-{name}-merged.parquet", _merge(small, table), hidden=True)
            for part in small:
                part.unlink()
            merged[table] = merged.get(table, 0) + len(small)
            if report is not None:
                report(table, len(small))
    return merged
