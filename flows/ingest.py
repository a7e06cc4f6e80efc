"""The ``ingest`` flow: the DAG, wired top to bottom. Every step is a task in ``tasks/`` (one module per
stage); the pure steps they run are listed in ``newsflow/pipeline.py``."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import polars as pl
from prefect import flow
from prefect.runtime import flow_run
from prefect.states import Completed

from flows.runners import dask_task_runner, scheduler_address
from newsflow.config import load_settings
from newsflow.extract import ledger
from newsflow.extract.source import open_source
from newsflow.load.storage import Layout
from newsflow.quality.gate import Outcome, QualityGateError
from newsflow.summary import RunSummary
from newsflow.windows import parsed_ahead
from tasks.dedup import deduplicate
from tasks.extract import discover_files, load_ledger, missing_tables, plan_reads
from tasks.load import discard_staging, exclusive_output, include_staged, publish_snapshot, stage_tables
from tasks.quality import open_gate, skipped_unchanged, validate_tables
from tasks.report import Progress, emit_failure_event, report
from tasks.transform import read_and_parse
from tasks.versions import REBUILT, incoming_folder, incoming_run, rebuild_tables, stage_incoming


def _timed(validate: Callable[..., Outcome], *args: Any, **kwargs: Any) -> tuple[Outcome, float]:
    """``validate``'s outcome and how long it took: it runs beside the flow, which cannot time it."""
    start = time.perf_counter()
    return validate(*args, **kwargs), time.perf_counter() - start


def _failed(checks: list[Future[tuple[Outcome, float]]]) -> bool:
    """A window's verdict is in and it failed the gate (the verdicts still to come are not waited for)."""
    return any(check.done() and check.exception() is None and not check.result()[0].success for check in checks)


def _run_name() -> str:
    """``<source folder> -> <output folder>``; once the files are planned, the count of new ones is added."""
    parameters = flow_run.parameters
    return f"{_folder_name(parameters.get('source', 'seeds'))} -> {_folder_name(parameters.get('output', 'data'))}"


def _folder_name(path: str) -> str:
    return Path(path).name or str(path)


def _rename(run_id: str, name: str) -> None:
    """Rename the flow run (shown in the UI's run lists); a failure to rename never fails the run."""
    from prefect.client.orchestration import get_client

    with suppress(Exception), get_client(sync_client=True) as client:
        client.update_flow_run(UUID(run_id), name=name)


