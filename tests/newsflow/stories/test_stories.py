from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from newsflow.config import Settings
from newsflow.records import History
from newsflow.stories import assign, links, sparse, terms
from newsflow.tables.registry import HISTORY


def paragraphs(**bodies: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "article_id": list(bodies),
            "text": list(bodies.values()),
            "canonical": [b.lower().replace('"', "").replace(",", "").replace(".", "") for b in bodies.values()],
            "is_boilerplate": [False] * len(bodies),
            "role": ["body"] * len(bodies),
        }
    )


def articles(frame: pl.DataFrame, **headlines: str) -> pl.DataFrame:
    """One English article per ``frame`` article, headlined as given (else "Report")."""
    ids = frame.get_column("article_id").unique(maintain_order=True)
    return pl.DataFrame(
        {
            "article_id": ids,
            "headline": [headlines.get(i, "Report") for i in ids],
            "language": ["en"] * ids.len(),
            "published": pl.Series([None] * ids.len(), dtype=pl.Date),
            "word_count": pl.Series([400] * ids.len(), dtype=pl.Int32),  # not briefs
        }
    )


def vectors_of(frame: pl.DataFrame, config: Settings | None = None) -> pl.DataFrame:
    top = (config or Settings()).story_top_terms
    return terms.tfidf(terms.term_counts(frame, articles(frame)), top=top)


def history(**frames: pl.DataFrame) -> History:
    empty = History.empty()
    return History({name: frames[name].lazy() if name in frames else empty[name] for name in HISTORY})


def arrival(ids: list[str]) -> pl.DataFrame:
    frame = pl.DataFrame({"article_id": sorted(ids)}, schema={"article_id": pl.String})
    return frame.with_row_index("order", offset=1).cast({"order": pl.Int64})


def link_batch(
    frame: pl.DataFrame, config: Settings, *, published: History | None = None, **headlines: str
) -> links.Links:
    """Links of the articles of ``frame`` (arriving in id order) to those before them, and their postings."""
    batch = articles(frame, **headlines)
    return links.links(
        vectors_of(frame, config),
        terms.quote_grams(frame),
        published or history(),
        terms.story_facts(batch, frame),
        arrival(batch.get_column("article_id").to_list()),
        config,
    )


def link(frame: pl.DataFrame, config: Settings, *, published: History | None = None, **headlines: str) -> pl.DataFrame:
    return link_batch(frame, config, published=published, **headlines).pairs


def test_quotes_are_shingled_from_quotation_marks_only() -> None:
    grams = terms.quote_grams(
        paragraphs(a='He said "we will not back down on this matter at all" today.', b="No quotes here at all.")
    )
    assert grams.get_column("article_id").unique().to_list() == ["a"]
    assert grams.height == 10 - 6 + 1  # ten quoted words
    assert grams.get_column("grams").unique().to_list() == [grams.height]


def test_tfidf_vectors_are_unit_length_and_keep_the_top_terms() -> None:
    frame = paragraphs(a="cartels military mexico mexico", b="football match goal")
    vectors = vectors_of(frame, Settings(story_top_terms=2))
    norms = vectors.group_by("article_id").agg((pl.col("weight") ** 2).sum().sqrt(), pl.len())
    assert all(abs(n - 1) < 1e-9 for n in norms.get_column("weight"))
    assert norms.get_column("len").to_list() == [2, 2]
    # Rarer in English weighs more: "cartels" over "military", whatever else was ingested.
    top = vectors.filter(pl.col("article_id") == "a").sort("rank").get_column("term").to_list()
    assert top[0] in ("cartels", "mexico") and "military" not in top


def test_a_vector_does_not_depend_on_the_other_articles() -> None:
    alone = vectors_of(paragraphs(a="harbour ferry strike ferry"))
    together = vectors_of(paragraphs(a="harbour ferry strike ferry", b="ferry ferry ferry harbour"))
    assert_frame_equal(alone, together.filter(pl.col("article_id") == "a"))


