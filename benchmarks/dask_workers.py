"""The global steps (a window's ``assemble_run``) in process and on local Dask clusters of 1 and 2 workers.

    uv run python benchmarks/dask_workers.py [--articles 20000] [--rounds 3] [--corpus ../shared/corpora/bbc]

The window is the synthetic corpus of ``dedup_speed.py``, parsed once (not timed). Each
round times, side by side, ``assemble_run`` with the in-process pool and with a
``DaskPool`` on a ``distributed.LocalCluster`` of 1 and of 2 single-threaded worker
processes (started before the clock, as a run's cluster is), and checks that every
table equals the in-process one. It prints each round, the medians, the ratio to
in-process, and how many pieces were shipped.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from dedup_speed import synthetic
from distributed import LocalCluster

from newsflow.config import Settings
from newsflow.extract.source import read_memory
from newsflow.parallel import IN_PROCESS, Pool, dask_pool
from newsflow.pipeline import assemble_run, process_shard
from newsflow.records import History, RunTables, ShardResult


def _window(shards: list[ShardResult], pool: Pool) -> tuple[float, RunTables]:
    clock = time.perf_counter()
    run = assemble_run(
        shards,
        History.empty(),
        run_id="bench",
        ingested_at=datetime(2025, 1, 1, tzinfo=UTC),
        settings=Settings(),
        pool=pool,
    )
    return time.perf_counter() - clock, run


def _same(left: RunTables, right: RunTables) -> bool:
    """Every table and state table holds the same rows (as multisets: pieces may come back in another order)."""

    def rows(run: RunTables) -> dict[str, int]:
        groups = {"tables": run.tables, "state": run.state}
        return {
            f"{group}/{name}": int(frame.hash_rows().sum())
            for group, frames in groups.items()
            for name, frame in frames.items()
        }

    return rows(left) == rows(right)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpora/bbc")
    args = parser.parse_args()
    texts = synthetic(args.corpus, args.articles)
    shards = [
        process_shard(
            read_memory(
                {f"synthetic/{offset + i:07d}.txt": t.encode() for i, t in enumerate(texts[offset : offset + 5_000])}
            ),
            Settings(),
        )
        for offset in range(0, len(texts), 5_000)
    ]
    clusters = {
        workers: LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)  # type: ignore[no-untyped-call]
        for workers in (1, 2)
    }
    seconds: dict[str, list[float]] = {"in process": [], "dask 1 worker": [], "dask 2 workers": []}
    try:
        for round_number in range(1, args.rounds + 1):
            reference_s, reference = _window(shards, IN_PROCESS)
            seconds["in process"].append(reference_s)
            line = [f"round {round_number}: in process {reference_s:.1f} s"]
            for workers, cluster in clusters.items():
                with dask_pool(cluster.scheduler_address) as pool:
                    took, run = _window(shards, pool)
                label = f"dask {workers} worker{'s' if workers > 1 else ''}"
                seconds[label].append(took)
                line.append(f"{label} {took:.1f} s ({pool.tasks} pieces, same tables: {_same(reference, run)})")
            print("; ".join(line), flush=True)
    finally:
        for cluster in clusters.values():
            cluster.close()
    base = statistics.median(seconds["in process"])
    print(f"{args.articles:,} synthetic articles, one window, median of {args.rounds}:")
    for label, values in seconds.items():
        median = statistics.median(values)
        print(f"  {label:15} {median:6.1f} s  {args.articles / median:8,.0f} articles/s  x{base / median:.2f}")


if __name__ == "__main__":
    main()
