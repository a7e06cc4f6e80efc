"""Same-story links: which pairs of articles report one event in their own words.

Two articles are linked when the cosine of their TF-IDF vectors (``terms``: the top
``story_top_terms`` content words of the body, weighted by their rarity in the language;
a term in the top terms of more than ``story_term_postings`` earlier articles is the
vocabulary of a beat and left out)
is at least ``story_cosine`` over at least ``story_shared_terms`` shared terms (two
reports of one event share several names and words; two of one beat share a few heavy
ones), or at least ``story_quote_cosine`` while they also share a
verbatim quotation (``story_quote_ngrams`` quoted word 6-grams): quotes are what outlets
copy when they rewrite a story. Whatever the wording, facts veto a link:

- titles naming different tickers are reports on different companies;
- publication dates known for both and more than ``story_max_days`` apart are other events;
- a brief (``story_template_words`` words or fewer) is mostly the vocabulary of its beat:
  it links only at ``story_brief_cosine``;
- briefs whose titles give different figures
  ("... prices fall 0.1 pct in February"), or alike in wording (cosine at least
  ``story_template_cosine``) while each gives figures the other lacks, are reports made
  from one template (a daily price, a monthly statistic, a bond issue, a company's
  quarter): one story only when both dates are known and close. Longer articles with
  other figures are a story followed up.

A link depends on the two articles alone, never on what else was ingested, so the
same files make the same links in one run or many.
"""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from newsflow.config import Settings
from newsflow.dedup.facts import conflicts
from newsflow.frames import is_in
from newsflow.parallel import IN_PROCESS, Pool
from newsflow.records import History
from newsflow.stories.sparse import dot, pair_cosines, pair_quotes, shared_quotes


def _earlier_postings(
    rows: pl.DataFrame, published: pl.LazyFrame, order: pl.DataFrame, *, key: str, cap: int, shared: bool = False
) -> pl.DataFrame:
    """The rows of ``rows`` (``article_id``, ``key``) with at most ``cap`` articles before them holding the same
    ``key`` value: published ones (rows of ``published``, counted in the scan) and the batch's earlier ones.
    With ``shared``, only those of values another article holds too."""
    counts = published.group_by(key).agg(published=pl.len()).collect(engine="streaming")
    total = rows.group_by(key).agg(batch=pl.len()).join(counts, on=key, how="left")
    published_count = pl.col("published").fill_null(0)
    if shared:
        # A value one article alone holds pairs it with nobody. Most quoted 6-grams are such: the
        # sparse products over them would be mostly empty rows.
        total = total.filter(published_count + pl.col("batch") > 1)
        rows = rows.filter(is_in(key, total.get_column(key)))
    # Only the rows of a value held more than cap + 1 times need their rank among its holders.
    heavy = total.filter(published_count + pl.col("batch") > cap + 1).select(key, "published")
    ranked = (
        rows.join(heavy, on=key)
        .join(order, on="article_id")
        .filter(published_count + pl.col("order").rank("ordinal").over(key) - 1 <= cap)
        .select(rows.columns)
    )
    return pl.concat([rows.join(heavy, on=key, how="anti"), ranked])


class Links(NamedTuple):
    """What ``links`` finds for a batch."""

    pairs: pl.DataFrame
    """``article_id``, ``other``, ``cosine``, ``shared_quotes``, ``rule`` of every linked pair."""
    postings: pl.DataFrame
    """``article_id``, ``term``, ``weight``: the batch's top-term rows among the first ``story_term_postings``
    + 1 holders of their term (the ``term_postings`` state)."""


