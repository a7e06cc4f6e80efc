"""Text normalization as Polars expressions.

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

from functools import partial
from typing import Literal

import polars as pl

from newsflow.extract.decode import REMOVABLE

UnicodeForm = Literal["NFC", "NFKC"]

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


def _normalize_non_ascii(texts: pl.Series, form: UnicodeForm) -> pl.Series:
    non_ascii = (texts.str.len_bytes() != texts.str.len_chars()).fill_null(False)
    if not non_ascii.any():
        return texts
    return texts.clone().scatter(non_ascii.arg_true(), texts.filter(non_ascii).str.normalize(form))


def unicode_normalize(text: pl.Expr, form: UnicodeForm) -> pl.Expr:
    """``str.normalize(form)`` of the non-ASCII values only: ASCII text is in every normal form
    already, and normalizing it cost as much as the rest of the display pass."""
    return text.map_batches(partial(_normalize_non_ascii, form=form), return_dtype=pl.String, is_elementwise=True)


def _display_pass(text: pl.Expr) -> pl.Expr:
    cleaned = unicode_normalize(text, "NFC").str.replace_all(REMOVABLE, "")
    # NFC again: deleting markup can leave a letter next to a combining mark ("[e](u)\u0301").
    return unicode_normalize(collapse_whitespace(strip_markdown(collapse_whitespace(cleaned))), "NFC")


_MAX_DISPLAY_PASSES = 8


def _display_until_stable(texts: pl.Series) -> pl.Series:
    """Repeat the display pass on the texts the last pass changed, until none changes.

    One pass is not enough: a pairing regex consumes the space it needs as a left
    boundary, so "*a* *b*" keeps "*b*", and removing one markup layer can expose
    another ("_*a*_"). Text that is displayed again must not change (idempotence).
    Passes only delete characters (NFC does not grow NFC text), so this converges;
    the bound is a guard, and real text settles in one or two passes.
    """
    result = texts.rename("text")
    rows = pl.Series("row", range(texts.len()), dtype=pl.UInt32)
    pending = result
    for _ in range(_MAX_DISPLAY_PASSES):
        passed = pending.to_frame().select(_display_pass(pl.col("text"))).to_series()
        changed = passed.ne_missing(pending)
        if not changed.any():
            break
        rows, pending = rows.filter(changed), passed.filter(changed)
        result = result.scatter(rows, pending)
    return result.rename(texts.name)


def display_form(text: pl.Expr) -> pl.Expr:
    """The form shown to people: NFC, no markdown, single spaces, trimmed; displaying it again changes nothing."""
    return text.map_batches(_display_until_stable, return_dtype=pl.String, is_elementwise=True)


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
