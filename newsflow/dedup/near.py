"""Near duplicates: MinHash signatures of word shingles, LSH bands, verified pairs grouped transitively."""

from __future__ import annotations

import polars as pl

from newsflow.config import Settings
from newsflow.dedup import minhash
from newsflow.frames import is_in
from newsflow.reasons import DuplicateKind
from newsflow.records import Window, WindowContext
from newsflow.steps import StepResult
from newsflow.transform.roles import compared

_SIGNATURE_ARTICLES = 4_000
"""Articles shingled at once: an article makes a row per shingle, so this bounds the memory of shingling."""


def batch_signatures(paragraphs: pl.DataFrame, settings: Settings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """MinHash signatures and LSH band keys of each article's non-boilerplate canonical body."""
    texts = (
        paragraphs.filter(compared())
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


def _rule(settings: Settings) -> pl.Expr:
    return pl.format(
        "near: estimated {}-word shingle Jaccard {} to the kept article (MinHash {}x{}); pairs verified at "
        "Jaccard >= {} or containment >= {} with Jaccard >= {}, grouped transitively",
        pl.lit(settings.shingle_words),
        pl.col("similarity").round(3),
        pl.lit(settings.minhash_bands),
        pl.lit(settings.minhash_rows),
        pl.lit(settings.near_duplicate_threshold),
        pl.lit(settings.near_duplicate_containment),
        pl.lit(settings.near_duplicate_min_jaccard),
    )


class NearDuplicates:
    """Drops candidates that near-duplicate another article of the window or a published one (a
    ``duplicates`` row each); copies found earlier that point at a dropped article point at its keeper.
    Adds the kept articles' ``signatures`` and ``bands`` to the state."""

    name = "near_duplicates"
    stage = "dedup"
    reasons = (DuplicateKind.NEAR.value,)

    def run(self, window: Window, context: WindowContext) -> StepResult[Window]:
        settings, history = context.settings, context.history
        kept, paragraphs = window.articles, window.paragraphs
        sigs, bands = batch_signatures(paragraphs, settings)
        history_bands = history["bands"].filter(is_in("band_hash", bands.get_column("band_hash")))
        matched_bands = history_bands.collect(engine="streaming")
        matched_sigs = (
            history["signatures"]
            .filter(is_in("article_id", matched_bands.get_column("article_id")))
            .collect(engine="streaming")
            .rename({"article_id": "key"})
        )
        near = find_near_duplicates(
            kept.select("article_id", "word_count", "source_path"),
            sigs,
            bands,
            matched_sigs,
            matched_bands.rename({"article_id": "key"}),
            threshold=settings.near_duplicate_threshold,
            containment=settings.near_duplicate_containment,
            min_jaccard=settings.near_duplicate_min_jaccard,
        )
        near_rows = kept.join(near, on="article_id").with_columns(
            kind=pl.lit(DuplicateKind.NEAR.value), rule=_rule(settings)
        )
        # A copy of an article that is itself a near duplicate points at what was kept instead.
        earlier = (
            window.duplicates.join(
                near.rename({"article_id": "duplicate_of", "duplicate_of": "kept_instead"}),
                on="duplicate_of",
                how="left",
            )
            .with_columns(
                kind=pl.when(pl.col("kept_instead").is_null())
                .then(pl.col("kind"))
                .otherwise(pl.lit(DuplicateKind.NEAR.value)),
                similarity=pl.coalesce("similarity_right", "similarity"),
                duplicate_of=pl.coalesce("kept_instead", "duplicate_of"),
            )
            .drop("kept_instead", "similarity_right")
        )
        kept = kept.join(near, on="article_id", how="anti")
        kept_ids = kept.get_column("article_id")
        state = {
            **window.state,
            "signatures": sigs.filter(is_in("key", kept_ids)).rename({"key": "article_id"}),
            "bands": bands.filter(is_in("key", kept_ids)).rename({"key": "article_id"}),
        }
        return StepResult(
            window.but(
                articles=kept,
                paragraphs=paragraphs.join(kept.select("article_id"), on="article_id", how="semi"),
                duplicates=pl.concat([earlier, near_rows], how="diagonal_relaxed"),
                state=state,
            ),
            dropped=near_rows.get_column("kind"),
        )
