"""Polars expressions more than one step uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl


def is_in(column: str, values: pl.Series) -> pl.Expr:
    """``column`` takes one of ``values`` (deduplicated first: the lookups of published rows by a window's keys
    pass large series with many repeats)."""
    return pl.col(column).is_in(values.unique().implode())


def within_top(column: str, k: int, *, over: str) -> pl.Expr:
    """Rows whose ``column`` reaches the ``k``-th highest of their ``over`` group (ties included): a numeric cut
    before ranking rows by slower keys (strings) to break the ties."""
    return pl.col(column) >= pl.col(column).top_k(k).min().over(over)


def positions(values: pl.Series, index: pl.Series) -> np.ndarray[Any, Any]:
    """Each of ``values``' position in ``index`` (distinct values; -1: not in it), through a hash map: no frame
    is joined or sorted, though the values are often millions."""
    numbers = pl.int_range(index.len(), dtype=pl.Int64, eager=True)
    return values.replace_strict(index, numbers, default=None, return_dtype=pl.Int64).fill_null(-1).to_numpy()


def ngram_rows(frame: pl.LazyFrame, words: pl.Expr, n: int, *, keep: Sequence[str]) -> pl.LazyFrame:
    """The ``keep`` columns and ``gram``, one row per word ``n``-gram (space-joined) of each row's list of
    ``words`` (none for a list shorter than ``n``).

    The lists are exploded once and each gram joins the next ``n - 1`` rows where they still belong to
    the same list: whole-column shifts, where ``list.eval`` builds each list's grams apart.
    """
    row = "__ngram_row"
    gram = pl.concat_str([pl.col("gram").shift(-i) for i in range(n)], separator=" ")
    return (
        frame.with_row_index(row)
        .select(row, *keep, gram=words)
        .explode("gram")
        .with_columns(gram=pl.when(pl.col(row).shift(-(n - 1)) == pl.col(row)).then(gram))
        .filter(pl.col("gram").is_not_null())
        .select(*keep, "gram")
    )
