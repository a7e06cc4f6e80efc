"""Story evidence from paragraphs: content-word counts, TF-IDF vectors (reference IDF) and quoted word 6-grams."""

from __future__ import annotations

import polars as pl
from polars_hash import NonCryptographicHashingNameSpace

from newsflow.dedup.facts import fact_lists
from newsflow.frames import ngram_rows, within_top
from newsflow.parallel import IN_PROCESS, Pool, split
from newsflow.stories.reference import IDF_CEILING, LANGUAGE, reference_idf
from newsflow.transform.normalize import canonical_form
from newsflow.transform.roles import in_body
from newsflow.transform.words import UNSPACED, segmented

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
_TERM = rf"\p{{L}}[\p{{L}}']{{2,}}|{UNSPACED}{{2,}}"
"""A content word: three letters or more, or two characters of a script written without spaces (most
Chinese words are two characters)."""
_QUOTE = r"[\"\u201c\u201d\u201e]([^\"\u201c\u201d\u201e]{20,1000})[\"\u201c\u201d\u201e]"
_QUOTE_WORDS = 6


def term_counts(paragraphs: pl.DataFrame, languages: pl.DataFrame) -> pl.DataFrame:
    """``article_id`` (categorical), ``language``, ``term``, ``tf``: content words of the body (boilerplate
    included: whether a paragraph is boilerplate depends on what was published before it). ``languages``:
    ``article_id``, ``language``."""
    body = segmented(paragraphs.filter(in_body()).select("article_id", "canonical"), "canonical")
    # Grouped by the id's integer code: a row per word of the window, where hashing a string id costs more.
    article = pl.col("article_id").cast(pl.Categorical)
    return (
        body.lazy()
        .select(article, term=pl.col("canonical").str.extract_all(_TERM))
        .explode("term")
        .filter(pl.col("term").is_not_null() & ~pl.col("term").is_in(list(STOPWORDS)))
        .group_by("article_id", "term")
        .agg(tf=pl.len().cast(pl.Int32))
        .join(languages.lazy().select(article, "language"), on="article_id", how="left")
        # Streaming: otherwise a whole window's words are held at once, a row each.
        .collect(engine="streaming")
    )


def quote_grams(paragraphs: pl.DataFrame) -> pl.DataFrame:
    """``article_id``, ``quote_hash``: hashes of the word 6-grams inside quotation marks; ``grams``: how many
    the article has (what a shared quote's share is of), so a later window reads it with the rows it matches."""
    quotes = (
        paragraphs.lazy()
        .filter(in_body())
        .select("article_id", quote=pl.col("text").str.extract_all(_QUOTE))
        .explode("quote")
        .drop_nulls()
    )
    words = canonical_form(pl.col("quote")).str.split(" ")
    return (
        ngram_rows(quotes, words, _QUOTE_WORDS, keep=["article_id"])
        .select("article_id", quote_hash=NonCryptographicHashingNameSpace(pl.col("gram")).xxh3_64())
        .unique()
        .with_columns(grams=pl.len().over("article_id").cast(pl.Int32))
        .collect(engine="streaming")
    )


def tfidf(counts: pl.DataFrame, *, top: int) -> pl.DataFrame:
    """``article_id``, ``term``, ``weight``, ``rank``: the ``top`` heaviest terms of each article (heaviest ranked
    1) as an L2-normalized TF-IDF vector, from ``term_counts``.

    The IDF is the word's rarity in its language (``reference``), squared: a story is told
    in its rare words (names, places, the thing that happened), and squaring lets them
    outweigh the many topic words two reports of one beat share. A vector is a function of
    its article alone, so a pair's cosine does not depend on batching.
    """
    idf = reference_idf(counts.get_column("language").unique())
    weight = (1 + pl.col("tf").cast(pl.Float64).log()) * pl.col("idf").fill_null(IDF_CEILING) ** 2
    return (
        counts.lazy()
        .with_columns(language=LANGUAGE)
        .join(idf.lazy(), on=["term", "language"], how="left")
        .with_columns(weight=weight)
        # Only the rows reaching an article's top weights are ranked with their term: comparing strings
        # cost more than the rest of the cut.
        .filter(within_top("weight", top, over="article_id"))
        # Ties in weight (equal counts are common) are broken by term at the top-terms cut.
        .group_by("article_id")
        .agg(pl.col("term", "weight").top_k_by(["weight", "term"], k=top, reverse=[False, True]))
        .explode("term", "weight")
        .with_columns(pl.col("article_id").cast(pl.String))
        # A fixed row order, whatever order the multithreaded group-by produced: the
        # norm's float sum then comes out the same on every run.
        .sort(["article_id", "weight", "term"], descending=[False, True, False])
        .with_columns(rank=(pl.int_range(pl.len()).over("article_id") + 1).cast(pl.UInt32))
        .with_columns(weight=pl.col("weight") / (pl.col("weight") ** 2).sum().sqrt().over("article_id"))
        .select("article_id", "term", "weight", "rank")
        .collect()
    )


def story_facts(articles: pl.DataFrame, paragraphs: pl.DataFrame) -> pl.DataFrame:
    """``article_id``, ``numbers``, ``title_numbers``, ``title_tickers``, ``published_date`` and ``word_count``
    of each article (``articles``: ``article_id``, ``headline``, ``published``, ``word_count``)."""
    bodies = paragraphs.lazy().filter(in_body()).group_by("article_id").agg(display=pl.col("text").str.join("\n"))
    facts = fact_lists(pl.col("display").fill_null(""), pl.col("headline"))
    return (
        articles.lazy()
        .join(bodies, on="article_id", how="left")
        .select(
            "article_id",
            *(facts[name].alias(name) for name in ("numbers", "title_numbers", "title_tickers")),
            published_date="published",
            word_count="word_count",
        )
        .collect()
    )


EVIDENCE = ("vectors", "quotes", "facts")
"""The names of ``article_evidence``'s frames, in order (``records.Evidence``)."""


def article_evidence(
    piece: tuple[pl.DataFrame, pl.DataFrame], *, top: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The TF-IDF ``vectors`` (``tfidf``), quoted 6-grams (``quote_grams``) and ``story_facts`` of a piece of
    ``articles`` and their ``paragraphs``: each a function of its article alone."""
    articles, paragraphs = piece
    vectors = tfidf(term_counts(paragraphs, articles.select("article_id", "language")), top=top)
    return vectors, quote_grams(paragraphs), story_facts(articles, paragraphs)


def evidence(
    articles: pl.DataFrame, paragraphs: pl.DataFrame, *, top: int, pool: Pool = IN_PROCESS
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """``article_evidence`` of every article, a piece of articles (by ``article_id``) per worker of ``pool``."""
    ranges = split(articles.height, pool.workers)
    if len(ranges) > 1:
        ordered = articles.sort("article_id")
        parts = [ordered.slice(rows.start, len(rows)) for rows in ranges]
        pieces = [(part, paragraphs.join(part.select("article_id"), on="article_id", how="semi")) for part in parts]
    else:
        pieces = [(articles, paragraphs)]
    vectors, quotes, facts = zip(*pool.map(article_evidence, pieces, top=top), strict=True)
    return pl.concat(vectors), pl.concat(quotes), pl.concat(facts)
