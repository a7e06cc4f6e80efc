"""Deduplication as pure frame functions: inside an article, and across articles."""

from __future__ import annotations

import polars as pl

from newsflow import minhash
from newsflow.config import Settings
from newsflow.reasons import DuplicateKind


def remove_repeated_paragraphs(roles: pl.LazyFrame) -> pl.LazyFrame:
    """Body paragraphs with their first occurrence kept, renumbered from 0.

    A body paragraph equal to the headline is layout (the headline printed again),
    not content, so it is dropped without counting as a repeat. Returns ``doc``,
    ``position``, ``text``, ``canonical``, ``is_repeat`` (the dropped rows are kept,
    flagged, so the caller can count and inspect them).
    """
    headline = pl.col("canonical").filter(pl.col("role") == "headline").first().over("doc")
    body = pl.col("role") == "body"
    return (
        roles.with_columns(headline_canonical=headline)
        .filter(body & (pl.col("canonical") != pl.col("headline_canonical")).fill_null(True))
        .with_columns(is_repeat=~pl.col("canonical").is_first_distinct().over("doc", order_by="para_no"))
        .with_columns(
            position=pl.when(~pl.col("is_repeat"))
            .then((~pl.col("is_repeat")).cum_sum().over("doc", order_by="para_no") - 1)
            .cast(pl.Int32)
        )
        .select("doc", "para_no", "position", "text", "canonical", "is_repeat")
    )


