"""Paragraphs inside an article and across articles: repeats within an article, boilerplate across them."""

from __future__ import annotations

import polars as pl

from newsflow.frames import is_in
from newsflow.records import Window, WindowContext
from newsflow.steps import StepResult

_PROSE_MIN_WORDS = 4


def is_prose(text: pl.Expr) -> pl.Expr:
    """Prose, as opposed to a row of figures or a column header: words ending in a sentence. Only prose repeated
    in an article is a double transmission; a header or a row of a table ("Shr nil vs nil" in both the
    quarter and the year) recurs by design."""
    return (text.str.count_matches(r"\S+") >= _PROSE_MIN_WORDS) & text.str.contains(r"[.!?\"'\u201d\u2019)]$")


def remove_repeated_paragraphs(roles: pl.LazyFrame) -> pl.LazyFrame:
    """The paragraphs after the headline block (every role but ``summary``, ``headline``, ``headline_repeat``
    and ``standfirst``) with repeated prose dropped, renumbered from 0.

    A body paragraph whose canonical form already appeared is dropped when it is prose
    (``is_prose``): a double transmission. A repeated table row or column header stays.
    A paragraph equal to the headline is layout (the headline printed again), not
    content, so it is dropped without counting as a repeat. Returns ``doc``,
    ``para_no``, ``position``, ``role``, ``text``, ``canonical``, ``is_repeat`` (the
    dropped rows are kept, flagged, so the caller can count and inspect them).
    """
    headline = pl.col("canonical").filter(pl.col("role") == "headline").first().over("doc")
    after_headline = ~pl.col("role").is_in(["summary", "headline", "headline_repeat", "standfirst", "none"])
    return (
        roles.with_columns(headline_canonical=headline)
        .filter(after_headline & (pl.col("canonical") != pl.col("headline_canonical")).fill_null(True))
        .with_columns(
            is_repeat=~pl.col("canonical").is_first_distinct().over("doc", order_by="para_no")
            & (pl.col("role") == "body")
            & is_prose(pl.col("text"))
        )
        .with_columns(
            position=pl.when(~pl.col("is_repeat"))
            .then((~pl.col("is_repeat")).cum_sum().over("doc", order_by="para_no") - 1)
            .cast(pl.Int32)
        )
        .select("doc", "para_no", "position", "role", "text", "canonical", "is_repeat")
    )


def flag_boilerplate(paragraphs: pl.DataFrame, history: pl.DataFrame, *, min_articles: int) -> pl.DataFrame:
    """Add ``is_boilerplate``: the paragraph appears verbatim in at least ``min_articles`` articles.

    ``history`` holds ``paragraph_hash``, ``articles`` counts from earlier runs (any
    number of rows per hash; they are summed). The flag is as of this run: rows
    published earlier are not rewritten when a paragraph later becomes common.
    """
    batch = paragraphs.group_by("paragraph_hash").agg(articles=pl.col("article_id").n_unique().cast(pl.Int64))
    seen = (
        pl.concat([batch, history.select("paragraph_hash", pl.col("articles").cast(pl.Int64))])
        .group_by("paragraph_hash")
        .agg(pl.col("articles").sum())
    )
    return (
        paragraphs.join(seen, on="paragraph_hash", how="left")
        .with_columns(is_boilerplate=pl.col("articles") >= min_articles)
        .drop("articles")
    )


def paragraph_counts(paragraphs: pl.DataFrame) -> pl.DataFrame:
    """This run's contribution to the paragraph-count state: distinct articles per paragraph."""
    return paragraphs.group_by("paragraph_hash").agg(articles=pl.col("article_id").n_unique().cast(pl.Int32))


class FlagBoilerplate:
    """Flags (``is_boilerplate``) paragraphs found verbatim in ``boilerplate_min_articles`` articles, counting
    the window's and the published ones; later steps leave them out of every similarity."""

    name = "boilerplate"
    stage = None
    reasons = ()

    def run(self, window: Window, context: WindowContext) -> StepResult[Window]:
        paragraphs = window.paragraphs
        history = context.history["paragraph_counts"].filter(
            is_in("paragraph_hash", paragraphs.get_column("paragraph_hash"))
        )
        flagged = flag_boilerplate(
            paragraphs,
            history.collect(engine="streaming"),
            min_articles=context.settings.boilerplate_min_articles,
        )
        return StepResult(window.but(paragraphs=flagged))
