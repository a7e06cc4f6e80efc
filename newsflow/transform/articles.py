"""Decoded documents to article and paragraph rows: parse, normalize, dedup inside, rules."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from newsflow.config import Settings
from newsflow.dedup.paragraphs import remove_repeated_paragraphs
from newsflow.hashing import stable_id
from newsflow.records import Shard
from newsflow.steps import StepResult
from newsflow.transform.normalize import word_count
from newsflow.transform.parse import assign_roles, lines_to_paragraphs, split_lines
from newsflow.transform.roles import BODY_ROLES, article_fields, published_date
from newsflow.transform.rules import REASONS, UNPARSED_FACTOR, rejection


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


_IN_BODY = ~pl.col("is_repeat") & pl.col("role").is_in(BODY_ROLES)


def _role_text(role: str) -> pl.Expr:
    return pl.col("text").filter(pl.col("role") == role)


def parse_articles(docs: pl.DataFrame, settings: Settings) -> Parsed:
    """Parse ``docs`` (``doc``, ``text``) into articles and body paragraphs.

    A document with more than ``2 * max_paragraphs`` blocks of text (blank-line
    separated) is rejected as ``too_many_paragraphs`` without being parsed.
    """
    counted = docs.lazy().select("doc", "text", blocks=pl.col("text").str.count_matches(_BLOCK_BREAK) + 1)
    parseable = counted.filter(pl.col("blocks") <= UNPARSED_FACTOR * settings.max_paragraphs).select("doc", "text")
    # Collected once: the plans below share it.
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
            **article_fields(),
        )
    )
    # group_by keeps the input order within a group, so sorting first orders the joins.
    bodies = (
        body.sort("doc", "para_no")
        .group_by("doc")
        .agg(
            body=pl.col("text").filter(_IN_BODY).str.join("\n\n"),
            body_canonical=pl.col("canonical").filter(_IN_BODY).str.join("\n"),
            paragraph_count=_IN_BODY.sum().cast(pl.Int32),
            repeated_paragraphs_removed=pl.col("is_repeat").sum().cast(pl.Int32),
        )
    )
    articles = (
        counted.select("doc", "blocks")
        .join(parts, on="doc", how="left")
        .join(bodies, on="doc", how="left")
        .with_columns(
            pl.col("paragraph_count", "repeated_paragraphs_removed", "text_paragraphs").fill_null(0),
            summary=pl.when(pl.col("summary") != "").then(pl.col("summary")),
            word_count=word_count(pl.col("body")).fill_null(0),
            published=published_date(),
            article_id=stable_id(pl.concat_str("headline_canonical", "body_canonical", separator="\n\n")),
        )
        .with_columns(**rejection(settings))
        .drop("headline_canonical", "body_canonical", "text_paragraphs", "blocks")
        .sort("doc")
    )
    paragraphs = kept.select(
        "doc", "position", "role", "text", "canonical", paragraph_hash=stable_id(pl.col("canonical"))
    ).sort("doc", "position")
    collected_articles, collected_paragraphs = pl.collect_all([articles, paragraphs])
    return Parsed(articles=collected_articles, paragraphs=collected_paragraphs)


class ParseArticles:
    """Parses a shard's decoded files into article candidates and their body paragraphs; a document a rule
    rejects is quarantined (``transform.rules``). Counts the body paragraphs kept and removed as repeats."""

    name = "parse"
    stage = "parse"
    reasons = REASONS

    def run(self, shard: Shard, settings: Settings) -> StepResult[Shard]:
        indexed = shard.files.with_row_index("doc")
        parsed = parse_articles(indexed.select("doc", "text"), settings)
        merged = indexed.drop("reason", "detail").join(parsed.articles, on="doc", how="left")
        rejected = merged.filter(pl.col("reason").is_not_null())
        candidates = merged.filter(pl.col("reason").is_null()).drop("raw", "text", "known_content", strict=False)
        paragraphs = parsed.paragraphs.join(candidates.select("doc", "source_path", "article_id"), on="doc")
        repeats = int(candidates.get_column("repeated_paragraphs_removed").sum() or 0)
        return StepResult(
            shard.but(
                files=candidates.drop("doc"),
                quarantined=pl.concat([shard.quarantined, rejected.select(shard.quarantined.columns)]),
                paragraphs=paragraphs.drop("doc"),
            ),
            dropped=rejected.get_column("reason"),
            counters={
                "paragraphs": {
                    "total": paragraphs.height + repeats,
                    "kept": paragraphs.height,
                    "dropped_repeated": repeats,
                }
            },
        )
