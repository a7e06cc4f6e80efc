"""Article text to roles (summary, headline, standfirst, and each later paragraph's role), vectorized.

The frame goes lines → blocks (runs of non-blank lines) → paragraphs → roles, all
as Polars expressions over every article of a shard at once.

Layouts understood:

* house layout: summary line, headline (maybe ``**bold**``), blank line, the
  headline again, standfirst, then one paragraph per line;
* blank-line layout: headline, then paragraphs separated by blank lines;
* wire copy: hard-wrapped lines (at most ``wrap_width``) whose paragraphs start
  indented (or, without indentation, follow a short line); such blocks are reflowed;
* tables, in any layout: runs of lines with column gaps, kept line by line.
"""

from __future__ import annotations

import polars as pl

from newsflow.config import Settings
from newsflow.transform.normalize import (
    MARKDOWN_HEADING,
    canonical_form,
    display_form,
    table_display,
    trim_direction_marks,
)
from newsflow.transform.roles import DATELINE, LIST_ITEM, SIGNOFF, TRAILING_SIGNOFF, body_role

# A rule line (---, ***, ===) separates like a blank line does.
_SEPARATOR = r"^\s*(?:[-*_=~]\s*){3,}$"


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


# Lines of these scripts join without a space: Chinese, Japanese and Thai put none between words.
_NO_SPACE_SCRIPT = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\u3000-\u303f\uff00-\uffef]"
# Where a wrapped line may end a sentence: a following short line is then a paragraph of its own.
_SENTENCE_END = r"[.!?:;\"'\u201d\u2019)\]]$"
# A gap of two or more spaces (or a tab) after a character that does not end a sentence: a column gap.
_COLUMN_GAP = r"[^\s.!?:;,](?: {2,}|\t+)"
_PIPE_ROW = r"^\s*\|.*\|\s*$"
_OPEN_SHARE = 0.75
"""A block whose lines (bar the last) end mid-sentence this often is hard-wrapped, even when its first line is
short (a dateline cut from it); one paragraph per line ends most lines with a sentence."""
# A headline marker: "# x", "**x**" or "__x__". A "## x" heading below it is a subheading, never the headline.
_HEADLINE_MARK = r"^\s*(?:#\s+\S.*|\*\*\S.*\S\*\*|__\S.*\S__)\s*$"
_TABLE_LABEL_CHARS = 24
"""A short line between two table rows ("Baltimore/" above "Norf./Phil.   --   3.06") belongs to the table."""


def _table_rows(settings: Settings) -> pl.Expr:
    """Lines that may be table rows: markdown pipe rows, and lines of wire width with column gaps (two, or one
    between figures). Typed tables put two or more spaces between columns; prose puts them only after a
    sentence, or by mistake between words."""
    figures = pl.col("text").str.count_matches(r"\d[\d.,/]*\d|\d")
    aligned = (pl.col("length") <= settings.wrap_width) & (
        (pl.col("gaps") >= 2) | ((pl.col("gaps") >= 1) & (figures >= 2))
    )
    return pl.col("line").str.contains(_PIPE_ROW) | aligned


