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


# Blank lines (CR, CRLF or LF), form feeds and paragraph separators: where blocks of text end.
_BLOCK_BREAK = r"(?:\r\n?|\n)[ \t]*(?:\r\n?|\n)|[\x0c\u2029]"
_UNPARSED_FACTOR = 2
"""A document with more blocks than this many times ``max_paragraphs`` is rejected unparsed.

Parsing costs about 35 s and 1 GB for a 15 MiB file of a million one-line paragraphs,
only to reject it; counting its blocks costs milliseconds. A real article with that
many blocks would need more than half of them repeated to stay within the limit.
"""


def _role_text(role: str) -> pl.Expr:
    return pl.col("text").filter(pl.col("role") == role)


def _rejection(settings: Settings) -> tuple[pl.Expr, pl.Expr]:
    count = pl.col("paragraph_count")
    unparsed = pl.col("blocks") > _UNPARSED_FACTOR * settings.max_paragraphs
    reason = (
        pl.when(unparsed)
        .then(pl.lit(Reason.TOO_MANY_PARAGRAPHS.value))
        .when(pl.col("headline").is_null())
        .then(pl.lit(Reason.MISSING_HEADLINE.value))
        .when(count == 0)
        .then(pl.lit(Reason.EMPTY_BODY.value))
        .when(count > settings.max_paragraphs)
        .then(pl.lit(Reason.TOO_MANY_PARAGRAPHS.value))
    )
    detail = (
        pl.when(unparsed)
        .then(
            pl.format(
                "{} blocks of text, over {} x the limit of {} paragraphs: not parsed",
                pl.col("blocks"),
                pl.lit(_UNPARSED_FACTOR),
                pl.lit(settings.max_paragraphs),
            )
        )
        .when(pl.col("headline").is_null() & (pl.col("text_paragraphs") == 0))
        .then(pl.lit("no words: only markup, punctuation or invisible characters"))
        .when(pl.col("headline").is_null())
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
    """Parse ``docs`` (``doc``, ``text``) into articles and body paragraphs.

    A document with more than ``2 * max_paragraphs`` blocks of text (blank-line
    separated) is rejected as ``too_many_paragraphs`` without being parsed.
    """
    counted = docs.lazy().select("doc", "text", blocks=pl.col("text").str.count_matches(_BLOCK_BREAK) + 1)
    parseable = counted.filter(pl.col("blocks") <= _UNPARSED_FACTOR * settings.max_paragraphs).select("doc", "text")
    # Collected once: the plans below share it, and Polars does not share a subplan holding a
    # Python UDF (display_form), so it ran once per use (4 times, two thirds of parsing).
    roles = assign_roles(lines_to_paragraphs(split_lines(parseable), settings), settings).collect().lazy()
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
            text_paragraphs=pl.len().cast(pl.Int32),
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
        counted.select("doc", "blocks")
        .join(parts, on="doc", how="left")
        .join(bodies, on="doc", how="left")
        .with_columns(
            pl.col("paragraph_count", "repeated_paragraphs_removed", "text_paragraphs").fill_null(0),
            summary=pl.when(pl.col("summary") != "").then(pl.col("summary")),
            word_count=word_count(pl.col("body")).fill_null(0),
            article_id=stable_id(pl.concat_str("headline_canonical", "body_canonical", separator="\n\n")),
        )
        .with_columns(reason=reason, detail=detail)
        .drop("headline_canonical", "body_canonical", "text_paragraphs", "blocks")
        .sort("doc")
    )
    paragraphs = kept.select(
        "doc", "position", "text", "canonical", paragraph_hash=stable_id(pl.col("canonical"))
    ).sort("doc", "position")
    collected_articles, collected_paragraphs = pl.collect_all([articles, paragraphs])
    return Parsed(articles=collected_articles, paragraphs=collected_paragraphs)
