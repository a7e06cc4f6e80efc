"""Same-story clustering: articles that report one event in their own words share a ``story_id``.

Two articles are linked when the cosine of their TF-IDF vectors (content words of
the canonical body, boilerplate left out, top ``story_top_terms`` terms each) is at
least ``story_cosine``, or at least ``story_quote_cosine`` while they also share a
verbatim quotation (``story_quote_ngrams`` quoted word 6-grams). Quotes are what
outlets copy when they rewrite a story; topic words alone are not: on the BBC
corpus, cosine >= 0.3 without a shared quote links different events of one topic
("Cairn shares up on new oil find" / "Cairn shares slump on oil setback").

Stories are append-only like the tables: a new article joins the story of the
published article it is most similar to; published articles never change story.
"""

from __future__ import annotations

import polars as pl

from newsflow.config import Settings
from newsflow.frames import is_in
from newsflow.stories.sparse import dot, pair_cosines, shared_quotes


def _postings(batch: pl.DataFrame, history: pl.LazyFrame, *, key: str) -> pl.DataFrame:
    """``key``, ``len``: rows per ``key`` value in the batch and the history together (history rows are
    counted in the scan, never loaded)."""
    counts = [batch.group_by(key).len(), history.group_by(key).len().collect(engine="streaming")]
    return pl.concat(counts).group_by(key).agg(pl.col("len").sum())