def lines_to_paragraphs(lines: pl.LazyFrame, settings: Settings) -> pl.LazyFrame:
    """Group lines into paragraphs, reflowing hard-wrapped blocks and keeping tables as they are.

    Returns ``doc``, ``para_no`` (0-based, per doc), ``raw`` (the paragraph's text), ``is_table`` and
    ``wire`` (from a wrapped block with indented paragraphs).

    A block (lines between blank lines) is hard-wrapped when its lines fit ``wrap_width``
    and either some are indented, or they fill their width, or most end mid-sentence. In
    a wrapped block with indented lines, an indented line starts a paragraph and any
    other continues one (wire copy); without indentation, a short line ending a
    sentence ends its paragraph (never the block's first line: a dateline may have been
    cut from it), and a list item or markdown heading starts one. A run of table rows
    (``_table_rows``) is one paragraph whatever the layout: its lines keep their breaks
    and alignment (their common indentation removed). Wrapped lines join with a space,
    except after a hyphen between letters or digits (a compound split at the line end
    keeps its hyphen: "British-Soviet"), after a soft hyphen, and between characters of
    scripts written without spaces (Chinese, Japanese, Thai).
    """
    block = ["doc", "block"]
    length = pl.col("length")
    longest = length.max().over(block)
    n_lines = pl.len().over(block)
    first = pl.int_range(pl.len()).over(block) == 0
    # Mean length of every line but the block's last: hard-wrapped copy fills its lines.
    fill = (length.sum().over(block) - length.last().over(block)) / (n_lines - 1)
    open_ends = (~pl.col("text").str.contains(_SENTENCE_END)).cast(pl.Int32)
    open_share = (open_ends.sum().over(block) - open_ends.last().over(block)) / (n_lines - 1)
    indented = (pl.col("indent") > pl.col("indent").min().over(block)) & ~pl.col("table")
    indented_block = indented.any().over(block)
    wrapped = (
        (n_lines >= 2)
        & (longest <= settings.wrap_width)
        & (indented_block | (fill >= settings.wrap_fill_ratio * longest) | (open_share >= _OPEN_SHARE))
    )
    previous = pl.col("text").shift(1).over(block)
    prev_table = pl.col("table").shift(1).over(block).fill_null(False)
    # A short line ends its paragraph only if it ends a sentence: "co-" at a wrap does not.
    prev_short = (
        (length.shift(1).over(block) < settings.short_line_ratio * longest)
        & previous.str.contains(_SENTENCE_END)
        & (pl.int_range(pl.len()).over(block) > 1)
    )
    flush_starts = prev_short | pl.col("line").str.contains(LIST_ITEM) | pl.col("line").str.contains(MARKDOWN_HEADING)
    last = pl.int_range(pl.len()).over(block) == n_lines - 1
    starts = (
        first
        | (last & pl.col("text").str.contains(SIGNOFF))
        | (pl.col("table") != prev_table)
        | (~pl.col("table") & (~wrapped | indented | (~indented_block & flush_starts)))
    )
    hyphenated = previous.str.contains(r"[\p{L}\p{N}]-$") & pl.col("text").str.contains(r"^[\p{L}\p{N}]")
    unspaced = previous.str.contains(_NO_SPACE_SCRIPT + "$") & pl.col("text").str.contains("^" + _NO_SPACE_SCRIPT)
    separator = (
        pl.when(pl.col("start"))
        .then(pl.lit(""))
        .when(pl.col("table"))
        .then(pl.lit("\n"))
        .when(hyphenated | previous.str.ends_with("\u00ad") | unspaced)
        .then(pl.lit(""))
        .otherwise(pl.lit(" "))
    )
    paragraph = ["doc", "para_no"]
    piece = (
        pl.when(pl.col("table"))
        .then(pl.col("line").str.slice(pl.col("indent").min().over(paragraph)).str.strip_chars_end())
        .otherwise(pl.col("text"))
    )
    table_row = _table_rows(settings)
    label = (length <= _TABLE_LABEL_CHARS) & pl.col("row").shift(1).over(block) & pl.col("row").shift(-1).over(block)
    # Column headers above the rows ("CUMULATIVE     QUOTA 1987" / "IMPORTS     ALLOCATIONS"): gaps, no figures.
    spaced = (pl.col("gaps") >= 1) & (length <= settings.wrap_width)
    ahead = pl.col("row").shift(-1).over(block)
    header = spaced & (ahead | (spaced.shift(-1).over(block) & pl.col("row").shift(-2).over(block)))
    return (
        lines.with_columns(
            blank=(pl.col("line").str.strip_chars() == "") | pl.col("line").str.contains(_SEPARATOR),
            indent=pl.col("line").str.len_chars() - pl.col("line").str.strip_chars_start().str.len_chars(),
            text=pl.col("line").str.strip_chars(),
            length=pl.col("line").str.strip_chars().str.len_chars(),
        )
        .with_columns(block=pl.col("blank").cum_sum().over("doc"))
        .filter(~pl.col("blank"))
        .with_columns(gaps=pl.col("text").str.count_matches(_COLUMN_GAP))
        .with_columns(row=table_row)
        .with_columns(table=pl.col("row") | label.fill_null(False) | header.fill_null(False))
        .with_columns(
            run=(pl.col("table") != pl.col("table").shift(1).over(block)).fill_null(True).cum_sum().over(block)
        )
        # A line alone between blank lines is a title or a paragraph, whatever its gaps ("BURLINGTON <BUR>  GETS").
        .with_columns(table=pl.col("table") & ((pl.col("row").sum().over([*block, "run"]) >= 2) | (n_lines >= 2)))
        .with_columns(start=starts, wire=wrapped & indented_block)
        .with_columns(para_no=(pl.col("start").cum_sum().over("doc") - 1).cast(pl.Int32))
        .with_columns(piece=separator + piece)
        .group_by(paragraph)
        .agg(raw=pl.col("piece").str.join(""), is_table=pl.col("table").first(), wire=pl.col("wire").first())
        .sort("doc", "para_no")
    )


