"""Prefect tasks: thin wrappers that give each pipeline step a name, retries and logs.

Every task handles a whole shard or the whole run, never one article: a task run
costs tens of milliseconds of orchestration. No task caches its inputs
(``NO_CACHE``): hashing large frames for a cache key would cost more than the work.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import polars as pl
from prefect import Flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.assets import Asset, AssetProperties, add_asset_metadata
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import FlowRun, State
from prefect.events import emit_event
from prefect.events.worker import EventsWorker
from prefect.tasks import MaterializingTask

from newsflow import batch, ledger, publish, quality, schemas, sources
from newsflow.batch import History, RunTables, ShardResult
from newsflow.config import Settings
from newsflow.lock import output_lock
from newsflow.run import RunSummary
from newsflow.storage import TABLES, Layout, asset_key


def _transient_io_error(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only I/O errors; a bug or bad data fails the same way every time."""
    return isinstance(state.result(raise_on_failure=False), OSError)


@dataclass(frozen=True, slots=True)
class Staged:
    """A run's tables, written under ``path`` but not yet published."""

    path: Path
    tables: dict[str, pl.DataFrame]


@task(name="discover", cache_policy=NO_CACHE)
def discover_files(source: Path, layout: Layout, settings: Settings) -> pl.DataFrame:
    listing = sources.discover(source, settings.source_glob, exclude=layout.own_folders())
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
def plan_reads(listing: pl.DataFrame, known: pl.DataFrame, settings: Settings) -> list[list[pl.DataFrame]]:
    """Windows of shards of files to read; files unchanged since ingested (path, size, mtime) are skipped unread."""
    fresh, unchanged = ledger.split_unchanged(listing, known)
    windows = sources.plan_windows(fresh, shard_size=settings.shard_size, window_files=settings.window_files)
    get_run_logger().info(
        "%d file(s) unchanged since ingested; %d to read in %d shard(s), %d window(s)",
        unchanged.height,
        fresh.height,
        sum(len(window) for window in windows),
        len(windows),
    )
    return windows


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
def stage_tables(
    layout: Layout, source: Path, run: RunTables, run_id: str, started_at: datetime, window: int
) -> Staged:
    """Keep quarantined bytes, then write the window's tables to the run's staging folder."""
    kept = publish.store_quarantined(layout, source, run.quarantined_raw)
    tables = batch.record_kept_bytes(run.tables, kept)
    path = publish.stage(layout, run_id, started_at.date(), {**tables, **run.state}, window=window)
    return Staged(path, tables)


@task(name="include-staged", cache_policy=NO_CACHE)
def include_staged(layout: Layout, published: History, staged: Staged) -> History:
    """The history the next window deduplicates against: the published rows and every window staged so far."""
    return published.plus(
        History(**{f.name: publish.scan_staged(layout, staged.path, f.name) for f in fields(History)})
    )


@task(name="open-quality-gate", cache_policy=NO_CACHE)
def open_gate(layout: Layout, run_id: str, settings: Settings) -> quality.Gate:
    """The run's quality gate: the stored suites in a Great Expectations context, Data Docs in the run's folder."""
    suites = Path(settings.expectations_dir) if settings.expectations_dir else quality.EXPECTATIONS_DIR
    return quality.Gate(docs_dir=layout.data_docs(run_id), suites_dir=suites)


@task(name="validate", cache_policy=NO_CACHE)
def validate_tables(
    layout: Layout,
    gate: quality.Gate,
    staged: Staged,
    run: RunTables,
    history: History,
    settings: Settings,
    *,
    window: int,
    files_seen: int,
) -> quality.Outcome:
    """The quality gate over one window (numbered from 1); ``files_seen``: the files the window read (files
    unchanged since ingested are in no window)."""
    blobs = staged.tables["quarantine"].get_column("blob_path").drop_nulls().to_list()
    # The published rows the views use: members of the window's stories, and what its duplicates point at.
    articles, duplicates = staged.tables["articles"], staged.tables["duplicates"]
    in_stories = pl.col("story_id").is_in(articles.get_column("story_id").unique().implode())
    pointed_at = pl.col("article_id").is_in(duplicates.get_column("duplicate_of").unique().implode())
    published = (
        history.articles.filter(in_stories | pointed_at).select("article_id", "story_id").collect(engine="streaming")
    )
    # Hash the kept bytes again from disk: the gate checks what is stored, not what was meant to be.
    hashes = {blob: publish.blob_sha256(layout, blob) for blob in blobs}
    views = quality.validation_views(staged.tables, published, hashes)
    parameters = quality.suite_parameters(
        staged.tables,
        files_seen=files_seen,
        files_skipped=run.counters["read"].get("dropped_unchanged_content", 0),
        settings=settings,
    )
    outcome = gate.validate(views, parameters, run_name=f"window-{window}")
    logger = get_run_logger()
    if outcome.success:
        logger.info("validation passed: %d expectation(s) over %d table(s)", outcome.evaluated, len(outcome.tables))
    for failure in outcome.failures:
        logger.error("expectation failed: %s", failure)
    return outcome


