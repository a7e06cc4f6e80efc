from __future__ import annotations

import polars as pl

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
    linked = stories.links(vectors, quotes, empty_terms, quotes.head(0), Settings())
    pairs = {tuple(sorted(p)) for p in linked.select("article_id", "other").iter_rows()}
    assert pairs == {("a", "b")}
    batch = pl.DataFrame({"article_id": ["a", "b", "c"], "word_count": [10, 12, 9], "source_path": ["a", "b", "c"]})
    assigned = dict(
        stories.assign(batch, linked, pl.DataFrame(schema={"article_id": pl.String, "story_id": pl.String})).iter_rows()
    )
    assert assigned["a"] == assigned["b"] != assigned["c"]


def test_new_article_joins_the_published_story() -> None:
    linked = pl.DataFrame(
        {"article_id": ["new"], "other": ["old"], "cosine": [0.9], "shared_quotes": [0], "rule": ["r"]}
    )
    batch = pl.DataFrame({"article_id": ["new"], "word_count": [5], "source_path": ["n"]})
    history = pl.DataFrame({"article_id": ["old"], "story_id": ["S1"]})
    assert stories.assign(batch, linked, history).rows() == [("new", "S1")]