@flow(
    name="ingest",
    description="Raw news text to validated, deduplicated, published Parquet tables.",
    flow_run_name=_run_name,
    on_failure=[emit_failure_event],
    on_crashed=[emit_failure_event],
)
def ingest(
    source: str = "seeds",
    output: str = "data",
    settings: dict[str, Any] | None = None,
    dask_address: str | None = None,
    dask_workers: int | None = None,
) -> dict[str, Any]:
    """Ingest every new file under ``source`` into the curated tables under ``output``.

    ``settings`` overrides ``newsflow.toml`` / ``[tool.newsflow]`` values by name.
    ``dask_address`` (``tcp://host:port`` of a Dask scheduler) or ``dask_workers`` (a
    local cluster of that many processes) run the shard tasks and the pieces of the global
    steps on Dask, in a subflow.
    Raises ``QualityGateError`` (and publishes nothing) when validation fails.
    """
    if dask_address or dask_workers:
        # The task runner is fixed when a flow run starts, so a run asked for Dask hands over
        # to a subflow that has it; as a parameter, the choice is also a deployment's.
        on_dask = ingest.with_options(task_runner=dask_task_runner(address=dask_address, workers=dask_workers))
        overrides = {"max_workers": dask_workers, **(settings or {})} if dask_workers else settings
        return on_dask(source=source, output=output, settings=overrides)
    clock = time.perf_counter()
    config = load_settings(**(settings or {}))
    run_id = str(flow_run.get_id() or uuid4())
    started_at = datetime.now(UTC)
    layout = Layout(Path(output))
    landing = open_source(source, exclude=layout.own_folders())
    summary = RunSummary(run_id=run_id, started_at=started_at, source=source, output=output, tables=str(layout.curated))

    with exclusive_output(layout, run_id, config):
        with summary.timed("discover"):
            listing = discover_files(landing, config)
            known, published = load_ledger(layout)
            windows = plan_reads(listing, known, config)
            fresh = pl.concat([shard for window in windows for shard in window]) if windows else listing.clear()
            # A file read again that has a current version may be a correction: the run then stages what it
            # reads and rebuilds the current tables from every file's latest version (``tasks.versions``).
            # So does a run on tables published before a table existed: dedup and stories need its rows.
            rebuilding = bool(missing_tables(layout)) or not ledger.new_versions(fresh, known).is_empty()
        new = sum(shard.height for window in windows for shard in window)
        if flow_run.get_id():
            _rename(run_id, f"{_run_name()}: {f'{new:,} new file(s)' if new else 'nothing new'}")
        progress = Progress(new)
        history = published
        outcomes: list[Outcome] = []
        checks: list[Future[tuple[Outcome, float]]] = []
        starts = [sum(len(window) for window in windows[:number]) for number in range(len(windows))]
        shard_count = sum(len(window) for window in windows)

        def read_parse(shards: list[Any]) -> Any:
            first = starts.pop(0)
            with summary.timed("read_parse"):
                return read_and_parse(
                    shards, landing, known, config, progress, first_shard=first, shard_count=shard_count
                )

        # Once per run, not per window: building it (importing Great Expectations) takes seconds. It starts
        # now, in the gate's own process, while the first window is parsed.
        with (
            open_gate(layout, run_id, config) if windows else nullcontext() as gate,
            parsed_ahead(windows, read_parse) as parsed,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="validate") as validating,
        ):
            for number, (shards, results) in enumerate(zip(windows, parsed, strict=True)):
                # One window at a time: memory follows the window, and each window is deduplicated
                # against the published tables plus the windows staged before it.
                if _failed(checks):
                    break  # nothing will be published: the windows left are not worth deduplicating
                if not any(result.candidates.height + result.quarantined.height for result in results):
                    continue
                if rebuilding:
                    with summary.timed("stage"):
                        stage_incoming(layout, landing, results, run_id, started_at, number)
                    continue
                where = f"window {number + 1} of {len(windows)}" if len(windows) > 1 else "window"
                progress.note(f"{where}: deduplicating and grouping stories")
                with summary.timed("deduplicate"):
                    run = deduplicate(results, history, run_id, started_at, config, scheduler_address())
                del results
                with summary.timed("stage"):
                    staged = stage_tables(layout, landing, run, run_id, started_at, len(checks))
                progress.note(f"{where}: validating in the background")
                assert gate is not None
                # Validated in the gate's process while the flow deduplicates the next window; every verdict
                # is waited for before anything is published.
                checks.append(
                    validating.submit(
                        # The caller's context, so the task belongs to this flow run (a task runner's submit
                        # would send it to Dask workers, away from the gate's process).
                        contextvars.copy_context().run,
                        _timed,
                        validate_tables,
                        layout,
                        gate,
                        staged,
                        history,
                        config,
                        window=number + 1,
                        files_seen=sum(shard.height for shard in shards),
                        files_skipped=skipped_unchanged(run),
                    )
                )
                summary.add_window(run)
                history = include_staged(layout, published, staged)
                del run, staged  # before the next window is deduplicated
            if checks:
                progress.note("validating: waiting for the verdicts")
            verdicts = [check.result() for check in checks]
            outcomes += [outcome for outcome, _ in verdicts]
            summary.add_validation_seconds([seconds for _, seconds in verdicts])
            if rebuilding and incoming_folder(layout, run_id).is_dir():
                progress.note("rebuilding the current tables with the new versions")
                with summary.timed("rebuild"):
                    assert gate is not None
                    rebuilt = rebuild_tables(
                        layout,
                        gate,
                        config,
                        run_id=run_id,
                        started_at=started_at,
                        incoming=incoming_folder(layout, run_id),
                    )
                outcomes.append(rebuilt.outcome)
                if rebuilt.outcome.success:
                    summary.add_window(incoming_run(rebuilt, layout, run_id))
                    summary.counters["versions"] = rebuilt.changes.as_json()
                discard_staging(layout, incoming_folder(layout, run_id).name)
        outcome = Outcome.combine(outcomes) if outcomes else None
        if outcome is not None:
            summary.set_validation(outcome)
        with summary.timed("publish"):
            if outcome is not None and outcome.success:
                progress.note("publishing")
                snapshot_id = f"{started_at:%Y%m%dT%H%M%S}-{run_id}"
                publish = publish_snapshot(layout, landing)
                publish(
                    layout,
                    layout.staging(run_id),
                    summary.rows_added,
                    snapshot_id,
                    config,
                    REBUILT if rebuilding else (),
                )
                summary.published = True
            elif outcome is not None:
                discard_staging(layout, run_id)
        summary.files_seen = listing.height
        summary.files_unchanged = listing.height - summary.files_new
        summary.seconds = time.perf_counter() - clock
        report(layout, summary, outcome, config)
        progress.set(100.0, f"done: {summary.outcome.replace('_', ' ')}")
    if outcome is not None and not outcome.success:
        raise QualityGateError(outcome.message())
    # The state's message is what the UI shows beside "Completed"; the caller gets the summary.
    return Completed(message=summary.headline(), data=summary.as_json())  # type: ignore[return-value]