def _publish_snapshot(
    layout: Layout, staged: Path, rows_added: dict[str, int], snapshot_id: str, settings: Settings
) -> Path:
    snapshot = publish.publish(layout, staged, snapshot_id, keep=settings.keep_snapshots)
    for table in TABLES:
        add_asset_metadata(layout.asset_key(table), {"rows_added": rows_added.get(table, 0), "snapshot": snapshot_id})
    get_run_logger().info("published snapshot %s", snapshot.name)
    return snapshot


def publish_snapshot(
    layout: Layout, source: Path
) -> MaterializingTask[[Layout, Path, dict[str, int], str, Settings], Path]:
    """The ``publish`` task, declared to materialize every curated table from the landing folder.

    Assets are declared per call because their keys are the output's and source's
    absolute paths; Prefect then emits a materialization event per table, with the
    landing folder upstream, whenever publishing succeeds.
    """
    tables = [
        Asset(
            key=layout.asset_key(table),
            properties=AssetProperties(name=f"newsflow {table}", description=schemas.description(table)),
        )
        for table in TABLES
    ]
    landing = Asset(key=asset_key(source), properties=AssetProperties(name="newsflow landing folder"))
    return MaterializingTask(
        _publish_snapshot,
        assets=tables,
        asset_deps=[landing],
        name="publish",
        cache_policy=NO_CACHE,
        retries=2,
        retry_condition_fn=_transient_io_error,
    )


class Progress:
    """The run's progress artifact (``ingest-progress``), from 0 to 100 as shards and steps finish."""

    def __init__(self, shards: int) -> None:
        self.shards, self.done = shards, 0
        created = create_progress_artifact(0.0, key="ingest-progress", description=f"0 of {shards} shard(s) parsed")
        assert isinstance(created, UUID)  # the sync variant, called outside an event loop
        self.id = created

    def shard_done(self) -> None:
        # Reading and parsing is most of a run's time: shards fill the bar up to 80 %.
        self.done += 1
        self.set(80.0 * self.done / max(self.shards, 1), f"{self.done} of {self.shards} shard(s) parsed")

    def note(self, note: str) -> None:
        self.set(80.0 * self.done / max(self.shards, 1), note)

    def set(self, percent: float, note: str) -> None:
        update_progress_artifact(self.id, percent, description=note)


@task(name="discard-staging", cache_policy=NO_CACHE)
def discard_staging(layout: Layout, run_id: str) -> None:
    shutil.rmtree(layout.staging(run_id), ignore_errors=True)


@task(name="report", cache_policy=NO_CACHE)
def report(layout: Layout, summary: RunSummary, outcome: quality.Outcome | None) -> None:
    """Write ``reports/<run_id>.json`` and the Prefect summary and validation artifacts."""
    path = layout.report(summary.run_id)
    summary.report = str(path)
    summary.write(path)
    publish.write_table(summary.runs_frame(), layout.run_log(summary.run_id, summary.started_at.date()), "runs")
    logger = get_run_logger()
    if summary.outcome == "nothing_new":
        logger.info("nothing new: %d file(s) already ingested; nothing to publish", summary.files_seen)
    by_step: dict[str, list[str]] = {}
    for step, metric, value in summary.step_metrics():
        by_step.setdefault(step, []).append(f"{metric}={value:.2f}" if metric == "seconds" else f"{metric}={value:.0f}")
    for step, metrics in by_step.items():
        logger.info("%s: %s", step, " ".join(metrics))
    create_table_artifact(key="ingest-summary", table=summary.rows(), description=f"newsflow run {summary.run_id}")
    create_markdown_artifact(
        key="ingest-validation",
        markdown=quality.markdown_report(outcome, data_docs=summary.data_docs),
        description="Great Expectations validation of the run's tables",
    )


EVENT_FLUSH_SECONDS = 10.0


def emit_failure_event(flow: Flow[..., Any], flow_run: FlowRun, state: State) -> None:
    """Flow hook (failed or crashed): emit an event an automation can act on.

    Events: ``newsflow.ingest.gate-failed`` (the quality gate failed; nothing was
    published), ``newsflow.ingest.failed`` (another error), ``newsflow.ingest.crashed``
    (the process was interrupted). The resource is the output folder, so an
    automation can watch one output; the flow run is related.
    """
    error = state.result(raise_on_failure=False)
    if state.is_crashed():
        kind = "crashed"
    else:
        kind = "gate-failed" if isinstance(error, quality.QualityGateError) else "failed"
    output = Path(str(flow_run.parameters.get("output", "data")))
    emit_event(
        event=f"newsflow.ingest.{kind}",
        resource={"prefect.resource.id": f"newsflow.output.{asset_key(output)}", "prefect.resource.name": str(output)},
        related=[{"prefect.resource.id": f"prefect.flow-run.{flow_run.id}", "prefect.resource.role": "flow-run"}],
        payload={"flow_run": str(flow_run.id), "state": state.name, "message": str(error)[:2000]},
    )
    # Events are sent in the background, and an interrupted process exits right after its hooks:
    # wait for the send (never for long: a hook must not hang a dying run on an unreachable server).
    flush = threading.Thread(target=EventsWorker.instance().wait_until_empty, daemon=True)
    flush.start()
    flush.join(timeout=EVENT_FLUSH_SECONDS)
