"""Tasks of the global steps: a window deduplicated and given stories against the published history."""

from __future__ import annotations

from datetime import datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsflow.config import Settings
from newsflow.parallel import IN_PROCESS, Pool, dask_pool
from newsflow.pipeline import assemble_run
from newsflow.records import History, RunTables, ShardResult


@task(name="deduplicate", cache_policy=NO_CACHE)
def deduplicate(
    shards: list[ShardResult],
    history: History,
    run_id: str,
    started_at: datetime,
    settings: Settings,
    dask_address: str | None = None,
) -> RunTables:
    """``assemble_run`` over a window; with ``dask_address`` its steps' pieces (LSH band groups, pair products,
    and for candidates that come without their shards' evidence signature chunks and article evidence) run on
    that Dask cluster's workers."""
    logger = get_run_logger()
    if dask_address is None:
        run = _assemble(shards, history, run_id, started_at, settings, IN_PROCESS)
    else:
        with dask_pool(dask_address) as pool:
            run = _assemble(shards, history, run_id, started_at, settings, pool)
            logger.info("global steps: %s piece(s) on %s Dask worker thread(s)", pool.tasks, pool.workers)
    dedup = run.counters["dedup"]
    logger.info(
        "deduplicate: %s article(s), %s kept, %s exact and %s near duplicate(s); %s story(ies) in the tables",
        *(
            f"{n:,}"
            for n in (dedup["total"], dedup["kept"], dedup.get("dropped_exact", 0), dedup.get("dropped_near", 0))
        ),
        f"{run.tables['stories'].height:,}",
    )
    return run


def _assemble(
    shards: list[ShardResult], history: History, run_id: str, started_at: datetime, settings: Settings, pool: Pool
) -> RunTables:
    return assemble_run(shards, history, run_id=run_id, ingested_at=started_at, settings=settings, pool=pool)