def test_shared_quote_links_moderately_similar_articles_but_topic_words_alone_do_not() -> None:
    quote = '"The United States is not going to come to Mexico with the military," she said.'
    bodies = paragraphs(
        a=f"Sheinbaum rejected intervention over cartels. {quote}",
        b=f"Mexico president dismissed military plans against cartels. {quote}",
        c="Mexico president discussed cartels and tariffs with trade partners.",
    )
    linked = link(bodies, Settings())
    assert {tuple(sorted(p)) for p in linked.select("article_id", "other").iter_rows()} == {("a", "b")}
    batch = pl.DataFrame({"article_id": ["a", "b", "c"], "source_path": ["a", "b", "c"]})
    assigned = dict(assign.assign(batch, linked, pl.Series([], dtype=pl.String)).iter_rows())
    assert assigned == {"a": "a", "b": "a", "c": "c"}


EMPTY_TERMS = pl.DataFrame(schema={"article_id": pl.String, "term": pl.String, "weight": pl.Float64})


def linked_pairs(bodies: pl.DataFrame, config: Settings, **headlines: str) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for p in link(bodies, config, **headlines).select("article_id", "other").iter_rows()}  # type: ignore[misc]


def test_a_quote_in_more_earlier_articles_than_the_cap_is_no_evidence() -> None:
    quote = '"The United States is not going to come to Mexico with the military," she said.'
    bodies = paragraphs(
        a=f"Sheinbaum rejected intervention over cartels. {quote}",
        b=f"Mexico president dismissed military plans against cartels. {quote}",
        c=f"Washington officials answered the Mexican president. {quote}",
    )
    quotes_only = Settings(story_shared_terms=50)  # no link by cosine alone
    assert linked_pairs(bodies, quotes_only) == {("a", "b"), ("a", "c"), ("b", "c")}
    # c is the third to quote it: two earlier articles are over a cap of one, so for c it is a stock phrase.
    assert linked_pairs(bodies, quotes_only.replace(story_quote_postings=1)) == {("a", "b")}


def test_only_the_heaviest_terms_propose_candidates() -> None:
    bodies = paragraphs(
        a="harbour harbour harbour ferry strike",
        b="glacier glacier glacier ferry strike",
        c="orchestra violin concert",
    )
    config = Settings(story_cosine=0.01, story_shared_terms=1)
    assert linked_pairs(bodies, config) == {("a", "b")}
    assert linked_pairs(bodies, config.replace(story_candidate_terms=1)) == set()


def test_facts_veto_links_between_different_reports() -> None:
    brief = "Qtly div {} cts vs {} cts prior, pay April 15, record March 30. The board met in Rochester today."
    bodies = paragraphs(a=brief.format(10, 10), b=brief.format(12, 12), c=brief.format(10, 10))
    # These 400-word test articles count as briefs here; no stricter cosine for briefs.
    config = Settings(story_shared_terms=1, story_template_words=1000, story_brief_cosine=0.01)
    # Template briefs that each give figures the other lacks are periodic reports, not one story.
    assert linked_pairs(bodies, config) == {("a", "c")}
    # Titles naming different tickers are reports on two companies, however alike the text.
    titled = {"a": "PENNWALT <PSM> SETS DIVIDEND", "c": "PEP BOYS <PBY> SETS DIVIDEND"}
    assert linked_pairs(bodies, config, **titled) == set()


def test_rough_pairs_keep_the_best_per_article_ties_to_the_smaller_id() -> None:
    left = pl.DataFrame({"article_id": ["a"], "term": ["t"], "weight": [0.5]})
    right = pl.DataFrame({"article_id": ["a", "d", "c", "b"], "term": ["t"] * 4, "weight": [0.5, 0.9, 0.9, 0.1]})
    best = sparse.dot(left, right, min_cosine=0.0, per_article=2)
    assert best.select("article_id", "other").rows() == [("a", "c"), ("a", "d")]
    assert sparse.dot(left, right, min_cosine=0.1, per_article=5).get_column("other").sort().to_list() == ["c", "d"]