def links(
    vectors: pl.DataFrame,
    quotes: pl.DataFrame,
    history_terms: pl.LazyFrame,
    history_quotes: pl.LazyFrame,
    settings: Settings,
) -> pl.DataFrame:
    """``article_id``, ``other``, ``cosine``, ``shared_quotes``, ``rule`` for every linked pair.

    Each batch article is compared with the batch and with the published articles.
    Candidates share heavy top terms (or quotations); their cosine is then computed over
    the batch article's whole vector (a published article keeps only its top terms).
    Proposing them costs at most ``story_candidate_terms * story_term_postings`` term
    rows and quoted 6-grams times ``story_quote_postings`` rows per article, and at most
    ``story_candidates`` + 1 + (quote-backed pairs) cosines: linear in the batch.

    Published rows (``history_terms``, ``history_quotes``: lazy, usually Parquet scans)
    are collected only where a batch article can use them: postings are counted in the
    scan, and only rows of selective terms, non-stock quotes and candidate partners are
    loaded. A late window of a large run would otherwise load most of the history.
    """
    top = vectors.filter(pl.col("rank") <= settings.story_top_terms).select("article_id", "term", "weight", "rank")
    history_top = history_terms.filter(is_in("term", top.get_column("term"))).select("article_id", "term", "weight")
    postings = _postings(top, history_top, key="term")
    # A term in very many articles' top terms proposes pairs quadratically and says little
    # about one event; candidates come from the rarer ones (full cosines are computed below).
    selective = postings.filter(pl.col("len") <= settings.story_term_postings).select("term")
    pool_selective = pl.concat(
        [
            top.drop("rank").join(selective, on="term", how="semi"),
            history_top.filter(is_in("term", selective.get_column("term"))).collect(engine="streaming"),
        ]
    )
    # Only an article's heaviest selective terms propose: a pair reaching the cosine
    # threshold owes most of it to them, and each costs at most story_term_postings rows.
    proposing = (
        top.join(selective, on="term", how="semi")
        .filter(pl.col("rank").rank("ordinal").over("article_id") <= settings.story_candidate_terms)
        .drop("rank")
    )
    # Their dot product is a lower bound of the full cosine. On the synthetic corpus every
    # strong link has it above a quarter of the threshold and is its article's best match
    # or nearly, so a few best pairs per article suffice. Quote-backed pairs come below.
    rough = dot(proposing, pool_selective, min_cosine=settings.story_cosine / 4, per_article=settings.story_candidates)
    history_quoted = history_quotes.filter(is_in("quote_hash", quotes.get_column("quote_hash"))).select(quotes.columns)
    quote_postings = _postings(quotes, history_quoted, key="quote_hash")
    # A quoted 6-gram in very many articles is a stock phrase, not the quote of one event;
    # like a common term it would pair articles quadratically.
    stock = quote_postings.filter(pl.col("len") > settings.story_quote_postings)
    evidence = quotes.join(stock, on="quote_hash", how="anti")
    history_evidence = history_quoted.filter(is_in("quote_hash", evidence.get_column("quote_hash"))).collect(
        engine="streaming"
    )
    # No unique(): batch and published rows are each distinct, and a batch article is never published.
    pool_evidence = pl.concat([evidence, history_evidence])
    # A share is of all the grams an article quotes, not only those it shares with this batch;
    # partners come from the evidence pool only.
    quoting = history_quotes.join(history_evidence.select("article_id").unique().lazy(), on="article_id", how="semi")
    quoted_grams = _postings(quotes, quoting, key="article_id").rename({"len": "grams"})
    # Each article keeps its story_candidates most-quoting partners: on the synthetic corpus
    # (a collage of BBC quotes) articles share enough quotes with dozens of others each, and a
    # full cosine per pair cost more than all the rest. Stories are transitive, so a few
    # partners per article still join a whole story.
    # Pairs below the quote share cannot link by the quote rule; of those only an
    # article's most-quoted partner is kept, as it may still link by cosine: at 100,000
    # synthetic articles, 20 of 620 strong links had no other way to be found.
    shared = shared_quotes(
        evidence,
        pool_evidence,
        quoted_grams,
        min_shared=settings.story_quote_ngrams,
        min_share=settings.story_quote_share,
        per_article=1,
        most=settings.story_candidates,
    )
    quote_backed = pl.col("quote_share") >= settings.story_quote_share

    def with_partners(own: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
        """``own`` vectors plus the published top terms of ``pairs``' partners."""
        partners = history_terms.filter(is_in("article_id", pairs.get_column("other")))
        return pl.concat([own, partners.select(own.columns).collect(engine="streaming")])

    # A full cosine costs the article's whole vector; the dot product of top terms sifts
    # these partners first, at the floor of the rough one (on BBC links at cosine 0.61
    # and 0.64 it is 0.19 and 0.20).
    partners = shared.filter(~quote_backed).select("article_id", "other")
    own_top = top.drop("rank")
    likely = pair_cosines(partners, own_top, with_partners(own_top, partners)).filter(
        pl.col("cosine") >= settings.story_cosine / 4
    )
    candidates = pl.concat(
        [frame.select("article_id", "other") for frame in (rough, shared.filter(quote_backed), likely)]
    ).unique()
    full = vectors.select("article_id", "term", "weight")
    cosine = pair_cosines(candidates, full, with_partners(full, candidates))
    strong = pl.col("cosine") >= settings.story_cosine
    # The quotes a strong link shares are reported, though they did not decide it.
    unreported = cosine.filter(strong).join(shared, on=["article_id", "other"], how="anti")
    reported = shared_quotes(
        evidence.join(unreported, on="article_id", how="semi"), pool_evidence, quoted_grams, min_shared=1, min_share=0.0
    ).join(unreported, on=["article_id", "other"], how="semi")
    shared = pl.concat([shared, reported])
    quoted = (
        (pl.col("cosine") >= settings.story_quote_cosine)
        & (pl.col("shared_quotes") >= settings.story_quote_ngrams)
        & (pl.col("quote_share") >= settings.story_quote_share)
    )
    return (
        cosine.join(shared, on=["article_id", "other"], how="left")
        .with_columns(pl.col("shared_quotes").fill_null(0), pl.col("quote_share").fill_null(0.0))
        .filter(strong | quoted)
        .with_columns(
            rule=pl.when(strong)
            .then(pl.format("tf-idf cosine {} >= {}", pl.col("cosine").round(3), pl.lit(settings.story_cosine)))
            .otherwise(
                pl.format(
                    "tf-idf cosine {} >= {} and {} shared quoted 6-grams ({}% of the fewer) >= {} ({}%)",
                    pl.col("cosine").round(3),
                    pl.lit(settings.story_quote_cosine),
                    pl.col("shared_quotes"),
                    (pl.col("quote_share") * 100).round(0).cast(pl.Int32),
                    pl.lit(settings.story_quote_ngrams),
                    pl.lit(round(settings.story_quote_share * 100)),
                )
            )
        )
        .drop("quote_share")
    )
