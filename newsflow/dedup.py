"""Deduplication as pure frame functions: inside an article, and across articles."""

from __future__ import annotations

import polars as pl

from newsflow.reasons import DuplicateKind


def remove_repeated_paragraphs(roles: pl.LazyFrame) -> pl.LazyFrame:
    """Body paragraphs with their first occurrence kept, renumbered from 0.

    A body paragraph equal to the headline is layout (the headline printed again),
    not content, so it is dropped without counting as a repeat. Returns ``doc``,
    ``position``, ``text``, ``canonical``, ``is_repeat`` (the dropped rows are kept,
    flagged, so the caller can count and inspect them).
    """
    headline = pl.col("canonical").filter(pl.col("role") == "headline").first().over("doc")
    body = pl.col("role") == "body"
    return (
        roles.with_columns(headline_canonical=headline)
        .filter(body & (pl.col("canonical") != pl.col("headline_canonical")).fill_null(True))
        .with_columns(is_repeat=~pl.col("canonical").is_first_distinct().over("doc", order_by="para_no"))
        .with_columns(
            position=pl.when(~pl.col("is_repeat"))
            .then((~pl.col("is_repeat")).cum_sum().over("doc", order_by="para_no") - 1)
            .cast(pl.Int32)
        )
        .select("doc", "para_no", "position", "text", "canonical", "is_repeat")
    )


def split_exact_duplicates(candidates: pl.DataFrame, published_ids: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split curated candidates into (kept, duplicates) by ``article_id``.

    An article whose id is already published, or that repeats an earlier candidate
    of the same batch, is a duplicate. Within a batch the first ``source_path`` in
    sort order is kept, so the outcome does not depend on discovery or shard order.
    ``duplicates`` gains ``duplicate_of``, ``kind`` and ``similarity``.
    """
    ordered = candidates.sort("source_path")
    seen_before = pl.col("article_id").is_in(published_ids.implode())
    first_in_batch = pl.col("article_id").is_first_distinct()
    keep = ~seen_before & first_in_batch
    kept = ordered.filter(keep)
    duplicates = ordered.filter(~keep).with_columns(
        duplicate_of=pl.col("article_id"),
        kind=pl.lit(DuplicateKind.EXACT.value),
        similarity=pl.lit(1.0),
    )
    return kept, duplicates
