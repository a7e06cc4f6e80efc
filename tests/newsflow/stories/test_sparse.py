"""Pair sums as sparse products: the best pairs kept inside a chunk are the best pairs of the whole sum."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from newsflow.stories.sparse import pairs_sharing

ROWS = st.lists(
    st.tuples(st.sampled_from("abcdefgh"), st.sampled_from("tuvwxyz"), st.sampled_from([0.5, 1.0, 0.25])),
    min_size=1,
    max_size=40,
    unique_by=lambda row: (row[0], row[1]),
)


def _frame(rows: list[tuple[str, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"article_id": pl.String, "term": pl.String, "weight": pl.Float64}, orient="row")


def _best_by_frame(pairs: pl.DataFrame, best: int) -> pl.DataFrame:
    return pairs.sort(["article_id", "cosine", "other"], descending=[False, True, False]).filter(
        pl.int_range(pl.len()).over("article_id") < best
    )


@settings(max_examples=150, deadline=None)
@given(left=ROWS, right=ROWS, best=st.integers(1, 3), ordered=st.booleans())
def test_best_pairs_in_numpy_equal_the_best_of_all_pairs(
    left: list[tuple[str, str, float]], right: list[tuple[str, str, float]], best: int, ordered: bool
) -> None:
    a, b = _frame(left), _frame(right)
    order = (
        pl.DataFrame({"article_id": sorted(set(a.get_column("article_id")))})
        .with_row_index("order", offset=1)
        .with_columns(pl.col("order").cast(pl.Int64))
        if ordered
        else None
    )
    common = {"key": "term", "weight": "weight", "name": "cosine", "at_least": 0.1, "order": order}
    everything = pl.concat(
        [
            pl.DataFrame(schema={"article_id": pl.String, "other": pl.String, "cosine": pl.Float64}),
            *pairs_sharing(a, b, **common),
        ]
    )
    kept = pl.concat([everything.clear(), *pairs_sharing(a, b, best=best, **common)])
    assert everything.filter(pl.col("article_id") == pl.col("other")).is_empty()
    assert_frame_equal(_best_by_frame(kept, best), _best_by_frame(everything, best))
