"""Tasks of the extract stage: list the source, load the ledger, plan windows, read shards."""

from __future__ import annotations

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsflow.config import Settings
from newsflow.extract import ledger
from newsflow.extract.source import Source
from newsflow.load import publish
from newsflow.load.storage import Layout
from newsflow.records import History
from newsflow.tables.registry import HISTORY
from newsflow.windows import Shards, plan_windows
from tasks.retries import transient_io_error


@task(name="discover", cache_policy=NO_CACHE)
def discover_files(source: Source, settings: Settings) -> pl.DataFrame:
    listing = source.discover(settings.source_glob)
    get_run_logger().info(
        "discovered %s file(s) matching %r in %s", f"{listing.height:,}", settings.source_glob, source.uri
    )
    return listing


@task(name="load-ledger", cache_policy=NO_CACHE, retries=2, retry_condition_fn=transient_io_error)
def load_ledger(layout: Layout) -> tuple[pl.DataFrame, History]:
    """The published files ledger (with each version's ``status``), and lazy scans of the published history
    for dedup and stories."""
    files = publish.scan(layout, "files").select(*ledger.LEDGER_KEYS, "status").collect()
    return files, History({name: publish.scan(layout, name) for name in HISTORY})


@task(name="check-tables", cache_policy=NO_CACHE)
def missing_tables(layout: Layout) -> list[str]:
    """The tables a newer newsflow keeps that the published snapshot lacks (``publish.missing_tables``)."""
    missing = publish.missing_tables(layout)
    if missing:
        get_run_logger().warning(
            "the published tables predate %s (added by a newer newsflow): a run with new files rebuilds every "
            "table from the current versions, as `newsflow reprocess` does",
            ", ".join(missing),
        )
    return missing


@task(name="plan-reads", cache_policy=NO_CACHE)
def plan_reads(listing: pl.DataFrame, known: pl.DataFrame, settings: Settings) -> list[Shards]:
    """Windows of shards of files to read; files unchanged since ingested (path, size, mtime) are skipped unread."""
    fresh, unchanged = ledger.split_unchanged(listing, known)
    windows = plan_windows(fresh, shard_size=settings.shard_size, window_files=settings.window_files)
    get_run_logger().info(
        "%s file(s) unchanged since ingested; %s to read in %s shard(s), %s window(s)",
        *(f"{n:,}" for n in (unchanged.height, fresh.height, sum(len(window) for window in windows), len(windows))),
    )
    return windows


@task(name="read-shard", cache_policy=NO_CACHE, retries=2, retry_condition_fn=transient_io_error)
def read_shard(source: Source, listing: pl.DataFrame, known: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """Read and decode a shard; mark files whose content is already ingested (touched, not changed)."""
    read = ledger.mark_known_content(source.read(listing, max_bytes=settings.max_file_bytes), known)
    skipped = int(read.get_column("known_content").sum())
    if skipped:
        get_run_logger().info("%s file(s) touched but unchanged in content; skipped", f"{skipped:,}")
    return read
