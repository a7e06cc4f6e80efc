"""Article text to roles (summary, headline, standfirst, body paragraphs), vectorized.

The frame goes lines → blocks (runs of non-blank lines) → paragraphs → roles, all
as Polars expressions over every article of a shard at once.

Layouts understood:

* house layout: summary line, headline (maybe ``**bold**``), blank line, the
  headline again, standfirst, then one paragraph per line;
* blank-line layout: headline, then paragraphs separated by blank lines;
* wire copy: hard-wrapped lines (at most ``wrap_width``) whose paragraphs start
  indented or follow a short line; such blocks are reflowed into paragraphs.
"""

from __future__ import annotations

import polars as pl

from newsflow.config import Settings
from newsflow.transform.normalize import MARKDOWN_HEADING, canonical_form, display_form

# A rule line (---, ***, ===) separates like a blank line does.
_SEPARATOR = r"^\s*(?:[-*_=~]\s*){3,}$"
_LIST_ITEM = r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+\S"


def split_lines(docs: pl.LazyFrame) -> pl.LazyFrame:
    """One row per line: ``doc``, ``line_no``, ``line`` (CR and CRLF endings folded).

    A form feed (page break) or U+2029 PARAGRAPH SEPARATOR ends a paragraph like a
    blank line; U+2028 LINE SEPARATOR, VT and NEL end a line.
    """
    text = pl.col("text").str.replace_all(r"\r\n?|[\u2028\x0b\x85]", "\n").str.replace_all(r"[\x0c\u2029]", "\n\n")
    return (
        docs.select("doc", line=text.str.split("\n"))
        .explode("line")
        .with_columns(line_no=pl.int_range(pl.len()).over("doc"))
    )


def lines_to_paragraphs(lines: pl.LazyFrame, settings: Settings) -> pl.LazyFrame:
    """Group lines into paragraphs, reflowing hard-wrapped blocks.

    Returns ``doc``, ``para_no`` (0-based, per doc), ``raw`` (lines joined by a space).
    """
    stripped = pl.col("line").str.strip_chars()
    blank = (stripped == "") | pl.col("line").str.contains(_SEPARATOR)
    block = ["doc", "block"]
    length = pl.col("length")
    longest = length.max().over(block)
    n_lines = pl.len().over(block)
    # Mean length of every line but the block's last: hard-wrapped copy fills its lines.
    fill = (length.sum().over(block) - length.last().over(block)) / (n_lines - 1)
    indented = pl.col("indent") > pl.col("indent").min().over(block)
    wrapped = (
        (n_lines >= 2)
        & (longest <= settings.wrap_width)
        & (indented.any().over(block) | (fill >= settings.wrap_fill_ratio * longest))
    )
    # A short line ends its paragraph only if it ends a sentence: "co-" at a wrap does not.
    prev_short = (length.shift(1).over(block) < settings.short_line_ratio * longest) & pl.col("text").shift(1).over(
        block
    ).str.contains(r"[.!?:;\"'\u201d\u2019)\]]$")
    starts = (
        (pl.int_range(pl.len()).over(block) == 0)
        | ~wrapped
        | indented
        | prev_short
        | pl.col("line").str.contains(_LIST_ITEM)
        | pl.col("line").str.contains(MARKDOWN_HEADING)
    )
    joined = pl.col("text").str.join(" ")
    return (
        lines.with_columns(
            blank=blank,
            indent=pl.col("line").str.len_chars() - pl.col("line").str.strip_chars_start().str.len_chars(),
            text=stripped,
            length=stripped.str.len_chars(),
        )
        .with_columns(block=pl.col("blank").cum_sum().over("doc"))
        .filter(~pl.col("blank"))
        .with_columns(start=starts)
        .with_columns(para_no=(pl.col("start").cum_sum().over("doc") - 1).cast(pl.Int32))
        .group_by("doc", "para_no")
        .agg(raw=joined, lines=pl.len())
        # Undo line-end hyphenation that the reflow turned into "co- operate".
        .with_columns(
            raw=pl.when(pl.col("lines") > 1)
            .then(pl.col("raw").str.replace_all(r"(\p{L})- (\p{Ll})", "${1}-${2}"))
            .otherwise(pl.col("raw"))
        )
        .drop("lines")
        .sort("doc", "para_no")
    )


def _at(column: str, offset: int) -> pl.Expr:
    """The value of ``column`` in the paragraph ``offset`` places after this one."""
    return pl.col(column).shift(-offset).over("doc", order_by="para_no")


def assign_roles(paragraphs: pl.LazyFrame, settings: Settings) -> pl.LazyFrame:
    """Label each paragraph ``summary``, ``headline``, ``headline_repeat``, ``standfirst`` or ``body``.

    The headline is the first of the leading ``headline_search_depth`` paragraphs
    that is repeated right after itself (house layout), else the first marked as a
    markdown heading, else the first short enough to be a headline. Paragraphs
    before it are the summary. A standfirst follows the headline only in the
    house layout (a summary before, or a repeat after the headline).
    """
    depth = settings.headline_search_depth
    fits = pl.col("text").str.len_chars().is_between(settings.headline_min_chars, settings.headline_max_chars)
    repeated = (pl.col("canonical") == _at("canonical", 1)) & (pl.col("canonical") != "") & fits
    leading = pl.col("para_no") < depth
    rank = (
        pl.when(leading & repeated).then(0).when(leading & pl.col("marked") & fits).then(1).when(leading & fits).then(2)
    )
    # Encode (rank, position) as one number so a per-doc min picks the best candidate.
    score = rank * 1_000 + pl.col("para_no")
    best = score.min().over("doc")
    headline_no = (best % 1_000).cast(pl.Int32)
    return (
        paragraphs.with_columns(
            text=display_form(pl.col("raw")),
            marked=pl.col("raw").str.contains(MARKDOWN_HEADING),
        )
        .with_columns(canonical=canonical_form(pl.col("text")))
        .filter(pl.col("canonical") != "")
        .with_columns(para_no=pl.int_range(pl.len(), dtype=pl.Int32).over("doc", order_by="para_no"))
        .with_columns(headline_no=headline_no, house=(best < 1_000) | (best % 1_000 > 0))
        .with_columns(
            repeat_no=pl.when(best < 1_000).then(pl.col("headline_no") + 1),
            paragraphs_after=pl.len().over("doc") - pl.col("headline_no") - 1,
        )
        .with_columns(
            standfirst_no=pl.when(
                pl.col("house") & (pl.col("paragraphs_after") - pl.col("repeat_no").is_not_null().cast(pl.Int32) >= 2)
            ).then(pl.coalesce("repeat_no", "headline_no") + 1)
        )
        .with_columns(
            role=pl.when(pl.col("headline_no").is_null())
            .then(pl.lit("none"))
            .when(pl.col("para_no") < pl.col("headline_no"))
            .then(pl.lit("summary"))
            .when(pl.col("para_no") == pl.col("headline_no"))
            .then(pl.lit("headline"))
            .when(pl.col("para_no") == pl.col("repeat_no"))
            .then(pl.lit("headline_repeat"))
            .when(pl.col("para_no") == pl.col("standfirst_no"))
            .then(pl.lit("standfirst"))
            .otherwise(pl.lit("body"))
        )
        .select("doc", "para_no", "role", "text", "canonical")
    )
