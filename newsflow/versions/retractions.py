"""Retractions: which articles are withdrawn, and the step that keeps their text from being curated again."""

from __future__ import annotations

from enum import StrEnum

import polars as pl

from newsflow.frames import is_in
from newsflow.reasons import Status
from newsflow.records import Window, WindowContext
from newsflow.steps import StepResult


class Action(StrEnum):
    RETRACT = "retract"
    RESTORE = "restore"


class TargetError(LookupError):
    """A retraction's target names no article newsflow knows, or one already in the asked state."""


def retracted_ids(retractions: pl.LazyFrame) -> pl.LazyFrame:
    """``article_id`` of every article whose latest action is a retraction (the log is append-only)."""
    latest = retractions.sort("ingested_at").group_by("article_id").agg(pl.col("action").last())
    return latest.filter(pl.col("action") == Action.RETRACT.value).select("article_id")


def resolve_target(target: str, versions: pl.DataFrame) -> pl.DataFrame:
    """The version(s) ``target`` names: an ``article_id``, else a ``source_path``; ``versions`` holds
    ``article_id``, ``source_path``, ``source_sha256`` (current and held). Raises ``TargetError``."""
    by_id = versions.filter(pl.col("article_id") == target)
    if by_id.height:
        return by_id.head(1)
    by_path = versions.filter(pl.col("source_path") == target)
    if by_path.height:
        return by_path.head(1)
    raise TargetError(f"{target!r} is neither the article_id nor the source_path of an article in the tables")


class SkipRetracted:
    """Withholds candidates whose ``article_id`` is retracted (the same text arriving again, under any path):
    counted as ``dropped_retracted``, kept in ``held_articles`` so that a restore can bring them back."""

    name = "retracted"
    stage = "dedup"
    reasons = (Status.RETRACTED.value,)

    def run(self, window: Window, context: WindowContext) -> StepResult[Window]:
        candidates = window.articles
        retracted = (
            retracted_ids(context.history["retractions"].filter(is_in("article_id", candidates["article_id"])))
            .collect()
            .get_column("article_id")
        )
        withheld = candidates.filter(is_in("article_id", retracted))
        if withheld.is_empty():
            return StepResult(window)
        kept = candidates.filter(~is_in("article_id", retracted))
        return StepResult(
            window.but(
                articles=kept,
                paragraphs=window.paragraphs.join(kept.select("source_path"), on="source_path", how="semi"),
                withheld=withheld,
            ),
            dropped=pl.repeat(Status.RETRACTED.value, withheld.height, dtype=pl.String, eager=True),
        )
