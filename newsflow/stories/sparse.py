"""Pair sums as sparse products (SciPy) over integer indices: shared-term dot products, shared quotes and
cosines of candidate pairs, in chunks of bounded memory."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl

from newsflow.frames import is_in, positions, within_top
from newsflow.lazy import scipy_sparse
from newsflow.parallel import IN_PROCESS, Pool

_COSINE_DIGITS = 9
"""Cosines are rounded: a pair sitting on a threshold then lands on the same side on every machine."""


_PRODUCTS = 8_000_000
"""Term products (a left posting times a right posting) computed at once: bounds the memory of a sparse
product (its output holds at most this many pairs, ~16 B each), whatever the batch size."""


def _index(values: pl.Series) -> pl.DataFrame:
    """Each distinct value once, sorted, with its matrix ``index``: a fixed order, so sparse sums add their
    terms in the same order on every run (a float sum depends on it)."""
    return values.unique().sort().to_frame().with_row_index("index")


def _matrix(frame: pl.DataFrame, rows: pl.DataFrame, columns: pl.DataFrame, weight: str | None) -> Any:
    """A CSR matrix of ``frame``: rows and columns numbered by ``_index`` frames (their value column names the
    ``frame`` column); entries ``weight`` (1 if None), rows outside either index left out."""
    # An index frame numbers its rows in order (``_index``, ``_in_arrival_order``): a value's index is its row.
    row = positions(frame.get_column(rows.columns[1]), rows.get_column(rows.columns[1]))
    column = positions(frame.get_column(columns.columns[1]), columns.get_column(columns.columns[1]))
    data = frame.get_column(weight).to_numpy() if weight else np.ones(frame.height)
    inside = (row >= 0) & (column >= 0)
    if not inside.all():  # usually every row is inside: then no copies of millions of entries
        row, column, data = row[inside], column[inside], data[inside]
    matrix = scipy_sparse().csr_array((data, (row, column)), shape=(rows.height, columns.height))
    # Each row's entries by column, whatever the frame's row order (SciPy already sorts them when it
    # converts coordinates, cheaper than sorting the frame).
    matrix.sort_indices()
    return matrix


def _row_chunks(cost: np.ndarray[Any, Any], *, parts: int = 1) -> list[tuple[int, int]]:
    """Consecutive row ranges whose ``cost`` adds up to about ``_PRODUCTS`` (a costlier row alone), and at least
    ``parts`` of them when there are that many rows (one per worker)."""
    budget = max(1, min(_PRODUCTS, int(cost.sum()) // parts + 1)) if parts > 1 else _PRODUCTS
    edges = np.flatnonzero(np.diff(np.cumsum(cost) // budget)) + 1
    return list(itertools.pairwise([0, *edges.tolist(), len(cost)]))


def _in_arrival_order(
    left: pl.DataFrame, right: pl.DataFrame, order: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``_index`` frames of the left and right articles numbered in arrival order (``order``; a right article
    missing from it is published, first of all), and the arrival order of each (published: 0).

    The published articles among themselves are in no particular order. No sum depends on it: SciPy adds a
    pair's products in the order of the left row's keys, and ties between partners are broken by id
    (``pairs_sharing``). Sorting their ids cost more than the product itself in a late window."""
    mine = left.select("article_id").unique().join(order, on="article_id").sort("order")
    theirs = (
        right.select("article_id")
        .unique()
        .join(order, on="article_id", how="left")
        .with_columns(pl.col("order").fill_null(0))
        .sort("order")
    )
    return (
        mine.drop("order").with_row_index("index"),
        theirs.drop("order").with_row_index("index"),
        mine.get_column("order").to_numpy(),
        theirs.get_column("order").to_numpy(),
    )


