"""What has been ingested before: the published ``files`` ledger as pure frame logic."""

from __future__ import annotations

import polars as pl

from newsflow.reasons import Status

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


CURRENT = (Status.CURATED.value, Status.DUPLICATE.value, Status.RETRACTED.value)
"""Statuses of a version that is its file's current text (a quarantined one never is)."""


def new_versions(fresh: pl.DataFrame, ledger: pl.DataFrame) -> pl.DataFrame:
    """The ``source_path`` of files to read that already have a current version: read again, they may be
    corrections, which only a rebuild of the current tables can apply (``newsflow.versions``)."""
    current = ledger.filter(pl.col("status").is_in(CURRENT)).select("source_path").unique()
    return fresh.select("source_path").join(current, on="source_path", how="semi")
