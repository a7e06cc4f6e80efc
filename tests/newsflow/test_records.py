"""What flows between steps."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from newsflow.records import first_of_each


def test_first_of_each_keeps_an_articles_rows_from_the_first_frame_that_has_them() -> None:
    first = pl.DataFrame({"article_id": ["a", "a", "b"], "term": ["x", "y", "x"]})
    second = pl.DataFrame({"article_id": ["b", "c", "a"], "term": ["z", "z", "z"]})
    merged = first_of_each([first, second])
    expected = pl.DataFrame({"article_id": ["a", "a", "b", "c"], "term": ["x", "y", "x", "z"]})
    assert_frame_equal(merged, expected)
    assert_frame_equal(first_of_each([first]), first)