def test_new_article_joins_the_published_story_of_the_closest_founder() -> None:
    linked = pl.DataFrame({"article_id": ["new", "new"], "other": ["old", "older"], "cosine": [0.9, 0.5]})
    batch = pl.DataFrame({"article_id": ["new"], "source_path": ["n"]})
    assert assign.assign(batch, linked, pl.Series(["old", "older"])).rows() == [("new", "old")]
    # A published article that joined another's story founds nothing: "new" founds its own.
    assert assign.assign(batch, linked.head(1), pl.Series([], dtype=pl.String)).rows() == [("new", "new")]


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
def test_links_in_small_chunks_equal_links_in_one(bodies: list[list[str]], products: int) -> None:
    """Chunking the sparse pair products (to bound memory) changes no link and no cosine."""
    frame = paragraphs(**{f"a{i:02d}": " ".join(words) for i, words in enumerate(bodies)})
    config = Settings(story_cosine=0.3, story_shared_terms=1)

    def linked() -> pl.DataFrame:
        return link(frame, config).sort("article_id", "other")

    whole = linked()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sparse, "_PRODUCTS", products)
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
        pairs = sparse.shared_quotes(left, quotes, quoted, min_shared=1, min_share=0.5, **options)
        return pairs.get_column("other").to_list()

    assert partners() == ["b", "c", "d"]  # e's 1 of 3 is below the share
    assert partners(most=2) == ["b", "c"]  # ties go to the smaller id
    assert partners(most=1, per_article=2) == ["b", "c"]  # the best partners whatever their share stay


_postings = st.lists(
    st.tuples(st.sampled_from("abcdef"), st.sampled_from(WORDS[:8]), st.floats(min_value=0.01, max_value=1.0)),
    max_size=40,
    unique_by=lambda row: (row[0], row[1]),
)


def _vectors(rows: list[tuple[str, str, float]]) -> pl.DataFrame:
    schema = {"article_id": pl.String, "term": pl.String, "weight": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")


@settings(max_examples=80, deadline=None)
@given(_postings, _postings, st.sampled_from([0.0, 0.3]), st.integers(min_value=1, max_value=30))
def test_sparse_pair_sums_equal_a_join_and_group_by(
    left_rows: list[tuple[str, str, float]], right_rows: list[tuple[str, str, float]], at_least: float, products: int
) -> None:
    """The sparse product, in chunks of any size, gives the pairs and sums of the plain relational query."""
    left, right = _vectors(left_rows), _vectors(right_rows)
    expected = (
        left.join(right, on="term", suffix="_other")
        .filter(pl.col("article_id") != pl.col("article_id_other"))
        .group_by("article_id", other="article_id_other")
        .agg(total=(pl.col("weight") * pl.col("weight_other")).sum().round(9))
        .filter(pl.col("total") >= at_least)
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sparse, "_PRODUCTS", products)
        parts = sparse.pairs_sharing(left, right, key="term", weight="weight", name="total", at_least=at_least)
        found = pl.concat([expected.head(0), *parts])
    assert_frame_equal(found.sort("article_id", "other"), expected.sort("article_id", "other"), abs_tol=1e-9)


@settings(max_examples=80, deadline=None)
@given(
    _postings,
    _postings,
    st.integers(min_value=1, max_value=4),
    st.sampled_from([0.1, 0.25, 0.5]),
    st.integers(min_value=1, max_value=30),
)
def test_best_pairs_are_the_top_of_all_pairs(
    left_rows: list[tuple[str, str, float]],
    right_rows: list[tuple[str, str, float]],
    best: int,
    step: float,
    products: int,
) -> None:
    """Each article's ``best`` pairs are those of the highest sums among all its pairs, ties to the smaller
    ``other`` (weights on a coarse grid: ties are common)."""
    left, right = _vectors(left_rows), _vectors(right_rows)
    left, right = (frame.with_columns(pl.col("weight").truediv(step).ceil().mul(step)) for frame in (left, right))
    everything = sparse.dot(left, right, min_cosine=0.0, per_article=10_000)
    expected = everything.sort(["article_id", "cosine", "other"], descending=[False, True, False]).filter(
        pl.int_range(pl.len()).over("article_id") < best
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sparse, "_PRODUCTS", products)
        found = sparse.dot(left, right, min_cosine=0.0, per_article=best)
    assert_frame_equal(found.sort("article_id", "other"), expected.sort("article_id", "other"))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([*WORDS, "zqxv", "vvkr", "qqpl"]), min_size=1, max_size=30), min_size=1, max_size=6
    ),
    st.integers(min_value=1, max_value=6),
)
def test_top_terms_are_the_heaviest_ties_to_the_smaller_term(bodies: list[list[str]], top: int) -> None:
    """Words missing from the reference list all weigh the same: the cut among equal weights goes by term."""
    frame = paragraphs(**{f"a{i}": " ".join(words) for i, words in enumerate(bodies)})
    counts = terms.term_counts(frame, articles(frame))
    everything = terms.tfidf(counts, top=10_000)
    found = terms.tfidf(counts, top=top)
    expected = everything.filter(pl.col("rank") <= top)
    assert_frame_equal(found.drop("weight"), expected.drop("weight"))


