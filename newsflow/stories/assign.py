"""Stories from links: each article joins the story of the closest earlier article that founded one, or founds
its own; and the ``stories`` table.

Articles are taken in arrival order (published ones first, then the window's by
``source_path``; windows follow path order). A story's id is the ``article_id`` of the
article that founded it, and every member is linked to that article itself, not through
a chain of others (``anchors``). Links and this order depend only on each article and
those before it, so one run, a run in windows, and one run per file make the same stories.
Stories never merge: a later article close to two stories' founders joins the closer,
and every ``story_id`` once published stays the story of its articles.
"""

from __future__ import annotations

import polars as pl

from newsflow.anchors import anchor_in_arrival_order
from newsflow.frames import is_in
from newsflow.records import Window, WindowContext
from newsflow.steps import StepResult
from newsflow.stories.links import links
from newsflow.stories.semantic import TEXT_COLUMNS, agreeing
from newsflow.stories.terms import EVIDENCE, evidence


def assign(batch: pl.DataFrame, linked: pl.DataFrame, anchors: pl.Series) -> pl.DataFrame:
    """``article_id``, ``story_id`` of every batch article.

    ``batch``: ``article_id``, ``source_path``. ``linked``: ``article_id`` (batch), ``other``
    (before it: batch or published), ``cosine``. ``anchors``: the published articles among
    ``other`` that founded their story. Each batch article, in ``source_path`` order, joins
    the story of the anchor it is closest to, or founds a story of its own (``anchors``).
    """
    nodes = pl.concat(
        [
            anchors.unique().sort().to_frame("key").with_columns(anchor=pl.lit(True)),
            batch.sort("source_path").select(key="article_id", anchor=pl.lit(False)),
        ]
    ).with_row_index("order")
    joined = anchor_in_arrival_order(nodes, linked.rename({"article_id": "key"}), weight="cosine")
    return (
        batch.select("article_id")
        .join(joined.select(article_id="key", story_id="anchor"), on="article_id", how="left")
        .with_columns(story_id=pl.coalesce("story_id", "article_id"))
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


def grow(stories: pl.LazyFrame, articles: pl.LazyFrame, joined: pl.DataFrame) -> pl.DataFrame:
    """The ``stories`` table (``summarize``) once the articles ``joined`` (``story_id``, ``article_id``,
    ``headline``, ``word_count``, ``ingested_at``) are in their stories: ``stories`` is the table before them,
    ``articles`` the articles it counts (only its canonical ones' ``word_count`` is read).

    Only the stories ``joined`` touches change, so a window reads the table and a column of
    the articles, not every article ever published. A story's canonical article is its
    earliest, so its ``ingested_at`` is the story's ``first_seen``.
    """
    before = stories.collect()
    touched = before.filter(is_in("story_id", joined.get_column("story_id")))
    counts = (
        articles.filter(is_in("article_id", touched.get_column("canonical_article_id")))
        .select(canonical_article_id="article_id", word_count="word_count")
        .collect(engine="streaming")
    )
    canonical = touched.join(counts, on="canonical_article_id", how="left").select(
        "story_id",
        article_id="canonical_article_id",
        headline="headline",
        word_count="word_count",
        ingested_at="first_seen",
    )
    grown = (
        summarize(pl.concat([canonical, joined.select(canonical.columns)]).lazy())
        .join(
            # The canonical article stands for its story's earlier members above: the others are added here.
            touched.select("story_id", earlier=pl.col("article_count") - 1, seen=pl.col("last_seen")),
            on="story_id",
            how="left",
        )
        .with_columns(
            article_count=(pl.col("article_count") + pl.col("earlier").fill_null(0)).cast(pl.Int32),
            last_seen=pl.max_horizontal("last_seen", "seen"),
        )
        .drop("earlier", "seen")
    )
    return pl.concat([before.filter(~is_in("story_id", grown.get_column("story_id"))), grown]).sort("story_id")


class AssignStories:
    """Gives every kept article a ``story_id`` and adds the story state (``term_postings``, ``quotes``,
    ``facts`` and ``story_links``); drops nothing."""

    name = "stories"
    stage = None
    reasons = ()

    def run(self, window: Window, context: WindowContext) -> StepResult[Window]:
        settings, history = context.settings, context.history
        kept, paragraphs = window.articles, window.paragraphs
        # Worked out by the shard steps (``stories.evidence``), else here (a rebuild's candidates).
        given = window.evidence_of_articles(*EVIDENCE)
        if given is None:
            vectors, quotes, facts = evidence(kept, paragraphs, top=settings.story_top_terms, pool=context.pool)
        else:
            vectors, quotes, facts = given
        order = kept.sort("source_path").select("article_id", order=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
        found, postings = links(vectors, quotes, history, facts, order, settings, context.pool)
        # The published partners, read once: their text for the embedding check, their story for the anchors.
        text = TEXT_COLUMNS if settings.story_semantic_cosine > 0 else ()
        partners = (
            history["articles"]
            .filter(is_in("article_id", found.get_column("other")))
            .select("article_id", "story_id", *text)
            .collect(engine="streaming")
        )
        linked = agreeing(
            found,
            pl.concat([kept.select("article_id", *text), partners.drop("story_id")]),
            min_cosine=settings.story_semantic_cosine,
        )
        # A published article founded its story when the story is named after it.
        anchors = partners.filter(
            is_in("article_id", linked.get_column("other")) & (pl.col("story_id") == pl.col("article_id"))
        ).get_column("article_id")
        assigned = assign(kept.select("article_id", "source_path"), linked, anchors)
        state = {
            **window.state,
            "term_postings": postings,
            "quotes": quotes,
            "facts": facts,
            "story_links": linked,
        }
        return StepResult(window.but(articles=kept.join(assigned, on="article_id", how="left"), state=state))
