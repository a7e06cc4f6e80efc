"""The shard steps before parsing: files the ledger already holds go no further, unreadable ones are
quarantined with the reason reading or decoding gave them."""

from __future__ import annotations

import polars as pl

from newsflow.config import Settings
from newsflow.reasons import Reason
from newsflow.records import Shard
from newsflow.steps import StepResult

UNCHANGED_CONTENT = "unchanged_content"
QUARANTINE_COLUMNS = ("source_path", "source_sha256", "size", "mtime_ns", "raw", "reason", "detail")
READ_REASONS: tuple[str, ...] = tuple(
    reason.value
    for reason in (
        Reason.UNREADABLE,
        Reason.OUTSIDE_SOURCE,
        Reason.NOT_A_FILE,
        Reason.VANISHED,
        Reason.CHANGING,
        Reason.TOO_LARGE,
        Reason.EMPTY,
        Reason.WHITESPACE_ONLY,
        Reason.BINARY,
    )
)
"""Every code reading (``extract.local``) and decoding (``extract.decode``) give."""


class SkipUnchangedContent:
    """Drops files marked ``known_content`` (``extract.ledger.mark_known_content``): touched since ingested,
    not changed. They are counted, not quarantined: the ledger already has them."""

    name = "skip_unchanged"
    stage = "read"
    reasons = (UNCHANGED_CONTENT,)

    def run(self, shard: Shard, settings: Settings) -> StepResult[Shard]:
        files = shard.files
        if "known_content" not in files.columns:
            return StepResult(shard)
        known = files.get_column("known_content")
        skipped = pl.Series("reason", [UNCHANGED_CONTENT] * int(known.sum()), dtype=pl.String)
        return StepResult(shard.but(files=files.filter(~known)), dropped=skipped)


class QuarantineUnreadable:
    """Quarantines the files that reading or decoding gave a reason (``raw`` kept for their bytes)."""

    name = "quarantine_unreadable"
    stage = "read"
    reasons = READ_REASONS

    def run(self, shard: Shard, settings: Settings) -> StepResult[Shard]:
        rejected = shard.files.filter(pl.col("reason").is_not_null())
        return StepResult(
            shard.but(
                files=shard.files.filter(pl.col("reason").is_null()),
                quarantined=pl.concat([shard.quarantined, rejected.select(QUARANTINE_COLUMNS)]),
            ),
            dropped=rejected.get_column("reason"),
        )
