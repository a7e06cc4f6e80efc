"""The frames the report draws, from the ``runs`` log and the published tables (pure: frames in, frames out)."""

from __future__ import annotations

import polars as pl

FLOW_STEPS = ("discover", "read_parse", "deduplicate", "rebuild", "stage", "validate", "publish")
"""The flow's steps, as timed per run (``RunSummary.step_seconds``), in order."""

NOT_QUARANTINE = ("dropped_unchanged_content",)
"""Read drops that are not quarantine: a file already ingested under another path."""


def runs_over_time(runs: pl.LazyFrame) -> pl.DataFrame:
    """One row per run, oldest first: ``started_at``, ``outcome``, ``files_new``, ``curated``, ``duplicates``,
    ``quarantined``, ``seconds``."""
    metric = pl.col("step") + "." + pl.col("metric")
    quarantine = (
        pl.col("step").is_in(["read", "parse"])
        & pl.col("metric").str.starts_with("dropped_")
        & ~pl.col("metric").is_in(NOT_QUARANTINE)
    )

    def value(name: str) -> pl.Expr:
        return pl.col("value").filter(metric == name).sum()

    return (
        runs.group_by("run_id", "started_at", "outcome")
        .agg(
            files_new=value("discover.kept"),
            curated=value("dedup.kept"),
            duplicates=value("dedup.dropped_exact") + value("dedup.dropped_near"),
            quarantined=pl.col("value").filter(quarantine).sum(),
            seconds=value("run.seconds"),
        )
        .with_columns(pl.col("files_new", "curated", "duplicates", "quarantined").cast(pl.Int64))
        .sort("started_at", "run_id")
        .collect()
    )


def step_seconds(runs: pl.LazyFrame) -> pl.DataFrame:
    """Seconds per flow step per run, oldest first: ``run_id``, ``started_at`` and a column per step."""
    timed = runs.filter((pl.col("metric") == "seconds") & pl.col("step").is_in(FLOW_STEPS)).collect()
    wide = timed.pivot("step", index=["run_id", "started_at"], values="value", aggregate_function="sum")
    missing = [pl.lit(0.0).alias(step) for step in FLOW_STEPS if step not in wide.columns]
    return wide.with_columns(missing).fill_null(0.0).select("run_id", "started_at", *FLOW_STEPS).sort("started_at")


def quarantine_reasons(quarantine: pl.LazyFrame) -> pl.DataFrame:
    """Files quarantined per reason, most first: ``reason``, ``files``."""
    return quarantine.group_by("reason").agg(files=pl.len()).sort("files", "reason", descending=[True, False]).collect()


def largest_stories(stories: pl.LazyFrame, *, top: int) -> pl.DataFrame:
    """The ``top`` stories with most articles: ``story_id``, ``headline``, ``article_count``, ``first_seen``,
    ``last_seen``, ``days`` (the span)."""
    return (
        stories.filter(pl.col("article_count") > 1)
        .sort("article_count", "first_seen", descending=[True, False])
        .head(top)
        .with_columns(days=(pl.col("last_seen") - pl.col("first_seen")).dt.total_hours() / 24.0)
        .select("story_id", "headline", "article_count", "first_seen", "last_seen", "days")
        .collect()
    )
