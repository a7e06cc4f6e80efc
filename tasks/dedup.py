"""Tasks of the global steps: a window deduplicated and given stories against the published history."""

from __future__ import annotations

from datetime import datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsflow.config import Settings
from newsflow.pipeline import assemble_run
from newsflow.records import History, RunTables, ShardResult


@task(name="deduplicate", cache_policy=NO_CACHE)
def deduplicate(
    shards: list[ShardResult], history: History, run_id: str, started_at: datetime, settings: Settings
) -> RunTables:
    run = assemble_run(shards, history, run_id=run_id, ingested_at=started_at, settings=settings)
    dedup = run.counters["dedup"]
    get_run_logger().info(
        "deduplicate: %s article(s), %s kept, %s exact and %s near duplicate(s); %s story(ies) in the tables",
        *(
            f"{n:,}"
            for n in (dedup["total"], dedup["kept"], dedup.get("dropped_exact", 0), dedup.get("dropped_near", 0))
        ),
        f"{run.tables['stories'].height:,}",
    )
    return run
