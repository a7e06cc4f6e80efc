"""The published snapshots, listed: ``newsflow snapshots``."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from newsflow.load.publish import current_snapshot, snapshot_folders
from newsflow.load.storage import Layout
from newsflow.tables.registry import CURATED


def list_snapshots(layout: Layout) -> pl.DataFrame:
    """One row per snapshot on disk, newest first: ``snapshot_id``, ``published_at`` (UTC), ``run_id``,
    ``current``, ``path`` and the rows of each curated table (from the Parquet footers: nothing is scanned)."""
    current = current_snapshot(layout)
    rows = []
    for folder in snapshot_folders(layout):
        run_id = folder.name.partition("-")[2]  # ids are <started %Y%m%dT%H%M%S>-<run_id>
        counts = {}
        for table in CURATED:
            parts = list(layout.table(table, folder).rglob("*.parquet"))
            counts[table] = int(pl.scan_parquet(parts).select(pl.len()).collect().item()) if parts else 0
        rows.append(
            {
                "snapshot_id": folder.name,
                "published_at": datetime.fromtimestamp(folder.stat().st_mtime, UTC),
                "run_id": run_id,
                "current": folder == current,
                "path": str(folder),
                **counts,
            }
        )
    schema: dict[str, pl.DataType] = {
        "snapshot_id": pl.String(),
        "published_at": pl.Datetime("us", "UTC"),
        "run_id": pl.String(),
        "current": pl.Boolean(),
        "path": pl.String(),
    }
    schema |= {table: pl.Int64() for table in CURATED}
    return pl.DataFrame(rows, schema=schema)
