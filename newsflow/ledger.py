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


def drop_known_content(read: pl.DataFrame, ledger: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Files whose (path, SHA-256) is already ingested (touched, not changed) are dropped."""
    known = ledger.select("source_path", "source_sha256").unique()
    fresh = read.join(known, on=["source_path", "source_sha256"], how="anti", nulls_equal=False)
    return fresh, read.height - fresh.height
