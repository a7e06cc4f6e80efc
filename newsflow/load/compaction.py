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

The ``runs`` log lives outside the snapshots (a part per run, whether it published or
not) and is merged in place by ``compact_log``: a day's parts into one once the day is
over, and the current day's as a table partition's. The merged part is written before
the parts it holds are removed, so a crash in between leaves rows twice, never none.
``read_log`` and the next merge drop the repeats, and a reader whose parts were merged
away under it lists them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from newsflow.load.atomic import write_atomically
from newsflow.load.storage import Layout
from newsflow.tables.dictionary import empty, polars_schema
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


def _merge(parts: list[Path], table: str, *, distinct: bool) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        rows = scan_parts(parts, table)
        if distinct:
            rows = rows.unique(maintain_order=True)
        rows.sink_parquet(path, compression="zstd", arrow_schema=TABLES[table].schema)

    return write


def _merge_partition(partition: Path, policy: Compaction, *, table: str, name: str, distinct: bool = False) -> int:
    """Merge ``partition``'s small parts into ``part-<name>-merged.parquet`` where ``policy`` says so; returns how
    many were merged (0: left as it was). With ``distinct``, rows held twice are merged into one."""
    small = sorted(part for part in partition.glob("*.parquet") if part.stat().st_size < policy.part_bytes)
    if len(small) <= policy.max_parts:
        return 0
    write_atomically(partition / f"part-{name}-merged.parquet", _merge(small, table, distinct=distinct), hidden=True)
    for part in small:
        part.unlink(missing_ok=True)
    return len(small)


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
            if count := _merge_partition(partition, policy, table=table, name=name):
                merged[table] = merged.get(table, 0) + count
                if report is not None:
                    report(table, count)
    return merged


def compact_log(root: Path, policy: Compaction, *, table: str, name: str) -> int:
    """Merge the small parts of the partitions of the log ``table`` under ``root`` in place (see the module
    docstring); returns how many parts were merged. The newest partition (by name: a day) is merged where
    ``policy`` says so; every older one into a single part, since few runs still add to a day that is over:
    the log then holds about a part per day. Call it with the output locked: two merges at once would each
    remove parts the other read."""
    partitions = sorted({part.parent for part in root.rglob("*.parquet")}) if root.is_dir() else []
    over = Compaction(max_parts=1, part_bytes=policy.part_bytes)
    return sum(
        _merge_partition(
            partition, policy if partition == partitions[-1] else over, table=table, name=name, distinct=True
        )
        for partition in partitions
    )


_LOG_READ_ATTEMPTS = 5


def read_log(root: Path, table: str) -> pl.DataFrame:
    """Every row of the log ``table`` under ``root`` once (empty when it has no part): a row a crashed merge left
    twice is read once, and parts merged away while they were read are listed again."""
    attempt = 1
    while True:
        parts = sorted(root.rglob("*.parquet")) if root.is_dir() else []
        if not parts:
            return empty(table)
        try:
            return scan_parts(parts, table).unique(maintain_order=True).collect()
        except FileNotFoundError:
            if attempt == _LOG_READ_ATTEMPTS:
                raise
            attempt += 1
