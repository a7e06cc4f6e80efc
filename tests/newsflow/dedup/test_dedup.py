from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from newsflow.config import Settings
from newsflow.dedup import near as dedup
from newsflow.dedup.exact import split_exact_duplicates
from newsflow.dedup.paragraphs import remove_repeated_paragraphs


def roles(paragraphs: list[tuple[int, str, str]]) -> pl.LazyFrame:
    """(doc, role, canonical) rows; text is a sentence made of the canonical form (prose)."""
    frame = pl.DataFrame(paragraphs, schema={"doc": pl.Int64, "role": pl.String, "canonical": pl.String}, orient="row")
    return frame.with_columns(
        text=pl.format("The {} story goes on.", pl.col("canonical").str.to_uppercase()),
        para_no=pl.int_range(pl.len(), dtype=pl.Int32).over("doc"),
    ).lazy()


def test_keeps_first_occurrence_and_flags_repeats() -> None:
    frame = roles(
        [
            (0, "headline", "h"),
            (0, "body", "a"),
            (0, "body", "b"),
            (0, "body", "a"),
            (0, "body", "h"),
            (1, "headline", "x"),
            (1, "body", "a"),
        ]
    )
    out = remove_repeated_paragraphs(frame).collect()
    assert out.select("doc", "canonical", "is_repeat", "position").rows() == [
        (0, "a", False, 0),
        (0, "b", False, 1),
        (0, "a", True, None),
        (1, "a", False, 0),
    ]


def test_exact_duplicates_keep_first_path_and_respect_published() -> None:
    candidates = pl.DataFrame({"source_path": ["b.txt", "a.txt", "c.txt", "d.txt"], "article_id": ["1", "1", "2", "3"]})
    kept, duplicates = split_exact_duplicates(candidates, pl.Series(["3"]))
    assert kept.get_column("source_path").to_list() == ["a.txt", "c.txt"]
    assert duplicates.select("source_path", "duplicate_of", "kind", "similarity").rows() == [
        ("b.txt", "1", "exact", 1.0),
        ("d.txt", "3", "exact", 1.0),
    ]


bodies = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from(["body", "headline"]), st.sampled_from("abcde")), max_size=40
)


@given(bodies)
def test_paragraph_dedup_twice_equals_once(rows: list[tuple[int, str, str]]) -> None:
    once = remove_repeated_paragraphs(roles(rows)).filter(~pl.col("is_repeat")).collect()
    again_input = once.with_columns(role=pl.lit("body")).lazy()
    twice = remove_repeated_paragraphs(again_input).filter(~pl.col("is_repeat")).collect()
    assert_frame_equal(once, twice)


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from("xyz")), max_size=30, unique_by=lambda r: r[0]))
def test_article_dedup_twice_equals_once(rows: list[tuple[str, str]]) -> None:
    candidates = pl.DataFrame(rows, schema={"source_path": pl.String, "article_id": pl.String}, orient="row")
    kept, _ = split_exact_duplicates(candidates, pl.Series([], dtype=pl.String))
    kept_again, duplicates_again = split_exact_duplicates(kept, pl.Series([], dtype=pl.String))
    assert_frame_equal(kept, kept_again)
    assert duplicates_again.height == 0
    assert kept.get_column("article_id").is_unique().all()


def test_signatures_in_chunks_equal_signatures_in_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shingling a few articles at a time (to bound memory) yields the same band hashes."""
    words = [
        "the",
        "minister",
        "said",
        "the",
        "vote",
        "on",
        "the",
        "border",
        "deal",
        "would",
        "come",
        "before",
        "the",
        "summit",
        "in",
        "spring",
    ]
    paragraphs = pl.DataFrame(
        {
            "article_id": [f"a{i}" for i in range(7) for _ in range(2)],
            "position": [p for _ in range(7) for p in range(2)],
            "canonical": [" ".join(words[i : i + 8 + p]) for i in range(7) for p in range(2)],
            "role": ["body"] * 14,
        }
    ).with_columns(text=pl.col("canonical"))
    articles = pl.DataFrame(
        {"article_id": [f"a{i}" for i in range(7)], "headline": [f"Headline {i}" for i in range(7)]}
    )
    texts = dedup.compared_texts(articles, paragraphs)
    whole = dedup.batch_signatures(texts, Settings())
    monkeypatch.setattr(dedup, "_SIGNATURE_ARTICLES", 2)
    chunked = dedup.batch_signatures(texts, Settings())
    assert whole.height == 7
    assert_frame_equal(whole.sort("key"), chunked.sort("key"))
