"""The rules that quarantine a parsed document, in order: the first that holds gives its reason and detail.

Each rule is one entry: a reason code, when it holds, and the detail it records. A new
rule is one entry here (and a ``Reason`` code, which the quarantine suite then accepts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

from newsflow.config import Settings
from newsflow.reasons import Reason

UNPARSED_FACTOR = 2
"""A document with more blocks than this many times ``max_paragraphs`` is rejected unparsed: counting its
blocks costs milliseconds, parsing it seconds and a gigabyte (a million one-line paragraphs), and a real
article with that many blocks would need more than half of them repeated to stay within the limit."""


@dataclass(frozen=True, slots=True)
class Rule:
    """``reason`` when ``holds`` (an expression over the parsed document's columns), with ``detail``."""

    reason: Reason
    holds: Callable[[Settings], pl.Expr]
    detail: Callable[[Settings], pl.Expr]


def _unparsed(settings: Settings) -> pl.Expr:
    return pl.col("blocks") > UNPARSED_FACTOR * settings.max_paragraphs


def _no_headline(settings: Settings) -> pl.Expr:
    return pl.col("headline").is_null()


RULES: tuple[Rule, ...] = (
    Rule(
        Reason.TOO_MANY_PARAGRAPHS,
        _unparsed,
        lambda s: pl.format(
            "{} blocks of text, over {} x the limit of {} paragraphs: not parsed",
            pl.col("blocks"),
            pl.lit(UNPARSED_FACTOR),
            pl.lit(s.max_paragraphs),
        ),
    ),
    Rule(
        Reason.MISSING_HEADLINE,
        lambda s: _no_headline(s) & (pl.col("text_paragraphs") == 0),
        lambda s: pl.lit("no words: only markup, punctuation or invisible characters"),
    ),
    Rule(
        Reason.MISSING_HEADLINE,
        _no_headline,
        lambda s: pl.format(
            "no line of {}-{} characters among the first {} paragraphs",
            pl.lit(s.headline_min_chars),
            pl.lit(s.headline_max_chars),
            pl.lit(s.headline_search_depth),
        ),
    ),
    Rule(
        Reason.EMPTY_BODY,
        lambda s: pl.col("paragraph_count") == 0,
        lambda s: pl.lit("headline found but no body paragraph"),
    ),
    Rule(
        Reason.TOO_MANY_PARAGRAPHS,
        lambda s: pl.col("paragraph_count") > s.max_paragraphs,
        lambda s: pl.format("{} body paragraphs, limit {}", pl.col("paragraph_count"), pl.lit(s.max_paragraphs)),
    ),
)


def rejection(settings: Settings, rules: Sequence[Rule] = RULES) -> dict[str, pl.Expr]:
    """``reason`` and ``detail`` columns: those of the first rule that holds, null when none does."""
    holds = [rule.holds(settings) for rule in rules]
    reason: pl.Expr = pl.lit(None, pl.String)
    detail: pl.Expr = pl.lit(None, pl.String)
    for rule, held in reversed(list(zip(rules, holds, strict=True))):
        reason = pl.when(held).then(pl.lit(rule.reason.value)).otherwise(reason)
        detail = pl.when(held).then(rule.detail(settings)).otherwise(detail)
    return {"reason": reason, "detail": detail}


REASONS: tuple[str, ...] = tuple(dict.fromkeys(rule.reason.value for rule in RULES))
"""Every code the rules can give."""