@settings(max_examples=80, deadline=None)
@given(_postings, _postings, st.integers(min_value=1, max_value=30))
def test_sparse_pair_cosines_equal_a_join_and_group_by(
    left_rows: list[tuple[str, str, float]], right_rows: list[tuple[str, str, float]], products: int
) -> None:
    left, right = _vectors(left_rows), _vectors(right_rows)
    pairs = left.select("article_id").unique().join(right.select(other="article_id").unique(), how="cross")
    expected = pairs.join(
        left.join(right.rename({"article_id": "other", "weight": "weight_other"}), on="term")
        .group_by("article_id", "other")
        .agg(cosine=(pl.col("weight") * pl.col("weight_other")).sum().round(9), shared_terms=pl.len().cast(pl.Int32)),
        on=["article_id", "other"],
        how="left",
    ).with_columns(pl.col("cosine").fill_null(0.0), pl.col("shared_terms").fill_null(0))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sparse, "_PRODUCTS", products)
        found = sparse.pair_cosines(pairs, left, right)
    assert_frame_equal(found.sort("article_id", "other"), expected.sort("article_id", "other"), abs_tol=1e-9)


QUOTES = [
    '"we will not back down on this matter at all"',
    '"the talks were constructive and we expect a deal soon"',
    '"nobody expected the result to be quite this close"',
    '"prices will keep rising until the supply problems are fixed"',
    '"the club has been in decline for many years now"',
    '"this is a dark day for everybody who works here"',
]


