"""What flows between steps."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from newsflow.records import Window, first_of_each


def test_first_of_each_keeps_an_articles_rows_from_the_first_frame_that_has_them() -> None:
    first = pl.DataFrame({"article_id": ["a", "a", "b"], "term": ["x", "y", "x"]})
    second = pl.DataFrame({"article_id": ["b", "c", "a"], "term": ["z", "z", "z"]})
    merged = first_of_each([first, second])
    expected = pl.DataFrame({"article_id": ["a", "a", "b", "c"], "term": ["x", "y", "x", "z"]})
    assert_frame_equal(merged, expected)
    assert_frame_equal(first_of_each([first]), first)


def test_a_window_gives_its_articles_evidence_only_when_the_shards_gave_all_of_it() -> None:
    articles = pl.DataFrame({"article_id": ["a", "c"]})
    vectors = pl.DataFrame({"article_id": ["a", "b", "c", "a"], "term": ["x", "x", "y", "z"]})
    window = Window(
        articles=articles, paragraphs=pl.DataFrame(), duplicates=pl.DataFrame(), evidence={"vectors": vectors}
    )
    given = window.evidence_of_articles("vectors")
    assert given is not None
    assert_frame_equal(given[0], vectors.filter(pl.col("article_id") != "b"))
    assert window.evidence_of_articles("vectors", "quotes") is None
    assert window.but(evidence={}).evidence_of_articles("vectors") is None
