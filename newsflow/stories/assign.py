"""Stories from links: each connected group of new articles joins the story of its most similar published
article or starts one; and the ``stories`` table."""

from __future__ import annotations

import polars as pl

from newsflow.dedup import minhash
from newsflow.frames import is_in
from newsflow.hashing import stable_id
from newsflow.records import Window, WindowContext
from newsflow.steps import StepResult
from newsflow.stories.links import links
from newsflow.stories.terms import quote_grams, term_counts, tfidf


def assign(batch: pl.DataFrame, linked: pl.DataFrame, history_stories: pl.DataFrame) -> pl.DataFrame:
    """``article_id``, ``story_id`` for every batch article.

    ``batch``: ``article_id``, ``word_count``, ``source_path``; ``history_stories``:
    ``article_id``, ``story_id`` of published articles. A connected group of batch
    articles joins the story of its most similar published article, or starts a
    story named after its most complete article.
    """
    batch_ids = batch.get_column("article_id")
    inner = linked.filter(pl.col("other").is_in(batch_ids.implode()))
    groups = minhash.components(batch_ids, inner.rename({"article_id": "key"})).rename({"key": "article_id"})
    outer = (
        linked.join(history_stories, left_on="other", right_on="article_id")
        .join(groups, on="article_id")
        .sort(["cosine", "story_id"], descending=[True, False])
        .group_by("group", maintain_order=True)
        .agg(pl.col("story_id").first())
    )
    founders = (
        groups.join(batch, on="article_id")
        .sort(["group", "word_count", "source_path"], descending=[False, True, False])
        .group_by("group", maintain_order=True)
        .agg(founder=pl.col("article_id").first())
    )
    return (
        groups.join(outer, on="group", how="left")
        .join(founders, on="group")
        .select("article_id", story_id=pl.coalesce("story_id", stable_id(pl.format("story:{}", "founder"))))
    )


def summarize(articles: pl.LazyFrame) -> pl.DataFrame:
    """The ``stories`` table, from every article's ``story_id``, ``article_id``, ``headline``, ``word_count``
    and ``ingested_at``; its canonical article is the earliest, then longest, then smallest id.

    Streamed, and headlines are joined for canonical articles only: at a million articles,
    sorting every article with its headline cost more memory than any other step of a window.
    """
    canonical = pl.col("article_id").sort_by(
        ["ingested_at", "word_count", "article_id"], descending=[False, True, False]
    )
    summary = articles.group_by("story_id").agg(
        article_count=pl.len().cast(pl.Int32),
        canonical_article_id=canonical.first(),
        first_seen=pl.col("ingested_at").min(),
        last_seen=pl.col("ingested_at").max(),
    )
    headlines = articles.select(canonical_article_id="article_id", headline="headline")
    return (
        summary.join(headlines, on="canonical_article_id")
        .select("story_id", "article_count", "canonical_article_id", "headline", "first_seen", "last_seen")
        .sort("story_id")
        .collect(engine="streaming")
    )


class AssignStories:
    """Gives every kept article a ``story_id`` and adds the story state (top ``terms``, ``term_counts``,
    ``quotes``, ``story_links``); drops nothing."""

    name = "stories"
    stage = None
    reasons = ()

    def run(self, window: Window, context: WindowContext) -> StepResult[Window]:
        settings, history = context.settings, context.history
        kept, paragraphs = window.articles, window.paragraphs
        counts = term_counts(paragraphs)
        quotes = quote_grams(paragraphs)
        batch_df = counts.group_by("term").agg(df=pl.len().cast(pl.Int32))
        history_df = history["term_counts"].filter(is_in("term", batch_df.get_column("term")))
        documents = int(history["articles"].select(pl.len()).collect().item()) + kept.height
        vectors = tfidf(counts, pl.concat([batch_df, history_df.collect(engine="streaming")]), documents)
        top = vectors.filter(pl.col("rank") <= settings.story_top_terms).drop("rank")
        linked = links(vectors, quotes, history["terms"], history["quotes"], settings)
        history_stories = (
            history["articles"]
            .filter(is_in("article_id", linked.get_column("other")))
            .select("article_id", "story_id")
            .collect(engine="streaming")
        )
        assigned = assign(kept.select("article_id", "word_count", "source_path"), linked, history_stories)
        # A pair inside the batch is found from both ends; keep one.
        one_way = ~is_in("other", kept.get_column("article_id")) | (pl.col("article_id") < pl.col("other"))
        state = {
            **window.state,
            "terms": top,
            "term_counts": batch_df,
            "quotes": quotes,
            "story_links": linked.filter(one_way),
        }
        return StepResult(window.but(articles=kept.join(assigned, on="article_id", how="left"), state=state))