def links(
    vectors: pl.DataFrame,
    quotes: pl.DataFrame,
    history: History,
    facts: pl.DataFrame,
    order: pl.DataFrame,
    settings: Settings,
    pool: Pool = IN_PROCESS,
) -> Links:
    """``article_id``, ``other``, ``cosine``, ``shared_quotes``, ``rule`` for every linked pair whose ``other``
    arrived before ``article_id``; and the batch's term postings.

    ``order``: ``article_id``, ``order`` of the batch (arrival); published articles came
    before all of it. Everything an article's links depend on is the article and those
    before it, so a batch finds the links that one batch per article would.

    Candidates share heavy top terms (or quotations); then their cosine is computed and the
    ``facts`` (``article_id``, ``numbers``, ``title_tickers``, ``published_date``) of the
    batch and of its published partners may veto the link. Proposing them costs at most
    ``story_candidate_terms * story_term_postings`` term rows and quoted 6-grams times
    ``story_quote_postings`` rows per article, and at most ``story_candidates`` + 1 +
    (quote-backed pairs) cosines: linear in the batch.

    Published rows (``history``'s ``term_postings``, ``quotes`` and ``facts``: lazy, usually
    Parquet scans) are collected only where a batch article can use them: the postings of its
    top terms, the rows of its quotes that are not stock phrases, and the facts of candidate
    partners. A late window of a large run would otherwise load most of the history.
    """
    history_quotes = history["quotes"]
    top = vectors.select("article_id", "term", "weight", "rank")
    # Term postings, not every article's top terms: a term's first cap + 1 holders tell whether it is still
    # selective (a count beyond the cap decides nothing more), and a selective term has all its holders there.
    # A common term's rows are most of the terms state. Read once: they also hold the partners' vectors.
    history_top = (
        history["term_postings"]
        .filter(is_in("term", top.get_column("term")))
        .select("article_id", "term", "weight")
        .collect(engine="streaming")
    )
    # A term in the top terms of very many earlier articles proposes pairs quadratically and says
    # little about one event; candidates come from the rarer ones (cosines are computed below).
    selective = _earlier_postings(top, history_top.lazy(), order, key="term", cap=settings.story_term_postings)
    # A term in the top terms of very many earlier articles is the vocabulary of a beat ("pct",
    # "chelsea"), not evidence of one event: it counts in neither the cosine nor the shared terms.
    evidence_terms = selective.select("article_id", "term", "weight")
    # Only an article's heaviest selective terms propose: a pair reaching the cosine
    # threshold owes most of it to them, and each costs at most story_term_postings rows.
    proposing = selective.filter(
        pl.col("rank").rank("ordinal").over("article_id") <= settings.story_candidate_terms
    ).select("article_id", "term", "weight")
    wanted = proposing.get_column("term")
    # A partner came before its article, so it holds the term among its first earlier-holders too:
    # the batch's rows beyond the cap can be nobody's partner, and are left out of the product.
    pool_selective = pl.concat(
        [
            evidence_terms.filter(is_in("term", wanted)),
            history_top.filter(is_in("term", wanted)),
        ]
    )
    # Their dot product is a lower bound of the cosine. On the synthetic corpus every
    # strong link has it above a quarter of the threshold and is its article's best match
    # or nearly, so a few best pairs per article suffice. Quote-backed pairs come below.
    rough = dot(
        proposing,
        pool_selective,
        min_cosine=settings.story_cosine / 4,
        per_article=settings.story_candidates,
        order=order,
        pool=pool,
    )
    # The published rows of the batch's quoted 6-grams, read once for both uses below (postings, evidence):
    # each read scans the whole quotation state.
    history_quoted = (
        history_quotes.filter(is_in("quote_hash", quotes.get_column("quote_hash")))
        .select(quotes.columns)
        .collect(engine="streaming")
    )
    # A quoted 6-gram in very many articles is a stock phrase, not the quote of one event;
    # like a common term it would pair articles quadratically.
    evidence = _earlier_postings(
        quotes, history_quoted.lazy(), order, key="quote_hash", cap=settings.story_quote_postings, shared=True
    )
    history_evidence = history_quoted.filter(is_in("quote_hash", evidence.get_column("quote_hash")))
    # No unique(): batch and published rows are each distinct, and a batch article is never published.
    # (As with terms, a batch row beyond the cap is nobody's partner.)
    pool_evidence = pl.concat([evidence, history_evidence]).drop("grams")
    # A share is of all the grams an article quotes, not only those it shares with this batch: each row
    # carries its article's count, so partners (from the evidence pool only) need no scan of their rows.
    quoted_grams = pl.concat(
        [
            quotes.group_by("article_id").agg(pl.col("grams").first()),
            _published_grams(history_evidence, history_quotes),
        ]
    )
    # Each article keeps its story_candidates most-quoting partners: on the synthetic corpus
    # (a collage of BBC quotes) articles share enough quotes with dozens of others each, and a
    # cosine per pair cost more than all the rest.
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
        order=order,
        pool=pool,
    )
    candidates = pl.concat([frame.select("article_id", "other") for frame in (rough, shared)]).unique()
    own = top.drop("rank")
    # A cosine is over the article's evidence terms. A published partner holds each of those it shares before
    # the article, so among the term's first cap holders: its rows that count are in the postings read above.
    vectors_pool = pl.concat([own, history_top.filter(is_in("article_id", candidates.get_column("other")))])
    partner_facts = history["facts"].filter(is_in("article_id", candidates.get_column("other")))
    pool_facts = pl.concat([facts, partner_facts.select(facts.columns).collect(engine="streaming")])
    cosine = pair_cosines(candidates, evidence_terms, vectors_pool).join(shared, on=["article_id", "other"], how="left")
    strong = (pl.col("cosine") >= settings.story_cosine) & (pl.col("shared_terms") >= settings.story_shared_terms)
    quoted = (
        (pl.col("cosine") >= settings.story_quote_cosine)
        & (pl.col("shared_quotes") >= settings.story_quote_ngrams)
        & (pl.col("quote_share") >= settings.story_quote_share)
    )
    # Facts veto only what would link: most candidates do not. (A pair outside ``shared`` has null
    # quote columns: ``quoted`` is then null, and only ``strong`` can keep it.)
    linked = vetoed(cosine.filter(strong | quoted), pool_facts, settings)
    # The quotes a strong link shares are reported, though they did not decide it: counted for these
    # pairs alone, not by another product over the whole pool.
    unreported = linked.filter(pl.col("shared_quotes").is_null()).select("article_id", "other")
    reported = pair_quotes(unreported, evidence, pool_evidence, quoted_grams)
    pairs = (
        linked.update(reported, on=["article_id", "other"])
        .with_columns(pl.col("shared_quotes").fill_null(0), pl.col("quote_share").fill_null(0.0))
        .with_columns(
            rule=pl.when(strong)
            .then(
                pl.format(
                    "tf-idf cosine {} >= {} over {} shared top terms >= {}",
                    pl.col("cosine").round(3),
                    pl.lit(settings.story_cosine),
                    pl.col("shared_terms"),
                    pl.lit(settings.story_shared_terms),
                )
            )
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
        .drop("quote_share", "shared_terms")
    )
    # A batch row is a posting exactly when it is selective: at most cap holders came before it.
    return Links(pairs, evidence_terms)


def _published_grams(rows: pl.DataFrame, published: pl.LazyFrame) -> pl.DataFrame:
    """``article_id``, ``grams`` of the articles of ``rows`` (published quote rows with their ``grams``); those
    published before the count was stored (null) are counted in ``published``, read for them alone."""
    grams = rows.group_by("article_id").agg(pl.col("grams").first())
    uncounted = grams.filter(pl.col("grams").is_null()).select("article_id")
    if uncounted.is_empty():
        return grams
    counted = (
        published.join(uncounted.lazy(), on="article_id", how="semi")
        .group_by("article_id")
        .agg(grams=pl.len().cast(pl.Int32))
        .collect(engine="streaming")
    )
    return pl.concat([grams.filter(pl.col("grams").is_not_null()), counted])


def vetoed(pairs: pl.DataFrame, facts: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """``pairs`` (``article_id``, ``other``, ``cosine``, ...) less those the articles' ``facts`` veto (see the
    module docstring). A pair with an article missing from ``facts`` is kept."""
    own = facts.select("article_id", "numbers", "title_numbers", "title_tickers", "published_date", "word_count")
    theirs = own.rename({name: f"{name}_other" for name in own.columns if name != "article_id"}).rename(
        {"article_id": "other"}
    )
    days = (pl.col("published_date") - pl.col("published_date_other")).dt.total_days().abs()
    close = (days <= settings.story_max_days).fill_null(False)
    far = (days > settings.story_max_days).fill_null(False)
    brief = pl.min_horizontal("word_count", "word_count_other") <= settings.story_template_words
    alike = (pl.col("cosine") >= settings.story_template_cosine) & conflicts("numbers")
    template = brief & (alike | conflicts("title_numbers"))
    # A brief is mostly the vocabulary of its beat ("shares", "company", "quarter"): its links need more.
    thin = brief & (pl.col("cosine") < settings.story_brief_cosine)
    veto = (
        conflicts("title_tickers").fill_null(False) | far | (template.fill_null(False) & ~close) | thin.fill_null(False)
    )
    return (
        pairs.join(own, on="article_id", how="left")
        .join(theirs, on="other", how="left")
        .filter(~veto)
        .select(pairs.columns)
    )
