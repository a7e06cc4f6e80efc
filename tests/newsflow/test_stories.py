from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from newsflow import stories
from newsflow.config import Settings


def paragraphs(**bodies: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "article_id": list(bodies),
            "text": list(bodies.values()),
            "canonical": [b.lower().replace('"', "").replace(",", "").replace(".", "") for b in bodies.values()],
            "is_boilerplate": [False] * len(bodies),
        }
    )


def test_quotes_are_shingled_from_quotation_marks_only() -> None:
    grams = stories.quote_grams(
        paragraphs(a='He said "we will not back down on this matter at all" today.', b="No quotes here at all.")
    )
    assert grams.get_column("article_id").unique().to_list() == ["a"]
    assert grams.height == 10 - 6 + 1  # ten quoted words


def test_tfidf_vectors_are_unit_length() -> None:
    counts = stories.term_counts(paragraphs(a="cartels military mexico mexico", b="football match goal"))
    vectors = stories.tfidf(counts, counts.group_by("term").agg(df=pl.len()), 2)
    norms = vectors.group_by("article_id").agg((pl.col("weight") ** 2).sum().sqrt())
    assert all(abs(n - 1) < 1e-9 for n in norms.get_column("weight"))


def test_shared_quote_links_moderately_similar_articles_but_topic_words_alone_do_not() -> None:
    quote = '"The United States is not going to come to Mexico with the military," she said.'
    bodies = paragraphs(
        a=f"Sheinbaum rejected intervention over cartels. {quote}",
        b=f"Mexico president dismissed military plans against cartels. {quote}",
        c="Mexico president discussed cartels and tariffs with trade partners.",
    )
    counts, quotes = stories.term_counts(bodies), stories.quote_grams(bodies)
    vectors = stories.tfidf(counts, counts.group_by("term").agg(df=pl.len()), 3)
    empty_terms = pl.DataFrame(schema={"article_id": pl.String, "term": pl.String, "weight": pl.Float64})
    linked = stories.links(vectors, quotes, empty_terms.lazy(), quotes.head(0).lazy(), Settings())
    pairs = {tuple(sorted(p)) for p in linked.select("article_id", "other").iter_rows()}
    assert pairs == {("a", "b")}
    batch = pl.DataFrame({"article_id": ["a", "b", "c"], "word_count": [10, 12, 9], "source_path": ["a", "b", "c"]})
    assigned = dict(
        stories.assign(batch, linked, pl.DataFrame(schema={"article_id": pl.String, "story_id": pl.String})).iter_rows()
    )
    assert assigned["a"] == assigned["b"] != assigned["c"]


EMPTY_TERMS = pl.DataFrame(schema={"article_id": pl.String, "term": pl.String, "weight": pl.Float64})


def linked_pairs(bodies: pl.DataFrame, config: Settings) -> set[tuple[str, str]]:
    counts, quotes = stories.term_counts(bodies), stories.quote_grams(bodies)
    vectors = stories.tfidf(counts, counts.group_by("term").agg(df=pl.len()), bodies.height)
    linked = stories.links(vectors, quotes, EMPTY_TERMS.lazy(), quotes.head(0).lazy(), config)
    return {(a, o) for a, o in linked.select("article_id", "other").iter_rows() if a < o}


def test_a_quote_in_more_articles_than_the_cap_is_no_evidence() -> None:
    quote = '"The United States is not going to come to Mexico with the military," she said.'
    bodies = paragraphs(
        a=f"Sheinbaum rejected intervention over cartels. {quote}",
        b=f"Mexico president dismissed military plans against cartels. {quote}",
    )
    assert linked_pairs(bodies, Settings()) == {("a", "b")}
    # Two articles quote it: over a cap of one, it is a stock phrase, and topic words alone do not link.
    assert linked_pairs(bodies, Settings(story_quote_postings=1)) == set()


