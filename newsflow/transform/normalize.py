"""Text normalization in Polars: expressions, and the display form as columns of a frame.

Two forms of every piece of text:

* **display**: what people read. Unicode NFC (composes accents without changing
  meaning; NFKC would turn "²" into "2" or full-width digits into ASCII, which is
  not ours to decide for display), characters that carry nothing removed
  (``REMOVABLE``: zero-width space, word joiner, stray BOM, soft hyphen; never the
  zero-width joiner or non-joiner), markdown emphasis stripped, whitespace collapsed
  and trimmed. A table keeps its line breaks and column spacing (``table_display``).
* **canonical**: what machines compare and hash. NFKC on top of the display form
  (compatibility variants compare equal), lower-cased, dashes split words, every
  other punctuation mark (quote variants included) dropped, whitespace collapsed.
"""

from __future__ import annotations

from typing import Literal, TypeVar

import polars as pl

from newsflow.extract.decode import REMOVABLE

UnicodeForm = Literal["NFC", "NFKC"]
FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)

_MARKDOWN_RULES: tuple[tuple[str, str], ...] = (
    (r"^\s{0,3}#{1,6}\s+", ""),  # ATX heading marker
    (r"\s+#+\s*$", ""),  # closing ATX hashes
    # "\S|" first: a greedy "\S(?:.*?\S)?" ran from a one-letter "**a**" on to the next bold word's end.
    (r"\*\*(\S|\S.*?\S)\*\*", "$1"),  # **bold**
    (r"(^|[^\w])__(\S|\S.*?\S)__($|[^\w])", "${1}${2}${3}"),  # __bold__, not snake__case
    (r"(^|[^\w*])\*(\S(?:[^*]*?\S)?)\*($|[^\w*])", "${1}${2}${3}"),  # *italic*, not 2*3*4
    (r"(^|[^\w])_(\S(?:[^_]*?\S)?)_($|[^\w])", "${1}${2}${3}"),  # _italic_, not snake_case
    (r"\[([^\]]+)\]\([^)\s]*\)", "$1"),  # [text](url)
    (r"^\*\*\s*|\s*\*\*$", ""),  # unbalanced bold left at either end
)
MARKDOWN_HEADING = r"^\s*(?:#{1,6}\s+\S.*|\*\*\S.*\S\*\*|__\S.*\S__)\s*$"
"""A whole paragraph marked as a heading: ``# x``, ``**x**`` or ``__x__``."""


def strip_markdown(text: pl.Expr) -> pl.Expr:
    """Remove markdown emphasis, heading markers and link targets, keeping the words."""
    for pattern, replacement in _MARKDOWN_RULES:
        text = text.str.replace_all(pattern, replacement)
    return text


def collapse_whitespace(text: pl.Expr) -> pl.Expr:
    # Only what must change matches (runs, and single tabs or no-break spaces): "\s+" also
    # replaced every single space by itself, at five times the cost.
    return text.str.replace_all(r"\s{2,}|[^\S ]", " ").str.strip_chars()


def unicode_normalize(text: pl.Expr, form: UnicodeForm) -> pl.Expr:
    """``str.normalize(form)`` of the non-ASCII values only: ASCII text is in every normal form already, and
    normalizing it cost as much as the rest of the display pass. ``text`` is evaluated more than once: pass
    a column or a cheap expression.

    No Python function runs inside the expression: one that calls Polars from Polars' own threads (as a
    ``map_batches`` on a Series does) deadlocked a run whose threads were all collecting at once.
    """
    non_ascii = text.str.len_bytes() != text.str.len_chars()
    return pl.coalesce(pl.when(non_ascii).then(text).str.normalize(form), text)


def _display_pass(frame: FrameT, source: str, into: str) -> FrameT:
    cleaned = unicode_normalize(pl.col(source), "NFC").str.replace_all(REMOVABLE, "")
    # NFC again: deleting markup can leave a letter next to a combining mark ("[e](u)\u0301").
    stripped = frame.with_columns(collapse_whitespace(strip_markdown(collapse_whitespace(cleaned))).alias(into))
    return stripped.with_columns(unicode_normalize(pl.col(into), "NFC"))


_MAX_DISPLAY_PASSES = 8
_STAGE = "__display_{}"
_PENDING = "__display_pending"


def display_form(frame: FrameT, column: str, *, into: str) -> FrameT:
    """``frame`` with ``into``: the form of ``column`` shown to people (NFC, no markdown, single spaces,
    trimmed); displaying it again changes nothing.

    The display pass is repeated on the values the last pass changed, until none changes.
    One pass is not enough: a pairing regex consumes the space it needs as a left
    boundary, so "*a* *b*" keeps "*b*", and removing one markup layer can expose
    another ("_*a*_"). Passes only delete characters (NFC does not grow NFC text), so
    this converges; the bound is a guard, and real text settles in one or two passes.
    Each pass after the first runs on the changed values only (the others are null to it),
    as columns of ``frame`` rather than a Python loop, so it stays one Polars plan.
    """
    stages = [_STAGE.format(k) for k in range(_MAX_DISPLAY_PASSES + 1)]
    frame = _display_pass(frame.with_columns(pl.col(column).alias(stages[0])), stages[0], stages[1])
    for k in range(2, len(stages)):
        last, before = pl.col(stages[k - 1]), pl.col(stages[k - 2])
        frame = _display_pass(
            frame.with_columns(pl.when(last.ne_missing(before)).then(last).alias(_PENDING)), _PENDING, stages[k]
        )
        frame = frame.with_columns(pl.coalesce(stages[k], stages[k - 1]).alias(stages[k])).drop(stages[k - 2], _PENDING)
    return frame.with_columns(pl.col(stages[-1]).alias(into)).drop(stages[-2], stages[-1])


_EDGE_DIRECTION_MARKS = (
    r"^[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]+|[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]+$"
)


def trim_direction_marks(text: pl.Expr) -> pl.Expr:
    """Without directional marks at its very edges (noise around a headline; inside text they are kept)."""
    return text.str.replace_all(_EDGE_DIRECTION_MARKS, "")


def table_display(text: pl.Expr) -> pl.Expr:
    """The display form of a table: NFC and without ``REMOVABLE`` characters like prose, but its line breaks,
    column spacing and markup kept (only spaces at line ends go): which column a figure is in is content."""
    cleaned = unicode_normalize(text, "NFC").str.replace_all(REMOVABLE, "")
    return cleaned.str.replace_all(r"[ \t]+(\n|$)", "$1").str.strip_chars("\n")


def canonical_form(display: pl.Expr) -> pl.Expr:
    """The form compared and hashed; apply to the display form.

    Format characters (``\\p{Cf}``: bidi marks, joiners) are dropped: an RLM before an
    Arabic headline or a ZWJ in an emoji sequence must not make two copies differ.
    """
    folded = unicode_normalize(display, "NFKC").str.to_lowercase().str.replace_all(r"\p{Cf}", "")
    spaced = folded.str.replace_all(r"\p{Pd}", " ")
    return collapse_whitespace(spaced.str.replace_all(r"\p{P}", ""))


def word_count(text: pl.Expr) -> pl.Expr:
    return text.str.count_matches(r"\S+").cast(pl.Int32)
