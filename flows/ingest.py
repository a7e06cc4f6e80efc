"""The ``ingest`` flow: wiring only; every step is a task in ``tasks/``."""

from __future__ import annotations

import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from prefect import flow
from prefect.runtime import flow_run

from flows.runners import dask_task_runner
from newsflow.config import load_settings
from newsflow.quality import QualityGateError
from newsflow.run import RunSummary
from newsflow.storage import Layout
from tasks.ingest import (
    Progress,
    deduplicate,
    discard_staging,
    discover_files,
    emit_failure_event,
    exclusive_output,
    load_ledger,
    parse_shard,
    plan_reads,
    publish_snapshot,
    read_shard,
    report,
    stage_tables,
    validate_tables,
)


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
            known, history = load_ledger(layout)
            shards = plan_reads(listing, known, config)
        progress = Progress(len(shards))
        with summary.timed("read_parse"):
            # At most max_workers shards in flight: memory stays bounded by shards, not by the batch.
            in_flight: deque[Any] = deque()
            results = []
            for i, shard in enumerate(shards):
                if len(in_flight) == config.max_workers:
                    results.append(in_flight.popleft().result())
                    progress.shard_done()
                read = read_shard.submit(source_root, shard, known, config)
                # Passing the future (not its result) lets Prefect draw the read -> parse edge.
                in_flight.append(parse_shard.submit(read, config, i, len(shards)))  # type: ignore[call-overload]
            for future in in_flight:
                results.append(future.result())
                progress.shard_done()

        outcome = None
        if any(result.candidates.height + result.quarantined.height for result in results):
            with summary.timed("deduplicate"):
                run = deduplicate(results, history, run_id, started_at, config)
            progress.set(85.0, "deduplicated")
            with summary.timed("stage"):
                staged = stage_tables(layout, source_root, run, run_id, started_at)
            unchanged = listing.height - sum(shard.height for shard in shards)
            with summary.timed("validate"):
                outcome = validate_tables(
                    layout, staged, run, history, config, run_id, files_seen=listing.height, files_unchanged=unchanged
                )
            summary.fill_from(run, outcome)
            progress.set(95.0, "validated")
            with summary.timed("publish"):
                if outcome.success:
                    snapshot_id = f"{started_at:%Y%m%dT%H%M%S}-{run_id}"
                    publish_snapshot(layout, source_root)(layout, staged, snapshot_id, config)
                    summary.published = True
                else:
                    discard_staging(staged)
        summary.files_seen = listing.height
        summary.files_unchanged = listing.height - summary.files_new
        summary.seconds = time.perf_counter() - clock
        report(layout, summary, outcome)
        progress.set(100.0, f"done: {summary.outcome.replace('_', ' ')}")
    if outcome is not None and not outcome.success:
        raise QualityGateError(outcome.message())
    return summary.as_json()