def test_only_the_heaviest_terms_propose_candidates() -> None:
    bodies = paragraphs(
        a="harbour harbour harbour ferry strike",
        b="glacier glacier glacier ferry strike",
        c="orchestra violin concert",
    )
    # Cosine 0.21: "ferry" and "strike" are shared, but each article's heaviest term is its own.
    config = Settings(story_cosine=0.2)
    assert linked_pairs(bodies, config) == {("a", "b")}
    assert linked_pairs(bodies, config.replace(story_candidate_terms=1)) == set()


def test_rough_pairs_keep_the_best_per_article_ties_to_the_smaller_id() -> None:
    left = pl.DataFrame({"article_id": ["a"], "term": ["t"], "weight": [0.5]})
    right = pl.DataFrame({"article_id": ["a", "d", "c", "b"], "term": ["t"] * 4, "weight": [0.5, 0.9, 0.9, 0.1]})
    best = stories._dot(left, right, min_cosine=0.0, per_article=2)
    assert best.select("article_id", "other").rows() == [("a", "c"), ("a", "d")]
    assert stories._dot(left, right, min_cosine=0.1, per_article=5).get_column("other").sort().to_list() == ["c", "d"]


def test_new_article_joins_the_published_story() -> None:
    linked = pl.DataFrame(
        {"article_id": ["new"], "other": ["old"], "cosine": [0.9], "shared_quotes": [0], "rule": ["r"]}
    )
    batch = pl.DataFrame({"article_id": ["new"], "word_count": [5], "source_path": ["n"]})
    history = pl.DataFrame({"article_id": ["old"], "story_id": ["S1"]})
    assert stories.assign(batch, linked, history).rows() == [("new", "S1")]


WORDS = [
    "cartel",
    "military",
    "mexico",
    "border",
    "tariff",
    "summit",
    "minister",
    "election",
    "vote",
    "court",
    "ruling",
    "storm",
    "flood",
    "market",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(WORDS), min_size=3, max_size=12), min_size=2, max_size=25),
    st.integers(min_value=1, max_value=40),
)
def test_links_in_small_chunks_equal_links_in_one(bodies: list[list[str]], join_rows: int) -> None:
    """Chunking the pairwise joins (to bound memory) changes no link and no cosine."""
    frame = paragraphs(**{f"a{i:02d}": " ".join(words) for i, words in enumerate(bodies)})
    counts, quotes = stories.term_counts(frame), stories.quote_grams(frame)
    vectors = stories.tfidf(counts, counts.group_by("term").agg(df=pl.len()), len(bodies))
    empty_terms = pl.DataFrame(schema={"article_id": pl.String, "term": pl.String, "weight": pl.Float64})
    config = Settings(story_cosine=0.3)

    def linked() -> pl.DataFrame:
        return stories.links(vectors, quotes, empty_terms.lazy(), quotes.head(0).lazy(), config).sort(
            "article_id", "other"
        )

    whole = linked()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stories, "_JOIN_ROWS", join_rows)
        assert_frame_equal(linked(), whole)


def test_quote_partners_are_capped_per_article_most_sharing_first() -> None:
    # "a" shares 3 quotes with "b", 2 with "c" and "d", 1 with "e"; every article quotes 3 grams.
    hashes = {"a": [1, 2, 3], "b": [1, 2, 3], "c": [1, 2, 9], "d": [2, 3, 8], "e": [1, 7, 6]}
    quotes = pl.DataFrame(
        [(article, h) for article, hs in hashes.items() for h in hs],
        schema={"article_id": pl.String, "quote_hash": pl.UInt64},
        orient="row",
    )
    quoted = quotes.group_by("article_id").agg(grams=pl.len())
    left = quotes.filter(pl.col("article_id") == "a")

    def partners(**options: int | None) -> list[str]:
        pairs = stories._shared_quotes(left, quotes, quoted, min_shared=1, min_share=0.5, **options)
        return pairs.get_column("other").to_list()

    assert partners() == ["b", "c", "d"]  # e's 1 of 3 is below the share
    assert partners(most=2) == ["b", "c"]  # ties go to the smaller id
    assert partners(most=1, per_article=2) == ["b", "c"]  # the best partners whatever their share stay
