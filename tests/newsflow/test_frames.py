from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from newsflow.frames import ngram_rows, positions, within_top

WORDS = st.lists(st.sampled_from(["a", "b", "c", "dd", "é", "中文"]), max_size=9)


def per_list(frame: pl.DataFrame, n: int) -> pl.DataFrame:
    """The grams built inside each list (``list.eval``), the way ``ngram_rows`` replaced."""
    grams = pl.col("words").list.eval(
        pl.concat_str([pl.element().shift(-i) for i in range(n)], separator=" ").drop_nulls()
    )
    return frame.select("key", gram=grams).explode("gram").drop_nulls()


@settings(max_examples=200, deadline=None)
@given(lists=st.lists(WORDS, max_size=6), n=st.integers(1, 6))
def test_ngram_rows_are_the_grams_of_each_list_in_order(lists: list[list[str]], n: int) -> None:
    frame = pl.DataFrame(
        {"key": list(range(len(lists))), "words": lists}, schema={"key": pl.Int64, "words": pl.List(pl.String)}
    )
    grams = ngram_rows(frame.lazy(), pl.col("words"), n, keep=["key"]).collect()
    assert_frame_equal(grams, per_list(frame, n))


def test_a_gram_never_spans_two_lists() -> None:
    frame = pl.DataFrame({"key": [1, 2, 3], "words": [["a", "b"], [], ["c", "d", "e"]]})
    grams = ngram_rows(frame.lazy(), pl.col("words"), 2, keep=["key"]).collect()
    assert grams.rows() == [(1, "a b"), (3, "c d"), (3, "d e")]


def test_positions_are_indices_in_the_index_or_minus_one() -> None:
    index = pl.Series(["b", "d", "a"])
    found = positions(pl.Series(["a", "x", "d", "a", "b"]), index)
    assert found.tolist() == [2, -1, 1, 2, 0]


def test_within_top_keeps_ties_at_the_cut() -> None:
    frame = pl.DataFrame({"g": ["x"] * 4 + ["y"], "v": [3.0, 1.0, 2.0, 2.0, 0.5]})
    kept = frame.filter(within_top("v", 2, over="g"))
    # Group x's second highest is 2.0: both rows holding it reach the cut; y has one row.
    assert sorted(kept.get_column("v").to_list()) == [0.5, 2.0, 2.0, 3.0]
