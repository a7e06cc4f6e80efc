"""Staging, atomic publishing and reading back the published tables.

A publish builds a complete new snapshot folder (hard links to the previous
snapshot's immutable part files plus the run's new ones), then swaps the
``curated`` symlink to it with one ``rename``: readers see the old snapshot or the
new one, never a mix, and a crash before the swap leaves the old one published.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Collection, Mapping
from datetime import date
from pathlib import Path

import polars as pl

from newsflow.load.atomic import fsync_dir, write_atomically
from newsflow.load.compaction import Compaction, compact, scan_parts
from newsflow.load.storage import Layout
from newsflow.tables.dictionary import conform, empty
from newsflow.tables.registry import PUBLISHED, REPLACED, TABLES


class PublishError(RuntimeError):
    """The output folder is not in a state newsflow can publish to."""


def write_table(frame: pl.DataFrame, path: Path, table: str) -> None:
    """Write ``frame`` as ``table`` (explicit Arrow schema, zstd), whole or not at all."""
    schema = TABLES[table].schema
    write_atomically(
        path,
        lambda partial: conform(frame, table).write_parquet(partial, compression="zstd", arrow_schema=schema),
        hidden=True,
    )


def stage(layout: Layout, run_id: str, day: date, tables: Mapping[str, pl.DataFrame], *, window: int = 0) -> Path:
    """Write the tables of one window of the run under its staging folder; returns the folder.

    Window 0 starts the folder afresh; later windows add their parts beside it, except
    for tables rewritten whole each run (``REPLACED``), whose latest window wins.
    Empty tables are written too, so every table's glob matches at least one file
    and readers get the schema rather than a "no files found" error.
    """
    base = layout.staging(run_id)
    if window == 0 and base.exists():
        shutil.rmtree(base)  # a crashed attempt of the same run: start clean
    base.mkdir(parents=True, exist_ok=True)
    for table, frame in tables.items():
        if table in REPLACED:
            shutil.rmtree(layout.table(table, base), ignore_errors=True)
        write_table(frame, layout.partition_file(base, table, day, run_id, window), table)
    return base


def scan_staged(layout: Layout, staged: Path, table: str) -> pl.LazyFrame:
    """What earlier windows of a run staged for ``table``, lazily."""
    return scan_parts(layout.table_glob(table, staged), table)


def current_snapshot(layout: Layout) -> Path | None:
    """The published snapshot folder, or None before the first publish."""
    link = layout.curated
    if not link.exists() and not link.is_symlink():
        return None
    if not link.is_symlink():
        raise PublishError(f"{link} exists but is not the symlink newsflow publishes through; move it away")
    return link.resolve()


def missing_tables(layout: Layout) -> list[str]:
    """The published tables the current snapshot has no folder for (none before the first publish).

    Every publish writes every table, empty ones too, so a table is missing only from a
    snapshot published by an older newsflow, before the table existed.
    """
    snapshot = current_snapshot(layout)
    if snapshot is None:
        return []
    return [table for table in PUBLISHED if not layout.table(table, snapshot).is_dir()]


def _table_of(relative: Path) -> str:
    parts = relative.parts
    return parts[1] if parts[0] == "_state" else parts[0]


def _link_tree(source: Path, destination: Path, *, skip: Collection[str]) -> None:
    for path in sorted(source.rglob("*.parquet")):
        if _table_of(path.relative_to(source)) in skip:
            continue
        target = destination / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target)


def publish(
    layout: Layout,
    staged: Path,
    snapshot_id: str,
    *,
    keep: int,
    keep_days: float = 0.0,
    replace: Collection[str] = (),
    compaction: Compaction | None = None,
    on_merge: Callable[[str, int], object] | None = None,
) -> Path:
    """Publish ``staged`` on top of the current snapshot, atomically. Returns the new snapshot.

    Tables in ``replace`` (a rebuild's) and the ``REPLACED`` tables staged are taken from ``staged`` alone;
    every other table keeps the current snapshot's files and gains the staged ones. With ``compaction``, the
    new snapshot's small parts are merged where there are many (``compaction.compact``; ``on_merge`` is told
    each table and how many parts).
    """
    previous = current_snapshot(layout)
    final = layout.snapshot(snapshot_id)
    building = final.with_name(f".building-{snapshot_id}")
    for leftover in (building, final):
        if leftover.exists():
            shutil.rmtree(leftover)
    building.mkdir(parents=True)
    if previous is not None:
        replaced = {table for table in REPLACED if (staged / table).is_dir()} | set(replace)
        _link_tree(previous, building, skip=replaced)
    for path in sorted(staged.rglob("*.parquet")):
        target = building / path.relative_to(staged)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)
    if compaction is not None:
        compact(layout, building, compaction, name=snapshot_id, report=on_merge)
    for folder in sorted({p.parent for p in building.rglob("*")} | {building}):
        fsync_dir(folder)
    building.replace(final)
    swap = layout.root / f".curated-{snapshot_id}"
    if swap.is_symlink():
        swap.unlink()
    swap.symlink_to(final.relative_to(layout.root))
    swap.replace(layout.curated)
    fsync_dir(layout.root)
    shutil.rmtree(staged, ignore_errors=True)
    collect_garbage(layout, keep=keep, keep_days=keep_days)
    return final


def recover(layout: Layout) -> list[str]:
    """Remove what crashed runs left behind; returns what was removed, relative to the output.

    Call only while holding the output lock: then no other run is writing, and every
    staging folder, half-built snapshot, swap link and partial blob is a leftover.
    Readers never see these (they are hidden names outside ``curated``), so this is
    tidying, not repair: the published snapshot is whole whatever was interrupted.
    """
    leftovers: list[Path] = []
    if layout.staging_root.is_dir():
        leftovers += sorted(layout.staging_root.iterdir())
    if layout.snapshots.is_dir():
        leftovers += sorted(layout.snapshots.glob(".building-*"))
    if layout.root.is_dir():
        leftovers += sorted(p for p in layout.root.glob(".curated-*") if p.is_symlink())
    if layout.quarantine.is_dir():
        leftovers += sorted(layout.quarantine.glob("*/*.partial"))
    if layout.reports.is_dir():
        leftovers += sorted(layout.reports.glob("*.partial"))
    for path in leftovers:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return [layout.relative(path) for path in leftovers]


def snapshot_folders(layout: Layout) -> list[Path]:
    """Every published snapshot folder, newest first (half-built ones, hidden, are not snapshots)."""
    if not layout.snapshots.is_dir():
        return []
    found = (p for p in layout.snapshots.iterdir() if p.is_dir() and not p.name.startswith("."))
    return sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)


def collect_garbage(layout: Layout, *, keep: int, keep_days: float = 0.0) -> None:
    """Remove snapshots beyond the newest ``keep`` that are also older than ``keep_days`` days (never the
    published one), and stale temporary folders."""
    if not layout.snapshots.is_dir():
        return
    published = current_snapshot(layout)
    for stale in layout.snapshots.glob(".building-*"):
        shutil.rmtree(stale, ignore_errors=True)
    cutoff = time.time() - keep_days * 86_400
    for old in snapshot_folders(layout)[keep:]:
        if old != published and old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)


def scan(layout: Layout, table: str) -> pl.LazyFrame:
    """The published ``table``, lazily; an empty frame of the right schema before the first publish."""
    snapshot = current_snapshot(layout)
    if snapshot is None or not any(layout.table(table, snapshot).rglob("*.parquet")):
        return empty(table).lazy()
    return scan_parts(layout.table_glob(table, snapshot), table)
