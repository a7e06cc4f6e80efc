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

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl
from polars_hash import NonCryptographicHashingNameSpace
from scipy import sparse

from newsflow import minhash
from newsflow.config import Settings
from newsflow.hashing import stable_id
from newsflow.normalize import canonical_form

# Function words and reporting verbs: frequent everywhere, evidence of nothing.
STOPWORDS = frozenset(
    (  # noqa: SIM905 - a list literal of 150 words would bury the module
        "a about above after again against all also am an and any are as at be because been before being below "
        "between both but by can could did do does doing down during each few for from further had has have having "
        "he her here hers herself him himself his how i if in into is it its itself just me more most my myself no "
        "nor not now of off on once only or other our ours ourselves out over own same she should so some such than "
        "that the their theirs them themselves then there these they this those through to too under until up very "
        "was we were what when where which while who whom why will with would you your yours yourself yourselves "
        "said says say told added according mr mrs ms year years new one two three"
    ).split()
)
_QUOTE = r"[\"\u201c\u201d\u201e]([^\"\u201c\u201d\u201e]{20,1000})[\"\u201c\u201d\u201e]"
_QUOTE_WORDS = 6


def term_counts(paragraphs: pl.DataFrame) -> pl.DataFrame:
    """``article_id``, ``term``, ``tf``: content words of the non-boilerplate canonical body."""
    return (
        paragraphs.lazy()
        .filter(~pl.col("is_boilerplate"))
        .select("article_id", term=pl.col("canonical").str.extract_all(r"\p{L}[\p{L}']{2,}"))
        .explode("term")
        .filter(pl.col("term").is_not_null() & ~pl.col("term").is_in(list(STOPWORDS)))
        .group_by("article_id", "term")
        .agg(tf=pl.len().cast(pl.Int32))
        # Streaming: a word per row of a whole window is ~10M rows at once otherwise.
        .collect(engine="streaming")
    )


def quote_grams(paragraphs: pl.DataFrame) -> pl.DataFrame:
    """``article_id``, ``quote_hash``: hashes of the word 6-grams inside quotation marks."""
    words = canonical_form(pl.col("quote")).str.split(" ")
    grams = words.list.eval(
        pl.concat_str([pl.element().shift(-i) for i in range(_QUOTE_WORDS)], separator=" ").drop_nulls()
    )
    return (
        paragraphs.lazy()
        .select("article_id", quote=pl.col("text").str.extract_all(_QUOTE))
        .explode("quote")
        .drop_nulls()
        .select("article_id", gram=grams)
        .explode("gram")
        .drop_nulls()
        .select("article_id", quote_hash=NonCryptographicHashingNameSpace(pl.col("gram")).xxh3_64())
        .unique()
        .collect(engine="streaming")
    )


def tfidf(counts: pl.DataFrame, document_frequency: pl.DataFrame, documents: int) -> pl.DataFrame:
    """``article_id``, ``term``, ``weight``, ``rank``: L2-normalized TF-IDF vectors, heaviest term ranked 1.

    ``document_frequency``: ``term``, ``df`` (summed over rows); smoothed IDF as scikit-learn.
    """
    idf = ((1 + documents) / (1 + pl.col("df"))).log() + 1
    weight = (1 + pl.col("tf").cast(pl.Float64).log()) * idf
    return (
        counts.join(document_frequency.group_by("term").agg(pl.col("df").sum()), on="term", how="left")
        .with_columns(pl.col("df").fill_null(0))
        .with_columns(weight=weight)
        # A fixed row order, whatever order the multithreaded group-by produced: the
        # norm's float sum then comes out the same on every run, and ties in weight
        # (equal counts are common) are broken by term at the top-terms cut.
        .sort(["article_id", "weight", "term"], descending=[False, True, False])
        .with_columns(weight=pl.col("weight") / (pl.col("weight") ** 2).sum().sqrt().over("article_id"))
        .with_columns(rank=(pl.int_range(pl.len()).over("article_id") + 1).cast(pl.UInt32))
        .select("article_id", "term", "weight", "rank")
    )


_COSINE_DIGITS = 9
"""Cosines are rounded: a pair sitting on a threshold then lands on the same side on every machine."""


_PRODUCTS = 8_000_000
"""Term products (a left posting times a right posting) computed at once: bounds the memory of a sparse
product (its output holds at most this many pairs, ~16 B each), whatever the batch size."""


def _index(values: pl.Series) -> pl.DataFrame:
    """Each distinct value once, sorted, with its matrix ``index``: a fixed order, so sparse sums add their
    terms in the same order on every run (a float sum depends on it)."""
    return values.unique().sort().to_frame().with_row_index("index")


