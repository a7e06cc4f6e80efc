"""Tasks of the transform stage: parse shards, a window's shards at most ``max_workers`` at a time."""

from __future__ import annotations

from collections import deque
from typing import Any

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsflow.config import Settings
from newsflow.extract.source import Source
from newsflow.pipeline import process_shard
from newsflow.records import ShardResult
from tasks.extract import read_shard
from tasks.report import Progress


@task(name="parse-shard", cache_policy=NO_CACHE)
def parse_shard(read: pl.DataFrame, settings: Settings, shard: int, shards: int) -> ShardResult:
    """Parse, normalize and remove repeated paragraphs for a shard."""
    result = process_shard(read, settings)
    get_run_logger().info(
        "shard %d/%d: %d file(s), %d article candidate(s), %d quarantined",
        shard + 1,
        shards,
        read.height,
        result.candidates.height,
        result.quarantined.height,
    )
    return result


def read_and_parse(
    shards: list[pl.DataFrame],
    source: Source,
    known: pl.DataFrame,
    settings: Settings,
    progress: Progress,
    *,
    first_shard: int,
    shard_count: int,
) -> list[ShardResult]:
    """Read and parse a window's shards, at most ``max_workers`` in flight (memory follows shards in flight);
    ``first_shard``: the run's number of the window's first shard (from 0), of ``shard_count``."""
    in_flight: deque[tuple[Any, int]] = deque()
    results = []
    for shard_number, shard in enumerate(shards, start=first_shard):
        if len(in_flight) == settings.max_workers:
            future, files = in_flight.popleft()
            results.append(future.result())
            progress.files_done(files)
        read = read_shard.submit(source, shard, known, settings)
        # Passing the future (not its result) lets Prefect draw the read -> parse edge.
        parsed = parse_shard.submit(read, settings, shard_number, shard_count)  # type: ignore[call-overload]
        in_flight.append((parsed, shard.height))
    for future, files in in_flight:
        results.append(future.result())
        progress.files_done(files)
    return results