@settings(max_examples=40, deadline=None)
@example(  # a share of all a02's grams is 1/3, of the grams it shares with the batch 1
    texts=[
        (["cartel"] * 3, []),
        (["cartel"] * 3, []),
        (["cartel"] * 3, [QUOTES[0], QUOTES[1], QUOTES[3]]),
        (["cartel"] * 3, [QUOTES[2], QUOTES[0], QUOTES[4]]),
    ],
    published=3,
    counted=False,
    cap=100,
)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(WORDS), min_size=3, max_size=10),
            st.lists(st.sampled_from(QUOTES), max_size=3, unique=True),
        ),
        min_size=2,
        max_size=12,
    ),
    st.integers(min_value=1, max_value=11),
    st.booleans(),
    st.integers(min_value=1, max_value=4),
)
def test_links_to_published_articles_equal_links_within_one_batch(
    texts: list[tuple[list[str], list[str]]], published: int, counted: bool, cap: int
) -> None:
    """Whether an earlier article was published by an earlier run or arrives earlier in the same batch changes
    no link: term postings (published as the first ``cap`` + 1 holders of each term), stock quotes and quote
    shares count the published rows as well (``counted``: with each article's count of grams stored in its
    rows; otherwise as published before it was stored)."""
    frame = paragraphs(**{f"a{i:02d}": " ".join(words + quotes) for i, (words, quotes) in enumerate(texts)})
    # No caps but the postings: every pair within reach is a candidate.
    config = Settings(
        story_cosine=0.3,
        story_shared_terms=1,
        story_quote_cosine=0.1,
        story_candidates=100,
        story_candidate_terms=100,
        story_term_postings=cap,
        story_quote_postings=3,
    )
    old = pl.col("article_id") < f"a{published:02d}"

    def pairs(linked: pl.DataFrame) -> set[tuple[str, str, float, int]]:
        return {(a, o, round(c, 6), q) for a, o, c, q, _ in linked.iter_rows()}

    whole = link_batch(frame, config)
    earlier = link_batch(frame.filter(old), config)
    before = history(
        term_postings=earlier.postings,
        quotes=terms.quote_grams(frame.filter(old)).with_columns(
            grams=pl.col("grams") if counted else pl.lit(None, pl.Int32)
        ),
        facts=terms.story_facts(articles(frame.filter(old)), frame.filter(old)),
    )
    new = link_batch(frame.filter(~old), config, published=before)
    assert pairs(new.pairs) == {pair for pair in pairs(whole.pairs) if pair[0] >= f"a{published:02d}"}
    # The postings of the two runs are the one batch's, and hold each term at most cap + 1 times.
    postings = pl.concat([earlier.postings, new.postings])
    assert_frame_equal(postings, whole.postings, check_row_order=False)
    assert postings.is_empty() or postings.group_by("term").len().get_column("len").max() <= cap + 1  # type: ignore[operator]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("ST"), st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=20, unique=False
    )
)
def test_story_summary_takes_the_earliest_then_longest_then_smallest_article(
    rows: list[tuple[str, int, int]],
) -> None:
    frame = pl.DataFrame(
        {
            "story_id": [story for story, _, _ in rows],
            "article_id": [f"a{i:02d}" for i in range(len(rows))],
            "headline": [f"headline {i}" for i in range(len(rows))],
            "word_count": [words for _, words, _ in rows],
            "ingested_at": [datetime(2025, 1, 1 + day, tzinfo=UTC) for _, _, day in rows],
        }
    )
    expected = (
        frame.sort(["story_id", "ingested_at", "word_count", "article_id"], descending=[False, False, True, False])
        .group_by("story_id", maintain_order=True)
        .agg(
            article_count=pl.len().cast(pl.Int32),
            canonical_article_id=pl.col("article_id").first(),
            headline=pl.col("headline").first(),
            first_seen=pl.col("ingested_at").min(),
            last_seen=pl.col("ingested_at").max(),
        )
    )
    assert_frame_equal(assign.summarize(frame.lazy()), expected)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("STUV"), st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=20),
    st.integers(0, 20),
)
def test_stories_grown_by_a_window_equal_the_summary_of_every_article(
    rows: list[tuple[str, int, int]], published: int
) -> None:
    """The table grown from the published one and the window's articles is the one summarized from all of them."""
    frame = pl.DataFrame(
        {
            "story_id": [story for story, _, _ in rows],
            "article_id": [f"a{i:02d}" for i in range(len(rows))],
            "headline": [f"headline {i}" for i in range(len(rows))],
            "word_count": pl.Series([words for _, words, _ in rows], dtype=pl.Int32),
            "ingested_at": [datetime(2025, 1, 1 + day, tzinfo=UTC) for _, _, day in rows],
        }
    )
    before, window = frame.head(published), frame.slice(published)
    grown = assign.grow(assign.summarize(before.lazy()).lazy(), before.lazy(), window)
    assert_frame_equal(grown, assign.summarize(frame.lazy()))


def test_a_brief_links_only_at_the_brief_cosine() -> None:
    pairs = pl.DataFrame({"article_id": ["a", "a"], "other": ["b", "c"], "cosine": [0.4, 0.6]})
    empty = pl.Series([[]] * 3, dtype=pl.List(pl.String))
    facts = pl.DataFrame(
        {
            "article_id": ["a", "b", "c"],
            "numbers": empty,
            "title_numbers": empty,
            "title_tickers": empty,
            "published_date": pl.Series([None] * 3, dtype=pl.Date),
            "word_count": [60, 500, 500],
        }
    )
    kept = links.vetoed(pairs, facts, Settings(story_brief_cosine=0.5))
    assert kept.get_column("other").to_list() == ["c"]
    assert links.vetoed(pairs, facts.with_columns(word_count=pl.lit(500)), Settings()).height == 2
