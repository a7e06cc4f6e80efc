"""Polars expressions more than one step uses."""

from __future__ import annotations

import polars as pl


def is_in(column: str, values: pl.Series) -> pl.Expr:
    """``column`` takes one of ``values`` (deduplicated first: the lookups of published rows by a window's keys
    pass large series with many repeats)."""
    return pl.col(column).is_in(values.unique().implode())


def word_ngrams(words: pl.Expr, n: int) -> pl.Expr:
    """Each list of ``words`` as its word ``n``-grams, space-joined (none for a list shorter than ``n``)."""
    return words.list.eval(pl.concat_str([pl.element().shift(-i) for i in range(n)], separator=" ").drop_nulls())
