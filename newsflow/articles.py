"""Decoded documents to article and paragraph rows: parse, normalize, dedup inside, rules."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from newsflow.config import Settings
from newsflow.dedup import remove_repeated_paragraphs
from newsflow.hashing import stable_id
from newsflow.normalize import word_count
from newsflow.parse import assign_roles, lines_to_paragraphs, split_lines
from newsflow.reasons import Reason


@dataclass(frozen=True, slots=True)
class Parsed:
    """Per-document results, keyed by the input's ``doc`` column.

    ``articles``: one row per input document with ``reason``/``detail`` set when a
    rule rejects it. ``paragraphs``: kept body paragraphs of every document.
    """

    articles: pl.DataFrame
    paragraphs: pl.DataFrame


def _role_text(role: str) -> pl.Expr:
    return pl.col("text").filter(pl.col("role") == role)


def _rejection(settings: Settings) -> tuple[pl.Expr, pl.Expr]:
    count = pl.col("paragraph_count")
    reason = (
        pl.when(pl.col("headline").is_null())
        .then(pl.lit(Reason.MISSING_HEADLINE.value))
        .when(count == 0)
        .then(pl.lit(Reason.EMPTY_BODY.value))
        .when(count > settings.max_paragraphs)
        .then(pl.lit(Reason.TOO_MANY_PARAGRAPHS.value))
    )
    detail = (
        pl.when(pl.col("headline").is_null())
        .then(
            pl.format(
                "no line of {}-{} characters among the first {} paragraphs",
                pl.lit(settings.headline_min_chars),
                pl.lit(settings.headline_max_chars),
                pl.lit(settings.headline_search_depth),
            )
        )
        .when(count == 0)
        .then(pl.lit("headline found but no body paragraph"))
        .when(count > settings.max_paragraphs)
        .then(pl.format("{} body paragraphs, limit {}", count, pl.lit(settings.max_paragraphs)))
    )
    return reason, detail


def parse_articles(docs: pl.DataFrame, settings: Settings) -> Parsed:
    """Parse ``docs`` (``doc``, ``text``) into articles and body paragraphs."""
    roles = assign_roles(lines_to_paragraphs(split_lines(docs.lazy().select("doc", "text")), settings), settings)
    body = remove_repeated_paragraphs(roles)
    kept = body.filter(~pl.col("is_repeat"))
    parts = (
        roles.sort("doc", "para_no")
        .group_by("doc")
        .agg(
            summary=_role_text("summary").str.join(" "),
            headline=_role_text("headline").first(),
            headline_canonical=pl.col("canonical").filter(pl.col("role") == "headline").first(),
            standfirst=_role_text("standfirst").first(),
        )
    )
    # group_by keeps the input order within a group, so sorting first orders the joins.
    bodies = (
        body.sort("doc", "para_no")
        .group_by("doc")
        .agg(
            body=pl.col("text").filter(~pl.col("is_repeat")).str.join("\n\n"),
            body_canonical=pl.col("canonical").filter(~pl.col("is_repeat")).str.join("\n"),
            paragraph_count=(~pl.col("is_repeat")).sum().cast(pl.Int32),
            repeated_paragraphs_removed=pl.col("is_repeat").sum().cast(pl.Int32),
        )
    )
    reason, detail = _rejection(settings)
    articles = (
        docs.lazy()
        .select("doc")
        .join(parts, on="doc", how="left")
        .join(bodies, on="doc", how="left")
        .with_columns(
            pl.col("paragraph_count", "repeated_paragraphs_removed").fill_null(0),
            summary=pl.when(pl.col("summary") != "").then(pl.col("summary")),
            word_count=word_count(pl.col("body")).fill_null(0),
            article_id=stable_id(pl.concat_str("headline_canonical", "body_canonical", separator="\n\n")),
        )
        .with_columns(reason=reason, detail=detail)
        .drop("headline_canonical", "body_canonical")
        .sort("doc")
    )
    paragraphs = kept.select(
        "doc", "position", "text", "canonical", paragraph_hash=stable_id(pl.col("canonical"))
    ).sort("doc", "position")
    collected_articles, collected_paragraphs = pl.collect_all([articles, paragraphs])
    return Parsed(articles=collected_articles, paragraphs=collected_paragraphs)