def pairs_sharing(
    left: pl.DataFrame,
    right: pl.DataFrame,
    *,
    key: str,
    weight: str | None,
    name: str,
    at_least: float,
    order: pl.DataFrame | None = None,
    best: int | None = None,
    pool: Pool = IN_PROCESS,
) -> Iterator[pl.DataFrame]:
    """``article_id``, ``other`` and ``name``, the sum over the ``key`` values they share of the product of
    their ``weight`` (1 if None: a count), for pairs where it is at least ``at_least``; one chunk of left
    articles at a time, each with all of its pairs (with ``order``: ``article_id``, ``order`` of the batch, only
    those whose ``other`` arrived before ``article_id``; an article missing from it is published, before all;
    with ``best``, only each article's ``best`` pairs of the highest sum, ties to the smaller ``other``).

    A sparse product over integer indices (SciPy): the string join and group-by it replaced
    made a row per (left key, right posting), several times slower. With ``order`` the
    articles are numbered in arrival order and a chunk of left articles is multiplied only
    by the right articles before its last: about half the products.
    """
    keys = _index(left.get_column(key))
    right = right.filter(is_in(key, keys.get_column(key)))  # a hash filter: cheaper than a semi join
    if order is None:
        mine, theirs = _index(left.get_column("article_id")), _index(right.get_column("article_id"))
    else:
        mine, theirs, arrived, arrived_other = _in_arrival_order(left, right, order)
        # Right articles before each left one: a prefix of the right numbering.
        before = np.searchsorted(arrived_other, arrived, side="left")
    a = _matrix(left, mine, keys, weight)
    b = _matrix(right, keys, theirs, weight)
    postings = np.diff(b.indptr)
    cost = (a != 0).astype(np.int64) @ postings
    ranges = [(start, stop) for start, stop in _row_chunks(cost, parts=pool.workers) if stop > start]
    found = pool.map(
        _chunk_pairs,
        ranges,
        a=a,
        b=b,
        before=None if order is None else before,
        arrived=None if order is None else (arrived, arrived_other),
        rounded=weight is not None,
        at_least=at_least,
    )
    # An article paired with itself (no ``order``) is left out; with ``best``, each article's best pairs are
    # picked by number before any id is looked up: a chunk can hold millions of pairs.
    same = mine.join(theirs, on="article_id", suffix="_other")
    itself = np.full(mine.height, -1, dtype=np.int64)
    itself[same.get_column("index").to_numpy()] = same.get_column("index_other").to_numpy()
    id_rank = None if best is None else theirs.get_column("article_id").rank("ordinal").to_numpy()
    for rows, columns, total in found:
        pairs = pl.DataFrame({"r": rows, "c": columns, name: total}).filter(pl.Series(itself[rows] != columns))
        if best is not None and id_rank is not None:
            # Only the pairs reaching an article's best sums are sorted with their partner's id rank.
            pairs = pairs.filter(within_top(name, best, over="r"))
            pairs = (
                pairs.with_columns(rank=pl.Series(id_rank[pairs.get_column("c").to_numpy()]))
                .sort(["r", name, "rank"], descending=[False, True, False])
                .filter(pl.int_range(pl.len()).over("r") < best)
            )
        yield (
            pairs.join(mine.rename({"index": "r"}), on="r")
            .join(theirs.rename({"index": "c", "article_id": "other"}), on="c")
            .select("article_id", "other", name)
        )


