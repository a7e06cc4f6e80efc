"""Tasks of the load stage: hold the output, stage a window's tables, publish the run's snapshot."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
from prefect import get_run_logger, task
from prefect.assets import Asset, AssetProperties, add_asset_metadata
from prefect.cache_policies import NO_CACHE
from prefect.tasks import MaterializingTask

from newsflow.config import Settings
from newsflow.extract.source import Source
from newsflow.load import publish
from newsflow.load.compaction import Compaction
from newsflow.load.lock import output_lock
from newsflow.load.quarantine import record_kept_bytes, store_quarantined
from newsflow.load.storage import Layout
from newsflow.records import History, RunTables
from newsflow.tables.registry import CURATED, HISTORY, TABLES
from tasks.retries import transient_io_error


@dataclass(frozen=True, slots=True)
class Staged:
    """A run's tables, written under ``path`` but not yet published."""

    path: Path
    tables: dict[str, pl.DataFrame]


@contextmanager
def exclusive_output(layout: Layout, run_id: str, settings: Settings) -> Iterator[None]:
    """Hold the output's lock for the run (see ``newsflow.load.lock``); then tidy what crashed runs left."""
    logger = get_run_logger()
    with output_lock(layout.lock, run_id, wait_seconds=settings.lock_wait_seconds, on_wait=logger.warning):
        removed = publish.recover(layout)
        if removed:
            logger.info("removed %d leftover(s) of interrupted runs: %s", len(removed), ", ".join(removed))
        yield


@task(name="stage", cache_policy=NO_CACHE, retries=2, retry_condition_fn=transient_io_error)
def stage_tables(
    layout: Layout, source: Source, run: RunTables, run_id: str, started_at: datetime, window: int
) -> Staged:
    """Keep quarantined bytes, then write the window's tables to the run's staging folder."""
    kept = store_quarantined(layout, source, run.quarantined_raw)
    tables = record_kept_bytes(run.tables, kept)
    path = publish.stage(layout, run_id, started_at.date(), {**tables, **run.state}, window=window)
    return Staged(path, tables)


@task(name="include-staged", cache_policy=NO_CACHE)
def include_staged(layout: Layout, published: History, staged: Staged) -> History:
    """The history the next window deduplicates against: the published rows and every window staged so far."""
    return published.plus(History({name: publish.scan_staged(layout, staged.path, name) for name in HISTORY}))


def _publish_snapshot(
    layout: Layout,
    staged: Path,
    rows_added: dict[str, int],
    snapshot_id: str,
    settings: Settings,
    replace: tuple[str, ...] = (),
) -> Path:
    snapshot = publish.publish(
        layout,
        staged,
        snapshot_id,
        keep=settings.keep_snapshots,
        keep_days=settings.keep_days,
        replace=replace,
        compaction=compaction(settings),
        on_merge=merged_parts,
    )
    for table in CURATED:
        add_asset_metadata(layout.asset_key(table), {"rows_added": rows_added.get(table, 0), "snapshot": snapshot_id})
    get_run_logger().info("published snapshot %s", snapshot.name)
    return snapshot


def compaction(settings: Settings) -> Compaction:
    return Compaction(max_parts=settings.compact_parts, part_bytes=settings.compact_part_bytes)


def merged_parts(table: str, parts: int) -> None:
    get_run_logger().info("merged %d small parts of %s into one", parts, table)


def publish_snapshot(
    layout: Layout, source: Source
) -> MaterializingTask[[Layout, Path, dict[str, int], str, Settings, tuple[str, ...]], Path]:
    """The ``publish`` task, declared to materialize every curated table from the landing folder.

    Assets are declared per call because their keys are the output's and source's
    absolute paths; Prefect then emits a materialization event per table, with the
    landing folder upstream, whenever publishing succeeds.
    """
    tables = [
        Asset(
            key=layout.asset_key(table),
            properties=AssetProperties(name=f"newsflow {table}", description=TABLES[table].description),
        )
        for table in CURATED
    ]
    landing = Asset(key=source.uri, properties=AssetProperties(name="newsflow landing folder"))
    return MaterializingTask(
        _publish_snapshot,
        assets=tables,
        asset_deps=[landing],
        name="publish",
        cache_policy=NO_CACHE,
        retries=2,
        retry_condition_fn=transient_io_error,
    )


@task(name="discard-staging", cache_policy=NO_CACHE)
def discard_staging(layout: Layout, run_id: str) -> None:
    shutil.rmtree(layout.staging(run_id), ignore_errors=True)