def split_exact_duplicates(candidates: pl.DataFrame, published_ids: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split curated candidates into (kept, duplicates) by ``article_id``.

    An article whose id is already published, or that repeats an earlier candidate
    of the same batch, is a duplicate. Within a batch the first ``source_path`` in
    sort order is kept, so the outcome does not depend on discovery or shard order.
    ``duplicates`` gains ``duplicate_of``, ``kind`` and ``similarity``.
    """
    ordered = candidates.sort("source_path")
    seen_before = pl.col("article_id").is_in(published_ids.implode())
    first_in_batch = pl.col("article_id").is_first_distinct()
    keep = ~seen_before & first_in_batch
    kept = ordered.filter(keep)
    duplicates = ordered.filter(~keep).with_columns(
        duplicate_of=pl.col("article_id"),
        kind=pl.lit(DuplicateKind.EXACT.value),
        similarity=pl.lit(1.0),
    )
    return kept, duplicates


def flag_boilerplate(paragraphs: pl.DataFrame, history: pl.DataFrame, *, min_articles: int) -> pl.DataFrame:
    """Add ``is_boilerplate``: the paragraph appears verbatim in at least ``min_articles`` articles.

    ``history`` holds ``paragraph_hash``, ``articles`` counts from earlier runs (any
    number of rows per hash; they are summed). The flag is as of this run: rows
    published earlier are not rewritten when a paragraph later becomes common.
    """
    batch = paragraphs.group_by("paragraph_hash").agg(articles=pl.col("article_id").n_unique().cast(pl.Int64))
    seen = (
        pl.concat([batch, history.select("paragraph_hash", pl.col("articles").cast(pl.Int64))])
        .group_by("paragraph_hash")
        .agg(pl.col("articles").sum())
    )
    return (
        paragraphs.join(seen, on="paragraph_hash", how="left")
        .with_columns(is_boilerplate=pl.col("articles") >= min_articles)
        .drop("articles")
    )


def paragraph_counts(paragraphs: pl.DataFrame) -> pl.DataFrame:
    """This run's contribution to the paragraph-count state: distinct articles per paragraph."""
    return paragraphs.group_by("paragraph_hash").agg(articles=pl.col("article_id").n_unique().cast(pl.Int32))


_SIGNATURE_ARTICLES = 4_000
"""Articles shingled at once: ~0.3 GB at news length (an article makes ~300 shingle rows)."""


def batch_signatures(paragraphs: pl.DataFrame, settings: Settings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """MinHash signatures and LSH band keys of each article's non-boilerplate canonical body."""
    texts = (
        paragraphs.filter(~pl.col("is_boilerplate"))
        .sort("article_id", "position")
        .group_by("article_id", maintain_order=True)
        .agg(text=pl.col("canonical").str.join(" "))
        .rename({"article_id": "key"})
    )
    count = settings.minhash_bands * settings.minhash_rows
    # Shingling explodes a text into one row per word; a chunk of articles at a time keeps
    # that (and the count columns of hash values it makes) bounded, whatever the batch size.
    sigs = pl.concat(
        [
            minhash.signatures(minhash.shingle_hashes(chunk.lazy(), words=settings.shingle_words), count=count)
            for chunk in texts.iter_slices(_SIGNATURE_ARTICLES)
        ]
        or [minhash.signatures(minhash.shingle_hashes(texts.lazy(), words=settings.shingle_words), count=count)]
    )
    return sigs, minhash.band_keys(sigs, bands=settings.minhash_bands, rows=settings.minhash_rows)


def find_near_duplicates(
    articles: pl.DataFrame,
    sigs: pl.DataFrame,
    bands: pl.DataFrame,
    history: pl.DataFrame,
    history_bands: pl.DataFrame,
    *,
    threshold: float,
    containment: float,
    min_jaccard: float,
) -> pl.DataFrame:
    """Batch articles that near-duplicate another article, grouped transitively.

    A candidate pair is verified when its estimated Jaccard similarity reaches
    ``threshold``, or when it reaches ``min_jaccard`` and one article's shingles are
    at least ``containment`` inside the other's (a copy with a paragraph cut).

    ``articles``: batch ``article_id``, ``word_count``, ``source_path``. ``history``:
    published ``key``, ``signature``, ``ingested_at`` of the articles whose bands
    matched (``history_bands``). Each connected component keeps one article: the earliest
    ingested (a published one), then the most complete (most words), then the
    first ``source_path``. Returns ``article_id``, ``duplicate_of``, ``similarity``
    (estimated Jaccard to the kept article) for the batch articles to drop.
    """
    empty = pl.DataFrame(schema={"article_id": pl.String, "duplicate_of": pl.String, "similarity": pl.Float64})
    pairs = minhash.candidate_pairs(bands, history_bands)
    if pairs.height == 0:
        return empty
    all_sigs = pl.concat([sigs, history.select("key", "shingles", "signature")]).unique("key")
    sizes = all_sigs.select("key", "shingles")
    contained = minhash.containment(pl.col("similarity"), pl.col("shingles"), pl.col("shingles_other"))
    pairs = (
        pairs.with_columns(minhash.similarity(pairs, all_sigs))
        .join(sizes, on="key")
        .join(sizes.rename({"key": "other", "shingles": "shingles_other"}), on="other")
        .filter(
            (pl.col("similarity") >= threshold) | ((pl.col("similarity") >= min_jaccard) & (contained >= containment))
        )
        .select("key", "other")
    )
    if pairs.height == 0:
        return empty
    nodes = pl.concat(
        [
            articles.select(key="article_id", published=pl.lit(False), word_count="word_count", order="source_path"),
            history.select(
                "key",
                published=pl.lit(True),
                word_count=pl.lit(0, pl.Int32),
                order=pl.col("ingested_at").cast(pl.String),
            ),
        ],
        how="vertical_relaxed",
    ).unique("key", keep="first")
    groups = minhash.components(pl.concat([pairs.get_column("key"), pairs.get_column("other")]), pairs)
    ranked = (
        groups.join(nodes, on="key")
        .sort(["group", "published", "word_count", "order"], descending=[False, True, True, False])
        .with_columns(keeper=pl.col("key").first().over("group"))
    )
    dropped = ranked.filter(~pl.col("published") & (pl.col("key") != pl.col("keeper")))
    keeper_pairs = dropped.select("key", other="keeper")
    return keeper_pairs.with_columns(minhash.similarity(keeper_pairs, all_sigs)).select(
        article_id="key", duplicate_of="other", similarity="similarity"
    )