def _matrix(frame: pl.DataFrame, rows: pl.DataFrame, columns: pl.DataFrame, weight: str | None) -> Any:
    """A CSR matrix of ``frame``: rows and columns numbered by ``_index`` frames (their value column names the
    ``frame`` column); entries ``weight`` (1 if None), rows outside either index left out."""
    row, column = rows.columns[1], columns.columns[1]
    indexed = frame.join(rows.rename({"index": "r"}), on=row).join(columns.rename({"index": "c"}), on=column)
    data = indexed.get_column(weight).to_numpy() if weight else np.ones(indexed.height)
    coordinates = (indexed.get_column("r").to_numpy(), indexed.get_column("c").to_numpy())
    matrix = sparse.csr_array((data, coordinates), shape=(rows.height, columns.height))
    # Each row's entries by column, whatever the join's row order (SciPy already sorts them when it
    # converts coordinates, cheaper than sorting the frame: 1.1 s for 7.6M published quote rows).
    matrix.sort_indices()
    return matrix


def _row_chunks(cost: np.ndarray[Any, Any]) -> Iterator[tuple[int, int]]:
    """Consecutive row ranges whose ``cost`` adds up to about ``_PRODUCTS`` (a costlier row alone)."""
    edges = np.flatnonzero(np.diff(np.cumsum(cost) // _PRODUCTS)) + 1
    return itertools.pairwise([0, *edges.tolist(), len(cost)])


def _pairs_sharing(
    left: pl.DataFrame, right: pl.DataFrame, *, key: str, weight: str | None, name: str, at_least: float
) -> Iterator[pl.DataFrame]:
    """``article_id``, ``other`` and ``name``, the sum over the ``key`` values they share of the product of
    their ``weight`` (1 if None: a count), for pairs where it is at least ``at_least``; one chunk of left
    articles at a time, each with all of its pairs.

    A sparse product over integer indices (SciPy): the string join and group-by it replaced
    made a row per (left key, right posting) and took 3.5 times as long (25 s against 7 s,
    a 25,000-file window against 200,000 published articles).
    """
    keys = _index(left.get_column(key))
    mine = _index(left.get_column("article_id"))
    theirs = _index(right.join(keys, on=key, how="semi").get_column("article_id"))
    a = _matrix(left, mine, keys, weight)
    b = _matrix(right, keys, theirs, weight)
    postings = np.diff(b.indptr)
    cost = (a != 0).astype(np.int64) @ postings
    for start, stop in _row_chunks(cost):
        product = (a[start:stop] @ b).tocoo()
        total = product.data.round(_COSINE_DIGITS) if weight else product.data
        keep = total >= at_least
        pairs = pl.DataFrame(
            {"r": product.row[keep].astype(np.uint32) + start, "c": product.col[keep].astype(np.uint32)}
        )
        yield (
            pairs.with_columns(pl.Series(name, total[keep]))
            .join(mine.rename({"index": "r"}), on="r")
            .join(theirs.rename({"index": "c", "article_id": "other"}), on="c")
            .filter(pl.col("article_id") != pl.col("other"))
            .select("article_id", "other", name)
        )


def _dot(left: pl.DataFrame, right: pl.DataFrame, *, min_cosine: float, per_article: int) -> pl.DataFrame:
    """``article_id``, ``other``, ``cosine`` over shared terms: the ``per_article`` best pairs of each left
    article reaching ``min_cosine`` (ties to the smaller ``other``)."""
    parts = [
        pairs.sort(["article_id", "cosine", "other"], descending=[False, True, False]).filter(
            pl.int_range(pl.len()).over("article_id") < per_article
        )
        for pairs in _pairs_sharing(left, right, key="term", weight="weight", name="cosine", at_least=min_cosine)
    ]
    return pl.concat([pl.DataFrame(schema=_PAIR_COSINE), *parts])


def _shared_quotes(
    left: pl.DataFrame,
    right: pl.DataFrame,
    quoted: pl.DataFrame,
    *,
    min_shared: int,
    min_share: float,
    per_article: int = 0,
    most: int | None = None,
) -> pl.DataFrame:
    """``article_id``, ``other``, ``shared_quotes``, ``quote_share`` for pairs sharing at least ``min_shared``
    quote hashes, that many being at least ``min_share`` of the fewer-quoting article's ``grams`` (``quoted``):
    the ``most`` sharing such partners of each article (all: None), and its ``per_article`` most sharing
    partners whatever their share. Ties go to the smaller ``other``.
    """
    backed = pl.col("quote_share") >= min_share
    within = pl.lit(True) if most is None else backed.cum_sum().over("article_id") <= most
    parts = [
        pairs.with_columns(pl.col("shared_quotes").cast(pl.Int32))
        .join(quoted, on="article_id")
        .join(quoted.rename({"article_id": "other", "grams": "grams_other"}), on="other")
        .with_columns(quote_share=pl.col("shared_quotes") / pl.min_horizontal("grams", "grams_other"))
        .sort(["article_id", "shared_quotes", "other"], descending=[False, True, False])
        .filter((backed & within) | (pl.int_range(pl.len()).over("article_id") < per_article))
        .drop("grams", "grams_other")
        for pairs in _pairs_sharing(
            left, right, key="quote_hash", weight=None, name="shared_quotes", at_least=min_shared
        )
    ]
    return pl.concat([pl.DataFrame(schema=_PAIR_QUOTES), *parts])


def _pair_cosines(pairs: pl.DataFrame, vectors: pl.DataFrame, pool: pl.DataFrame) -> pl.DataFrame:
    """``article_id``, ``other``, ``cosine`` of each pair: ``article_id``'s whole vector against ``other``'s
    (in ``pool``)."""
    if pairs.is_empty():
        return pl.DataFrame(schema=_PAIR_COSINE)
    terms = _index(vectors.get_column("term"))
    mine = _index(pairs.get_column("article_id"))
    theirs = _index(pairs.get_column("other")).rename({"other": "article_id"})
    a = _matrix(vectors, mine, terms, "weight")
    b = _matrix(pool, theirs, terms, "weight")
    indexed = (
        pairs.join(mine.rename({"index": "r"}), on="article_id")
        .join(theirs.rename({"index": "c", "article_id": "other"}), on="other")
        .sort("r", "c")
    )
    rows, columns = indexed.get_column("r").to_numpy(), indexed.get_column("c").to_numpy()
    cosines = []
    # A row of products per pair: the article's whole vector, so chunks bound memory.
    for start, stop in _row_chunks(np.diff(a.indptr)[rows]):
        products = a[rows[start:stop]].multiply(b[columns[start:stop]])
        cosines.append(np.asarray(products.sum(axis=1)).ravel().round(_COSINE_DIGITS))
    return indexed.select("article_id", "other", cosine=pl.Series(np.concatenate(cosines)))


_PAIR_COSINE = {"article_id": pl.String, "other": pl.String, "cosine": pl.Float64}
_PAIR_QUOTES = {"article_id": pl.String, "other": pl.String, "shared_quotes": pl.Int32, "quote_share": pl.Float64}


def _matching(frame: pl.LazyFrame, column: str, values: pl.Series) -> pl.LazyFrame:
    return frame.filter(pl.col(column).is_in(values.unique().implode()))


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
    history_top = _matching(history_terms, "term", top.get_column("term")).select("article_id", "term", "weight")
    postings = _postings(top, history_top, key="term")
    # A term in very many articles' top terms proposes pairs quadratically and says little
    # about one event; candidates come from the rarer ones (full cosines are computed below).
    selective = postings.filter(pl.col("len") <= settings.story_term_postings).select("term")
    pool_selective = pl.concat(
        [
            top.drop("rank").join(selective, on="term", how="semi"),
            _matching(history_top, "term", selective.get_column("term")).collect(engine="streaming"),
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
    rough = _dot(proposing, pool_selective, min_cosine=settings.story_cosine / 4, per_article=settings.story_candidates)
    history_quoted = _matching(history_quotes, "quote_hash", quotes.get_column("quote_hash")).select(quotes.columns)
    quote_postings = _postings(quotes, history_quoted, key="quote_hash")
    # A quoted 6-gram in very many articles is a stock phrase, not the quote of one event;
    # like a common term it would pair articles quadratically.
    stock = quote_postings.filter(pl.col("len") > settings.story_quote_postings)
    evidence = quotes.join(stock, on="quote_hash", how="anti")
    history_evidence = _matching(history_quoted, "quote_hash", evidence.get_column("quote_hash")).collect(
        engine="streaming"
    )
    # No unique(): batch and published rows are each distinct, and a batch article is never published.
    pool_evidence = pl.concat([evidence, history_evidence])
    # A share is of all the grams an article quotes, not only those it shares with this batch;
    # partners come from the evidence pool only.
    quoting = history_quotes.join(history_evidence.select("article_id").unique().lazy(), on="article_id", how="semi")
    quoted_grams = _postings(quotes, quoting, key="article_id").rename({"len": "grams"})
    # Each article keeps its story_candidates most-quoting partners: on the synthetic corpus
    # (a collage of BBC quotes) articles share enough quotes with ~30 others each, and a
    # full cosine per pair cost more than all the rest. Stories are transitive, so a few
    # partners per article still join a whole story.
    # Pairs below the quote share cannot link by the quote rule; of those only an
    # article's most-quoted partner is kept, as it may still link by cosine: at 100,000
    # synthetic articles, 20 of 620 strong links had no other way to be found.
    shared = _shared_quotes(
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
        partners = _matching(history_terms, "article_id", pairs.get_column("other"))
        return pl.concat([own, partners.select(own.columns).collect(engine="streaming")])

    # A full cosine costs the article's whole vector; the dot product of top terms sifts
    # these partners first, at the floor of the rough one (on BBC links at cosine 0.61
    # and 0.64 it is 0.19 and 0.20).
    partners = shared.filter(~quote_backed).select("article_id", "other")
    own_top = top.drop("rank")
    likely = _pair_cosines(partners, own_top, with_partners(own_top, partners)).filter(
        pl.col("cosine") >= settings.story_cosine / 4
    )
    candidates = pl.concat(
        [frame.select("article_id", "other") for frame in (rough, shared.filter(quote_backed), likely)]
    ).unique()
    full = vectors.select("article_id", "term", "weight")
    cosine = _pair_cosines(candidates, full, with_partners(full, candidates))
    strong = pl.col("cosine") >= settings.story_cosine
    # The quotes a strong link shares are reported, though they did not decide it.
    unreported = cosine.filter(strong).join(shared, on=["article_id", "other"], how="anti")
    reported = _shared_quotes(
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