def _chunk_pairs(
    rows: tuple[int, int],
    *,
    a: Any,
    b: Any,
    before: np.ndarray[Any, Any] | None,
    arrived: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None,
    rounded: bool,
    at_least: float,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Row index, column index and sum of the pairs of rows ``start:stop`` of ``a @ b`` reaching ``at_least``;
    with ``before`` and ``arrived`` only the columns that arrived before their row."""
    start, stop = rows
    product = (a[start:stop] @ (b if before is None else b[:, : before[stop - 1]])).tocoo()
    # Most sums are far below the threshold: they are dropped before anything else is done with them.
    # Rounding moves a sum by at most half a unit of its last digit kept, so none below this can reach it.
    near = product.data >= (at_least - 10.0**-_COSINE_DIGITS if rounded else at_least)
    row, column, total = product.row[near], product.col[near], product.data[near]
    if rounded:
        total = total.round(_COSINE_DIGITS)
    keep = total >= at_least
    if arrived is not None:
        mine, theirs = arrived
        keep &= theirs[column] < mine[row + start]
    return row[keep].astype(np.uint32) + start, column[keep].astype(np.uint32), total[keep]


def dot(
    left: pl.DataFrame,
    right: pl.DataFrame,
    *,
    min_cosine: float,
    per_article: int,
    order: pl.DataFrame | None = None,
    pool: Pool = IN_PROCESS,
) -> pl.DataFrame:
    """``article_id``, ``other``, ``cosine`` over shared terms: the ``per_article`` best pairs of each left
    article reaching ``min_cosine`` (ties to the smaller ``other``), among the articles before it when
    ``order`` is given (``pairs_sharing``)."""
    parts = pairs_sharing(
        left,
        right,
        key="term",
        weight="weight",
        name="cosine",
        at_least=min_cosine,
        order=order,
        best=per_article,
        pool=pool,
    )
    return pl.concat([pl.DataFrame(schema=_PAIR_COSINE), *parts])


def shared_quotes(
    left: pl.DataFrame,
    right: pl.DataFrame,
    quoted: pl.DataFrame,
    *,
    min_shared: int,
    min_share: float,
    per_article: int = 0,
    most: int | None = None,
    order: pl.DataFrame | None = None,
    pool: Pool = IN_PROCESS,
) -> pl.DataFrame:
    """``article_id``, ``other``, ``shared_quotes``, ``quote_share`` for pairs sharing at least ``min_shared``
    quote hashes, that many being at least ``min_share`` of the fewer-quoting article's ``grams`` (``quoted``):
    the ``most`` sharing such partners of each article (all: None), and its ``per_article`` most sharing
    partners whatever their share, among the articles before it when ``order`` is given (``pairs_sharing``).
    Ties go to the smaller ``other``.
    """
    backed = pl.col("quote_share") >= min_share
    within = pl.lit(True) if most is None else backed.cum_sum().over("article_id") <= most
    parts = [
        pairs.with_columns(pl.col("shared_quotes").cast(pl.Int32))
        .join(quoted, on="article_id")
        .join(quoted.rename({"article_id": "other", "grams": "grams_other"}), on="other")
        .with_columns(quote_share=pl.col("shared_quotes") / pl.min_horizontal("grams", "grams_other"))
        .sort(["article_id", "shared_quotes", "other"], descending=[False, True, False])
        .filter((backed & within) | (pl.int_range(pl.len()).over("article_id") < per_article))
        .drop("grams", "grams_other")
        for pairs in pairs_sharing(
            left,
            right,
            key="quote_hash",
            weight=None,
            name="shared_quotes",
            at_least=min_shared,
            order=order,
            pool=pool,
        )
    ]
    return pl.concat([pl.DataFrame(schema=_PAIR_QUOTES), *parts])


def _pair_products(
    pairs: pl.DataFrame, left: pl.DataFrame, right: pl.DataFrame, *, key: str, weight: str | None
) -> tuple[pl.DataFrame, np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``pairs`` (``article_id``, ``other``) in a fixed order, and for each the sum over the ``key`` values both
    hold of the product of their ``weight`` (1 if None), and how many they share: ``article_id``'s rows of
    ``left`` against ``other``'s of ``right``."""
    left = left.join(pairs.select("article_id").unique(), on="article_id", how="semi")
    keys = _index(left.get_column(key))
    mine = _index(pairs.get_column("article_id"))
    theirs = _index(pairs.get_column("other")).rename({"other": "article_id"})
    a = _matrix(left, mine, keys, weight)
    b = _matrix(right, theirs, keys, weight)
    indexed = (
        pairs.select("article_id", "other")
        .join(mine.rename({"index": "r"}), on="article_id")
        .join(theirs.rename({"index": "c", "article_id": "other"}), on="other")
        .sort("r", "c")
    )
    rows, columns = indexed.get_column("r").to_numpy(), indexed.get_column("c").to_numpy()
    sums, shared = [np.zeros(0)], [np.zeros(0, dtype=np.int32)]
    # A row of products per pair: the article's whole row, so chunks bound memory.
    for start, stop in _row_chunks(np.diff(a.indptr)[rows]):
        products = a[rows[start:stop]].multiply(b[columns[start:stop]]).tocsr()
        sums.append(np.asarray(products.sum(axis=1)).ravel())
        shared.append(np.diff(products.indptr))
    return indexed.select("article_id", "other"), np.concatenate(sums), np.concatenate(shared)


def pair_quotes(pairs: pl.DataFrame, left: pl.DataFrame, right: pl.DataFrame, quoted: pl.DataFrame) -> pl.DataFrame:
    """``article_id``, ``other``, ``shared_quotes``, ``quote_share`` (as ``shared_quotes``) of each of ``pairs``
    sharing a quote hash: ``article_id``'s rows in ``left`` against ``other``'s in ``right``."""
    if pairs.is_empty():
        return pl.DataFrame(schema=_PAIR_QUOTES)
    indexed, _, shared = _pair_products(pairs, left, right, key="quote_hash", weight=None)
    return (
        indexed.with_columns(shared_quotes=pl.Series(shared, dtype=pl.Int32))
        .filter(pl.col("shared_quotes") > 0)
        .join(quoted, on="article_id")
        .join(quoted.rename({"article_id": "other", "grams": "grams_other"}), on="other")
        .select(
            "article_id",
            "other",
            "shared_quotes",
            quote_share=pl.col("shared_quotes") / pl.min_horizontal("grams", "grams_other"),
        )
    )


def pair_cosines(pairs: pl.DataFrame, vectors: pl.DataFrame, pool: pl.DataFrame) -> pl.DataFrame:
    """``article_id``, ``other``, ``cosine`` and ``shared_terms`` (terms in both) of each pair: ``article_id``'s
    vector against ``other``'s (in ``pool``)."""
    if pairs.is_empty():
        return pl.DataFrame(schema=_PAIR_COSINE_TERMS)
    indexed, cosines, shared = _pair_products(pairs, vectors, pool, key="term", weight="weight")
    return indexed.with_columns(
        cosine=pl.Series(cosines.round(_COSINE_DIGITS)),
        shared_terms=pl.Series(shared, dtype=pl.Int32),
    )


_PAIR_COSINE = {"article_id": pl.String, "other": pl.String, "cosine": pl.Float64}
_PAIR_COSINE_TERMS = {**_PAIR_COSINE, "shared_terms": pl.Int32}
_PAIR_QUOTES = {"article_id": pl.String, "other": pl.String, "shared_quotes": pl.Int32, "quote_share": pl.Float64}
