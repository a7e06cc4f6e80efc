"""Staging, atomic publishing and reading back the published tables.

A publish builds a complete new snapshot folder (hard links to the previous
snapshot's immutable part files plus the run's new ones), then swaps the
``curated`` symlink to it with one ``rename``: readers see the old snapshot or the
new one, never a mix, and a crash before the swap leaves the old one published.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import polars as pl

from newsflow import sources
from newsflow.hashing import sha256_stream
from newsflow.schemas import ALL_SCHEMAS, RUN_STAMP_COLUMNS, conform, empty
from newsflow.storage import REPLACED_TABLES, STATE_TABLES, TABLES, Layout


class PublishError(RuntimeError):
    """The output folder is not in a state newsflow can publish to."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_table(frame: pl.DataFrame, path: Path, table: str) -> None:
    """Write ``frame`` as ``table`` (explicit Arrow schema, zstd) via a temp file and rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    conform(frame, table).write_parquet(partial, compression="zstd", arrow_schema=ALL_SCHEMAS[table])
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    partial.replace(path)


def _sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return sha256_stream(handle.fileno())


def blob_sha256(layout: Layout, blob_path: str) -> str | None:
    """SHA-256 of a kept blob (``blob_path`` relative to the output), or None if it is missing."""
    path = layout.root / blob_path
    return _sha256_file(path) if path.is_file() else None


def store_quarantined(layout: Layout, source: Path, quarantined: pl.DataFrame) -> pl.DataFrame:
    """Keep the raw bytes of quarantined files: ``source_path``, ``blob_path``, ``kept_sha256``.

    Blobs are content-addressed, so storing is idempotent and a crafted name
    cannot steer the write. A blob already there is reused only if its bytes still
    hash to its name. Files too large to hold in memory are copied as a stream and
    hashed as copied: ``kept_sha256`` differs from ``source_sha256`` when such a
    file changed after it was read, and is the hash of the bytes actually kept; it
    and ``blob_path`` are null when the file could no longer be copied at all.
    """
    paths: list[str | None] = []
    kept: list[str | None] = []
    for relative, sha, raw in quarantined.select("source_path", "source_sha256", "raw").iter_rows():
        if sha is None:
            paths.append(None)  # never read (vanished, unreadable, ...): nothing to keep
            kept.append(None)
            continue
        blob = layout.quarantine_blob(sha)
        if not (blob.is_file() and _sha256_file(blob) == sha):
            blob.parent.mkdir(parents=True, exist_ok=True)
            partial = blob.with_name(blob.name + ".partial")
            if raw is not None:
                with partial.open("wb") as handle:
                    handle.write(raw)
                    handle.flush()
                    os.fsync(handle.fileno())
            else:
                try:
                    copied = sources.copy_source(source, relative, partial)
                except OSError:
                    partial.unlink(missing_ok=True)
                    paths.append(None)  # gone or locked since it was read: nothing left to keep
                    kept.append(None)
                    continue
                if copied != sha:
                    sha, blob = copied, layout.quarantine_blob(copied)
                    blob.parent.mkdir(parents=True, exist_ok=True)
            partial.replace(blob)
        paths.append(layout.relative(blob))
        kept.append(sha)
    return quarantined.select("source_path").with_columns(
        pl.Series("blob_path", paths, dtype=pl.String), pl.Series("kept_sha256", kept, dtype=pl.String)
    )


def stage(layout: Layout, run_id: str, day: date, tables: Mapping[str, pl.DataFrame], *, window: int = 0) -> Path:
    """Write the tables of one window of the run under its staging folder; returns the folder.

    Window 0 starts the folder afresh; later windows add their parts beside it, except
    for tables rewritten whole each run (``REPLACED_TABLES``), whose latest window wins.
    Empty tables are written too, so every table's glob matches at least one file
    and readers get the schema rather than a "no files found" error.
    """
    base = layout.staging(run_id)
    if window == 0 and base.exists():
        shutil.rmtree(base)  # a crashed attempt of the same run: start clean
    base.mkdir(parents=True, exist_ok=True)
    for table, frame in tables.items():
        if table in REPLACED_TABLES:
            shutil.rmtree(layout.table(table, base), ignore_errors=True)
        write_table(frame, layout.partition_file(base, table, day, run_id, window), table)
    return base


def scan_staged(layout: Layout, staged: Path, table: str) -> pl.LazyFrame:
    """What earlier windows of a run staged for ``table``, lazily."""
    return pl.scan_parquet(layout.table_glob(table, staged), hive_partitioning=False)


def current_snapshot(layout: Layout) -> Path | None:
    """The published snapshot folder, or None before the first publish."""
    link = layout.curated
    if not link.exists() and not link.is_symlink():
        return None
    if not link.is_symlink():
        raise PublishError(f"{link} exists but is not the symlink newsflow publishes through; move it away")
    return link.resolve()


def _link_tree(source: Path, destination: Path, *, skip: set[str]) -> None:
    for path in sorted(source.rglob("*.parquet")):
        if path.relative_to(source).parts[0] in skip:
            continue
        target = destination / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target)


def publish(layout: Layout, staged: Path, snapshot_id: str, *, keep: int) -> Path:
    """Publish ``staged`` on top of the current snapshot, atomically. Returns the new snapshot."""
    previous = current_snapshot(layout)
    final = layout.snapshot(snapshot_id)
    building = final.with_name(f".building-{snapshot_id}")
    for leftover in (building, final):
        if leftover.exists():
            shutil.rmtree(leftover)
    building.mkdir(parents=True)
    if previous is not None:
        replaced = {table for table in REPLACED_TABLES if (staged / table).is_dir()}
        _link_tree(previous, building, skip=replaced)
    for path in sorted(staged.rglob("*.parquet")):
        target = building / path.relative_to(staged)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)
    for folder in sorted({p.parent for p in building.rglob("*")} | {building}):
        _fsync_dir(folder)
    building.replace(final)
    swap = layout.root / f".curated-{snapshot_id}"
    if swap.is_symlink():
        swap.unlink()
    swap.symlink_to(final.relative_to(layout.root))
    swap.replace(layout.curated)
    _fsync_dir(layout.root)
    shutil.rmtree(staged, ignore_errors=True)
    collect_garbage(layout, keep=keep)
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


def collect_garbage(layout: Layout, *, keep: int) -> None:
    """Remove all but the newest ``keep`` snapshots (never the published one) and stale temp folders."""
    if not layout.snapshots.is_dir():
        return
    published = current_snapshot(layout)
    for stale in layout.snapshots.glob(".building-*"):
        shutil.rmtree(stale, ignore_errors=True)
    snapshots = sorted(
        (p for p in layout.snapshots.iterdir() if not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime_ns,
        reverse=True,
    )
    for old in snapshots[keep:]:
        if old != published:
            shutil.rmtree(old, ignore_errors=True)


def scan(layout: Layout, table: str) -> pl.LazyFrame:
    """The published ``table``, lazily; an empty frame of the right schema before the first publish."""
    snapshot = current_snapshot(layout)
    if snapshot is None or not any(layout.table(table, snapshot).rglob("*.parquet")):
        return empty(table).lazy()
    return pl.scan_parquet(layout.table_glob(table, snapshot), hive_partitioning=False)


def content_checksums(layout: Layout) -> dict[str, str]:
    """Per published table (state included), a checksum of its rows as a multiset, run stamps left out.

    Equal checksums mean the same rows whichever runs wrote them, in whatever parts
    and order: how the crash tests tell "as before the run" from "as after it". Row
    hashes are Polars', stable within one installed version, not across versions.
    """
    checksums: dict[str, str] = {}
    for table in (*TABLES, *STATE_TABLES):
        frame = scan(layout, table).collect()
        content = frame.drop([c for c in frame.columns if c in RUN_STAMP_COLUMNS])
        hashes = content.hash_rows(seed=0).sort().to_numpy().tobytes()
        checksums[table] = f"{frame.height}:{hashlib.sha256(hashes).hexdigest()[:16]}"
    return checksums
