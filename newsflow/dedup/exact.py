"""Exact duplicates: the same canonical headline and body, hence the same ``article_id``."""

from __future__ import annotations

import polars as pl

from newsflow.frames import is_in
from newsflow.reasons import DuplicateKind
from newsflow.records import Window, WindowContext
from newsflow.steps import StepResult


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


EXACT_RULE = "exact: same canonical headline and body"


class ExactDuplicates:
    """Drops candidates already published or repeating an earlier candidate of the window (a ``duplicates``
    row each), and their paragraphs."""

    name = "exact_duplicates"
    stage = "dedup"
    reasons = (DuplicateKind.EXACT.value,)

    def run(self, window: Window, context: WindowContext) -> StepResult[Window]:
        candidates = window.articles
        # Only the window's ids that are published: no step holds every published id.
        published_ids = (
            context.history["articles"]
            .filter(is_in("article_id", candidates.get_column("article_id")))
            .select("article_id")
            .collect(engine="streaming")
            .get_column("article_id")
        )
        kept, exact = split_exact_duplicates(candidates, published_ids)
        paragraphs = window.paragraphs.join(kept.select("source_path"), on="source_path", how="semi")
        duplicates = pl.concat([window.duplicates, exact.with_columns(rule=pl.lit(EXACT_RULE))], how="diagonal_relaxed")
        return StepResult(
            window.but(articles=kept, paragraphs=paragraphs, duplicates=duplicates), dropped=exact.get_column("kind")
        )
