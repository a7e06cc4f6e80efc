"""The ``ingest`` flow: wiring only; every step is a task in ``tasks/``."""

from __future__ import annotations

import contextvars
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import polars as pl
from prefect import flow
from prefect.runtime import flow_run

from flows.runners import dask_task_runner
from newsflow import quality
from newsflow.batch import ShardResult
from newsflow.config import Settings, load_settings
from newsflow.quality import QualityGateError
from newsflow.run import RunSummary
from newsflow.storage import REPLACED_TABLES, Layout
from tasks.ingest import (
    Progress,
    deduplicate,
    discard_staging,
    discover_files,
    emit_failure_event,
    exclusive_output,
    include_staged,
    load_ledger,
    open_gate,
    parse_shard,
    plan_reads,
    publish_snapshot,
    read_shard,
    report,
    stage_tables,
    validate_tables,
)


def _parse(
    shards: list[pl.DataFrame], source: Path, known: pl.DataFrame, config: Settings, progress: Progress
) -> list[ShardResult]:
    """Read and parse a window's shards, at most ``max_workers`` in flight (memory follows shards in flight)."""
    in_flight: deque[Any] = deque()
    results = []
    for shard in shards:
        if len(in_flight) == config.max_workers:
            results.append(in_flight.popleft().result())
            progress.shard_done()
        read = read_shard.submit(source, shard, known, config)
        # Passing the future (not its result) lets Prefect draw the read -> parse edge.
        in_flight.append(parse_shard.submit(read, config, progress.done + len(in_flight), progress.shards))  # type: ignore[call-overload]
    for future in in_flight:
        results.append(future.result())
        progress.shard_done()
    return results


@contextmanager
def _parse_ahead(
    windows: list[list[pl.DataFrame]],
    source: Path,
    known: pl.DataFrame,
    config: Settings,
    progress: Progress,
    summary: RunSummary,
) -> Iterator[Iterator[list[ShardResult]]]:
    """Each window's parsed shards, in order. Reading starts on entry, and the next window is read and
    parsed in a thread while the caller deduplicates, stages and validates this one; on exit, the parse
    in flight is waited for.

    Parts of the global steps are single-threaded (SciPy, Great Expectations), and parsing
    fills the idle core: on 2 cores a 100,000-file run took 128 s instead of 147 s. At most
    two windows are held in memory.
    """

    def parse(shards: list[pl.DataFrame]) -> list[ShardResult]:
        with summary.timed("read_parse"):
            return _parse(shards, source, known, config, progress)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse-ahead") as ahead:

        def start(shards: list[pl.DataFrame]) -> Future[list[ShardResult]]:
            # A copy of the flow run's context, so the thread's tasks belong to this flow run.
            return ahead.submit(contextvars.copy_context().run, parse, shards)

        pending = [start(windows[0])] if windows else []

        def in_order() -> Iterator[list[ShardResult]]:
            for following in windows[1:]:
                results = pending.pop().result()
                pending.append(start(following))
                yield results
            yield from (future.result() for future in pending)

        yield in_order()


@flow(
    name="ingest",
    description="Raw news text to validated, deduplicated, published Parquet tables.",
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
    local cluster of that many processes) run the shard tasks on Dask, in a subflow.
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
    source_root, layout = Path(source), Layout(Path(output))
    summary = RunSummary(run_id=run_id, started_at=started_at, source=source, output=output, tables=str(layout.curated))

    with exclusive_output(layout, run_id, config):
        with summary.timed("discover"):
            listing = discover_files(source_root, layout, config)
            known, published = load_ledger(layout)
            windows = plan_reads(listing, known, config)
        progress = Progress(sum(len(window) for window in windows))
        history = published
        rows_added: dict[str, int] = {}
        outcomes: list[quality.Outcome] = []
        with _parse_ahead(windows, source_root, known, config, progress, summary) as parsed:
            # Once per run, not per window: importing Great Expectations alone takes ~7 s. Built while
            # the first window is parsed, though the import holds the GIL so that parse waits for it.
            gate = open_gate(layout, run_id, config) if windows else None
            for number, (shards, results) in enumerate(zip(windows, parsed, strict=True)):
                # One window at a time: memory follows the window, and each window is deduplicated
                # against the published tables plus the windows staged before it.
                if not any(result.candidates.height + result.quarantined.height for result in results):
                    continue
                with summary.timed("deduplicate"):
                    run = deduplicate(results, history, run_id, started_at, config)
                del results
                with summary.timed("stage"):
                    staged = stage_tables(layout, source_root, run, run_id, started_at, len(outcomes))
                with summary.timed("validate"):
                    assert gate is not None
                    checked = validate_tables(
                        layout,
                        gate,
                        staged,
                        run,
                        history,
                        config,
                        window=number + 1,
                        files_seen=sum(shard.height for shard in shards),
                    )
                summary.add_window(run)
                outcomes.append(checked)
                for table, frame in staged.tables.items():
                    # A replaced table (stories) is staged whole by every window: its last count stands.
                    rows_added[table] = frame.height + (0 if table in REPLACED_TABLES else rows_added.get(table, 0))
                progress.note(f"window {number + 1} of {len(windows)} validated")
                if not checked.success:
                    break
                history = include_staged(layout, published, staged)
                del run, staged  # before the next window is deduplicated
        outcome = quality.Outcome.combine(outcomes) if outcomes else None
        if outcome is not None:
            summary.set_validation(outcome)
        with summary.timed("publish"):
            if outcome is not None and outcome.success:
                snapshot_id = f"{started_at:%Y%m%dT%H%M%S}-{run_id}"
                publish_snapshot(layout, source_root)(layout, layout.staging(run_id), rows_added, snapshot_id, config)
                summary.published = True
            elif outcome is not None:
                discard_staging(layout, run_id)
        summary.files_seen = listing.height
        summary.files_unchanged = listing.height - summary.files_new
        summary.seconds = time.perf_counter() - clock
        report(layout, summary, outcome)
        progress.set(100.0, f"done: {summary.outcome.replace('_', ' ')}")
    if outcome is not None and not outcome.success:
        raise QualityGateError(outcome.message())
    return summary.as_json()