def _split_wire_marks(paragraphs: pl.LazyFrame) -> pl.LazyFrame:
    """Wire marks run into a paragraph become paragraphs of their own, so nothing is lost and the body no
    longer carries them: an inline dateline opening the first body paragraph ("LONDON (Reuters) - Stocks
    fell ..." gives a ``dateline`` "LONDON (Reuters) -" before the rest), and a sign-off ending the last one
    ("... an ounce. REUTER" gives a ``signoff`` "REUTER" after the rest).

    One pass over the frame (a paragraph becomes a list of pieces, exploded): the plan above holds the
    display form's Python UDF, which Polars would run again for each branch of a filter-and-concat.
    """
    body = pl.col("role") == "body"
    para_no, text = pl.col("para_no"), pl.col("text")
    opening = body & (para_no == para_no.filter(body).min().over("doc")) & text.str.contains(DATELINE)
    closing = ~opening & body & (para_no == para_no.max().over("doc")) & text.str.contains(TRAILING_SIGNOFF)
    rest = text.str.extract(DATELINE, 4)
    head = text.str.slice(0, text.str.len_chars() - rest.str.len_chars()).str.strip_chars()
    pieces = (
        pl.when(opening)
        .then(pl.concat_list(head, rest))
        .when(closing)
        .then(pl.concat_list(text.str.extract(TRAILING_SIGNOFF, 1), text.str.extract(TRAILING_SIGNOFF, 2)))
        .otherwise(pl.concat_list(text))
    )
    roles = (
        pl.when(opening)
        .then(pl.concat_list(pl.lit("dateline"), pl.col("role")))
        .when(closing)
        .then(pl.concat_list(pl.col("role"), pl.lit("signoff")))
        .otherwise(pl.concat_list(pl.col("role")))
    )
    return (
        paragraphs.with_columns(split=opening | closing, text=pieces, role=roles)
        .explode("text", "role")
        .with_columns(
            canonical=pl.coalesce(canonical_form(pl.when(pl.col("split")).then(pl.col("text"))), pl.col("canonical")),
            para_no=pl.int_range(pl.len(), dtype=pl.Int32).over("doc"),
        )
        .drop("split")
    )


def _at(column: str, offset: int) -> pl.Expr:
    """The value of ``column`` in the paragraph ``offset`` places after this one."""
    return pl.col(column).shift(-offset).over("doc", order_by="para_no")


def assign_roles(paragraphs: pl.LazyFrame, settings: Settings) -> pl.LazyFrame:
    """Label each paragraph ``summary``, ``headline``, ``headline_repeat``, ``standfirst``, or a role after the
    headline (``transform.roles``: ``body``, ``table``, ``byline``, ...; wire datelines and sign-offs run into
    a paragraph are split off it).

    The headline is the first of the leading ``headline_search_depth`` paragraphs
    that is repeated right after itself (house layout), else the first marked as a
    markdown heading, else the first short enough to be a headline. Paragraphs
    before it are the summary. A standfirst follows the headline only in the
    house layout (a summary before, or a repeat after the headline).
    """
    depth = settings.headline_search_depth
    fits = pl.col("text").str.len_chars().is_between(
        settings.headline_min_chars, settings.headline_max_chars
    ) & ~pl.col("is_table")
    repeated = (pl.col("canonical") == _at("canonical", 1)) & (pl.col("canonical") != "") & fits
    leading = pl.col("para_no") < depth
    rank = (
        pl.when(leading & repeated).then(0).when(leading & pl.col("marked") & fits).then(1).when(leading & fits).then(2)
    )
    # Encode (rank, position) as one number so a per-doc min picks the best candidate.
    score = rank * 1_000 + pl.col("para_no")
    best = score.min().over("doc")
    headline_no = (best % 1_000).cast(pl.Int32)
    # Each form is computed on its own rows only (the other rows are null to it).
    prose = paragraphs.with_columns(prose=pl.when(~pl.col("is_table")).then(pl.col("raw")))
    return (
        display_form(prose, "prose", into="prose")
        .with_columns(
            text=pl.coalesce(table_display(pl.when(pl.col("is_table")).then(pl.col("raw"))), pl.col("prose")),
            marked=pl.col("raw").str.contains(_HEADLINE_MARK),
            heading=pl.col("raw").str.contains(MARKDOWN_HEADING),
        )
        .drop("prose")
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
        .with_columns(
            text=pl.when(pl.col("role") == "headline").then(trim_direction_marks(pl.col("text"))).otherwise("text"),
            first_body=pl.col("para_no").filter(pl.col("role") == "body").min().over("doc"),
        )
        .with_columns(
            role=pl.when(pl.col("role") == "body").then(body_role(wire_block=pl.col("wire"))).otherwise("role")
        )
        .pipe(_split_wire_marks)
        .select("doc", "para_no", "role", "text", "canonical", "is_table")
    )
