"""Prefect tasks: thin wrappers that give each pipeline step a name, retries and logs.

Every task handles a whole shard or the whole run, never one article: a task run
costs tens of milliseconds of orchestration. No task caches its inputs
(``NO_CACHE``): hashing large frames for a cache key would cost more than the work.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from newsflow import batch, ledger, publish, quality, sources
from newsflow.batch import History, RunTables, ShardResult
from newsflow.config import Settings
from newsflow.lock import output_lock
from newsflow.run import RunSummary
from newsflow.storage import Layout


def _transient_io_error(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only I/O errors; a bug or bad data fails the same way every time."""
    return isinstance(state.result(raise_on_failure=False), OSError)


@dataclass(frozen=True, slots=True)
class Staged:
    """A run's tables, written under ``path`` but not yet published."""

    path: Path
    tables: dict[str, pl.DataFrame]


@task(name="discover", cache_policy=NO_CACHE)
def discover_files(source: Path, output: Path, settings: Settings) -> pl.DataFrame:
    listing = sources.discover(source, settings.source_glob, exclude=output)
    get_run_logger().info("discovered %d file(s) matching %r under %s", listing.height, settings.source_glob, source)
    return listing


@contextmanager
def exclusive_output(layout: Layout, run_id: str, settings: Settings) -> Iterator[None]:
    """Hold the output's lock for the run (see ``newsflow.lock``); then tidy what crashed runs left."""
    logger = get_run_logger()
    with output_lock(layout.lock, run_id, wait_seconds=settings.lock_wait_seconds, on_wait=logger.warning):
        removed = publish.recover(layout)
        if removed:
            logger.info("removed %d leftover(s) of interrupted runs: %s", len(removed), ", ".join(removed))
        yield


@task(name="load-ledger", cache_policy=NO_CACHE, retries=2, retry_condition_fn=_transient_io_error)
def load_ledger(layout: Layout) -> tuple[pl.DataFrame, History]:
    """The published files ledger, and lazy scans of the published history for dedup and stories."""
    files = publish.scan(layout, "files").select(*ledger.LEDGER_KEYS).collect()
    history = History(**{f.name: publish.scan(layout, f.name) for f in fields(History)})
    return files, history


@task(name="plan-reads", cache_policy=NO_CACHE)
def plan_reads(listing: pl.DataFrame, known: pl.DataFrame, settings: Settings) -> list[pl.DataFrame]:
    """Shards of files to read; files unchanged since ingested (path, size, mtime) are skipped unread."""
    fresh, unchanged = ledger.split_unchanged(listing, known)
    shards = [fresh.slice(offset, settings.shard_size) for offset in range(0, fresh.height, settings.shard_size)]
    get_run_logger().info(
        "%d file(s) unchanged since ingested; %d to read in %d shard(s)", unchanged.height, fresh.height, len(shards)
    )
    return shards


@task(name="read-shard", cache_policy=NO_CACHE, retries=2, retry_condition_fn=_transient_io_error)
def read_shard(source: Path, listing: pl.DataFrame, known: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """Read and decode a shard; mark files whose content is already ingested (touched, not changed)."""
    read = ledger.mark_known_content(sources.read_files(source, listing, max_bytes=settings.max_file_bytes), known)
    skipped = int(read.get_column("known_content").sum())
    if skipped:
        get_run_logger().info("%d file(s) touched but unchanged in content; skipped", skipped)
    return read


@task(name="parse-shard", cache_policy=NO_CACHE)
def parse_shard(read: pl.DataFrame, settings: Settings, shard: int, shards: int) -> ShardResult:
    """Parse, normalize and remove repeated paragraphs for a shard."""
    result = batch.process_shard(read, settings)
    get_run_logger().info(
        "shard %d/%d: %d file(s), %d article candidate(s), %d quarantined",
        shard + 1,
        shards,
        read.height,
        result.candidates.height,
        result.quarantined.height,
    )
    return result


@task(name="deduplicate", cache_policy=NO_CACHE)
def deduplicate(
    shards: list[ShardResult], history: History, run_id: str, started_at: datetime, settings: Settings
) -> RunTables:
    run = batch.assemble_run(shards, history, run_id=run_id, ingested_at=started_at, settings=settings)
    get_run_logger().info(
        "deduplicate: %s; %d story(ies) in total", run.counters["dedup"], run.tables["stories"].height
    )
    return run


@task(name="stage", cache_policy=NO_CACHE, retries=2, retry_condition_fn=_transient_io_error)
def stage_tables(layout: Layout, source: Path, run: RunTables, run_id: str, started_at: datetime) -> Staged:
    """Keep quarantined bytes, then write the run's tables to its staging folder."""
    kept = publish.store_quarantined(layout, source, run.quarantined_raw)
    tables = batch.record_kept_bytes(run.tables, kept)
    return Staged(publish.stage(layout, run_id, started_at.date(), {**tables, **run.state}), tables)


@task(name="validate", cache_policy=NO_CACHE)
def validate_tables(
    layout: Layout,
    staged: Staged,
    run: RunTables,
    history: History,
    settings: Settings,
    run_id: str,
    *,
    files_seen: int,
    files_unchanged: int,
) -> quality.Outcome:
    """The quality gate; ``files_unchanged``: files skipped unread because size and time match the ledger."""
    blobs = staged.tables["quarantine"].get_column("blob_path").drop_nulls().to_list()
    published = history.articles.select("article_id", "story_id").collect()
    # Hash the kept bytes again from disk: the gate checks what is stored, not what was meant to be.
    hashes = {blob: publish.blob_sha256(layout, blob) for blob in blobs}
    views = quality.validation_views(staged.tables, published, hashes)
    parameters = quality.suite_parameters(
        staged.tables,
        files_seen=files_seen,
        files_skipped=files_unchanged + run.counters["read"].get("dropped_unchanged_content", 0),
        settings=settings,
    )
    suites = Path(settings.expectations_dir) if settings.expectations_dir else quality.EXPECTATIONS_DIR
    outcome = quality.validate_run(views, parameters, docs_dir=layout.data_docs(run_id), suites_dir=suites)
    logger = get_run_logger()
    if outcome.success:
        logger.info("validation passed: %d expectation(s) over %d table(s)", outcome.evaluated, len(outcome.tables))
    for failure in outcome.failures:
        logger.error("expectation failed: %s", failure)
    return outcome


@task(name="publish", cache_policy=NO_CACHE, retries=2, retry_condition_fn=_transient_io_error)
def publish_snapshot(layout: Layout, staged: Staged, snapshot_id: str, settings: Settings) -> Path:
    snapshot = publish.publish(layout, staged.path, snapshot_id, keep=settings.keep_snapshots)
    get_run_logger().info("published snapshot %s", snapshot.name)
    return snapshot


@task(name="discard-staging", cache_policy=NO_CACHE)
def discard_staging(staged: Staged) -> None:
    shutil.rmtree(staged.path, ignore_errors=True)


@task(name="report", cache_policy=NO_CACHE)
def report(layout: Layout, summary: RunSummary, outcome: quality.Outcome | None) -> None:
    """Write ``reports/<run_id>.json`` and the Prefect summary and validation artifacts."""
    path = layout.report(summary.run_id)
    summary.report = str(path)
    summary.write(path)
    create_table_artifact(key="ingest-summary", table=summary.rows(), description=f"newsflow run {summary.run_id}")
    create_markdown_artifact(
        key="ingest-validation",
        markdown=quality.markdown_report(outcome, data_docs=summary.data_docs),
        description="Great Expectations validation of the run's tables",
    )
