"""What the gate checks: each table plus derived columns for the rules GE cannot state on one table directly
(positions contiguous, every ``duplicate_of`` known, row counts reconciling across tables), and the values
the stored suites refer to as parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from newsflow.config import Settings
from newsflow.dedup.paragraphs import is_prose
from newsflow.reasons import DuplicateKind, Reason, Status
from newsflow.transform.roles import ROLES, in_body


def validation_views(
    tables: Mapping[str, pl.DataFrame],
    published: pl.DataFrame,
    blob_hashes: Mapping[str, str | None],
    *,
    retracted: pl.Series,
    current: pl.Series | None = None,
) -> dict[str, pl.DataFrame]:
    """Each table plus the derived columns its suite checks.

    ``published``: ``article_id``, ``story_id``, ``source_path`` of the articles published before this run (at
    least those in the stories of ``articles``, those ``duplicates`` point at and those from the same files:
    the rest are not used). ``blob_hashes``: the SHA-256 of each kept blob's bytes as found on disk (None:
    missing). ``retracted``: the article ids retracted, this run's retractions included. ``current``: the ids
    of every current article once the run is published (default: those of ``articles``).
    """
    articles, paragraphs = tables["articles"], tables["paragraphs"]
    current_ids = (articles.get_column("article_id") if current is None else current).implode()
    members = pl.concat([published.select("article_id", "story_id"), articles.select("article_id", "story_id")])
    known_ids = members.get_column("article_id").implode()
    story_sizes = members.group_by("story_id").agg(counted_articles=pl.len().cast(pl.Int32))
    rows_per_article = paragraphs.group_by("article_id").agg(paragraph_rows=in_body().sum().cast(pl.Int32))
    return {
        "articles": articles.join(rows_per_article, on="article_id", how="left").with_columns(
            pl.col("paragraph_rows").fill_null(0),
            retracted=pl.col("article_id").is_in(retracted.implode()),
            # One current article per file: none of this run's articles comes from a file with another
            # current article (a new version replaces the old one in a rebuild, never beside it).
            path_current_once=~pl.col("source_path").is_in(
                published.filter(~pl.col("article_id").is_in(articles.get_column("article_id").implode()))
                .get_column("source_path")
                .implode()
            ),
            story_known=pl.col("story_id").is_in(tables["stories"].get_column("story_id").implode()),
        ),
        "paragraphs": paragraphs.with_columns(
            article_known=pl.col("article_id").is_in(articles.get_column("article_id").implode()),
            expected_position=(pl.col("position").rank("ordinal").over("article_id") - 1).cast(pl.Int32),
            # Prose said twice in an article is a double transmission, which the parse removes; a
            # repeated table row or header ("Shr nil vs nil") is data and stays.
            repeated_prose=(
                pl.col("paragraph_hash").is_duplicated().over("article_id")
                & (pl.col("role") == "body")
                & is_prose(pl.col("text"))
            ),
        ),
        "duplicates": tables["duplicates"].with_columns(duplicate_of_known=pl.col("duplicate_of").is_in(known_ids)),
        "quarantine": tables["quarantine"].with_columns(
            # A file that was read has its bytes kept, hashing to what the ledger says was read.
            bytes_kept=pl.col("source_sha256").is_null()
            | (
                pl.col("blob_path").replace_strict(blob_hashes, default=None, return_dtype=pl.String)
                == pl.col("source_sha256")
            ).fill_null(False)
        ),
        "files": tables["files"].with_columns(accounted=_accounted(tables)),
        "article_versions": tables["article_versions"].with_columns(
            not_current=~pl.col("article_id").is_in(current_ids)
        ),
        "retractions": tables["retractions"].with_columns(
            in_force=(pl.col("action") == "restore") | ~pl.col("article_id").is_in(current_ids)
        ),
        # The stories this run created or grew: every other row is as an earlier run validated it
        # (a story changes only when an article joins it), and checking the whole table again each
        # window cost a pandas copy of a million rows per window at a million articles.
        "stories": tables["stories"]
        .filter(pl.col("story_id").is_in(articles.get_column("story_id").implode()))
        .join(story_sizes, on="story_id", how="left")
        .with_columns(pl.col("counted_articles").fill_null(0)),
    }


def _accounted(tables: Mapping[str, pl.DataFrame]) -> pl.Expr:
    """A ledger row's version is where its status says: a curated one in ``articles``, a duplicate in
    ``duplicates``, a quarantined one in ``quarantine`` (by path and SHA-256). History plus current tables
    reconcile with the ledger row by row, not only in counts."""
    keys = pl.struct("source_path", "source_sha256")

    def held(table: str) -> pl.Expr:
        return keys.is_in(tables[table].select(keys.alias("key")).get_column("key").implode())

    status = pl.col("status")
    return (
        pl.when(status == Status.CURATED.value)
        .then(held("articles"))
        .when(status == Status.DUPLICATE.value)
        .then(held("duplicates"))
        .when(status == Status.QUARANTINED.value)
        .then(pl.col("source_path").is_in(tables["quarantine"].get_column("source_path").implode()))
        .otherwise(pl.lit(True))
    )


def suite_parameters(
    tables: Mapping[str, pl.DataFrame], *, files_seen: int, files_skipped: int, settings: Settings
) -> dict[str, Any]:
    """Values the stored suites refer to as ``{"$PARAMETER": name}``.

    ``files_seen`` and ``files_skipped`` (unchanged since ingested) come from
    discovery and the ledger, not from the tables, so the ``files`` suite's row
    count states the reconciliation rule: seen = skipped + curated + duplicate + quarantined.
    """
    statuses = dict(tables["files"].group_by("status").len().iter_rows())
    return {
        "headline_min_chars": settings.headline_min_chars,
        "headline_max_chars": settings.headline_max_chars,
        "max_paragraphs": settings.max_paragraphs,
        "files_new": files_seen - files_skipped,
        "files_curated": statuses.get(Status.CURATED.value, 0),
        "files_duplicate": statuses.get(Status.DUPLICATE.value, 0),
        "files_quarantined": statuses.get(Status.QUARANTINED.value, 0),
        # Code sets come from the enums, so a new reason or kind needs no edit of a suite.
        "quarantine_reasons": [reason.value for reason in Reason],
        "file_statuses": [status.value for status in Status],
        "duplicate_kinds": [kind.value for kind in DuplicateKind],
        "paragraph_roles": list(ROLES),
    }
