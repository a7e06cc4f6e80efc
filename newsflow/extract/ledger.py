"""What has been ingested before: the published ``files`` ledger as pure frame logic."""

from __future__ import annotations

import polars as pl

LEDGER_KEYS = ("source_path", "source_sha256", "size", "mtime_ns")


def split_unchanged(listing: pl.DataFrame, ledger: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(to read, unchanged) by path, size and modification time."""
    known = ledger.select("source_path", "size", "mtime_ns").unique()
    unchanged = listing.join(known, on=["source_path", "size", "mtime_ns"], how="semi")
    fresh = listing.join(known, on=["source_path", "size", "mtime_ns"], how="anti")
    return fresh, unchanged


def mark_known_content(read: pl.DataFrame, ledger: pl.DataFrame) -> pl.DataFrame:
    """Adds ``known_content``: the file's (path, SHA-256) is already ingested (touched, not changed)."""
    known = ledger.select(pl.struct("source_path", "source_sha256").unique().implode())
    return read.with_columns(
        known_content=pl.struct("source_path", "source_sha256").is_in(known.item())
        & pl.col("source_sha256").is_not_null()
    )
