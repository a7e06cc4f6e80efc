"""Tasks of the quality gate: built once per run, then a window's tables validated."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsflow.config import Settings
from newsflow.frames import is_in
from newsflow.load.quarantine import blob_sha256
from newsflow.load.storage import Layout
from newsflow.quality.gate import Outcome
from newsflow.quality.process import GateProcess
from newsflow.quality.suites import EXPECTATIONS_DIR
from newsflow.quality.views import suite_parameters, validation_views
from newsflow.records import History, RunTables
from newsflow.versions.retractions import retracted_ids
from tasks.load import Staged


@task(name="open-quality-gate", cache_policy=NO_CACHE)
def open_gate(layout: Layout, run_id: str, settings: Settings) -> GateProcess:
    """The run's quality gate: the stored suites in a Great Expectations context, Data Docs in the run's folder;
    built in the gate's own process, in the background (close it when the run is done)."""
    suites = Path(settings.expectations_dir) if settings.expectations_dir else EXPECTATIONS_DIR
    return GateProcess(docs_dir=layout.data_docs(run_id), suites_dir=suites)


def skipped_unchanged(run: RunTables) -> int:
    """The files of a window skipped as touched but unchanged in content (``validate_tables``' ``files_skipped``)."""
    return int(run.counters["read"].get("dropped_unchanged_content", 0))


@task(name="validate", cache_policy=NO_CACHE)
def validate_tables(
    layout: Layout,
    gate: GateProcess,
    staged: Staged,
    history: History,
    settings: Settings,
    *,
    window: int,
    files_seen: int,
    files_skipped: int = 0,
    current: pl.Series | None = None,
) -> Outcome:
    """The quality gate over one window (numbered from 1); ``files_seen``: the files the window read (files
    unchanged since ingested are in no window), ``files_skipped``: those of them skipped as touched but unchanged
    in content; ``current``: see ``validation_views``."""
    blobs = staged.tables["quarantine"].get_column("blob_path").drop_nulls().to_list()
    # The published rows the views use: members of the window's stories, and what its duplicates point at.
    articles, duplicates = staged.tables["articles"], staged.tables["duplicates"]
    in_stories = is_in("story_id", articles.get_column("story_id"))
    pointed_at = is_in("article_id", duplicates.get_column("duplicate_of"))
    same_file = is_in("source_path", articles.get_column("source_path"))
    published = (
        history["articles"]
        .filter(in_stories | pointed_at | same_file)
        .select("article_id", "story_id", "source_path")
        .collect(engine="streaming")
    )
    retractions = pl.concat([history["retractions"], staged.tables["retractions"].lazy()])
    retracted = retracted_ids(retractions).collect().get_column("article_id")
    # Hash the kept bytes again from disk: the gate checks what is stored, not what was meant to be.
    hashes = {blob: blob_sha256(layout, blob) for blob in blobs}
    views = validation_views(staged.tables, published, hashes, retracted=retracted, current=current)
    parameters = suite_parameters(
        staged.tables,
        files_seen=files_seen,
        files_skipped=files_skipped,
        settings=settings,
    )
    outcome = gate.validate(views, parameters, run_name=f"run {gate.docs_dir.name[:8]} window {window}")
    logger = get_run_logger()
    if outcome.success:
        logger.info("validation passed: %d expectation(s) over %d table(s)", outcome.evaluated, len(outcome.tables))
    for failure in outcome.failures:
        logger.error("expectation failed: %s", failure)
    return outcome
