from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from newsflow.frames import ngram_rows

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
