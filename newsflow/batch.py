"""One run's rows: from read shards to the tables and the dedup/story state, as pure frame functions.

Counters follow datatrove's convention: every step reports ``total``, ``kept`` and
``dropped_<reason>``, and what it drops is kept as rows, never silently lost.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime

import polars as pl

from newsflow import dedup, schemas, stories
from newsflow.articles import parse_articles
from newsflow.config import Settings
from newsflow.dedup import split_exact_duplicates
from newsflow.reasons import DuplicateKind, Status

Counters = dict[str, int]


def count_outcomes(total: int, dropped: pl.Series) -> Counters:
    """``total``, ``kept`` and ``dropped_<reason>`` from a series of drop reasons."""
    counters: Counters = {"total": total, "kept": total - dropped.len()}
    for reason, n in sorted(dropped.value_counts().iter_rows()):
        counters[f"dropped_{reason}"] = n
    return counters


@dataclass(frozen=True, slots=True)
class ShardResult:
    """What one shard yields: article candidates, their paragraphs, and rejects."""

    candidates: pl.DataFrame
    paragraphs: pl.DataFrame
    quarantined: pl.DataFrame
    counters: dict[str, Counters] = field(default_factory=dict)


def process_shard(read: pl.DataFrame, settings: Settings) -> ShardResult:
    """Parse the decodable files of a read shard; everything else is quarantined.

    Files marked ``known_content`` (see ``ledger.mark_known_content``) are counted
    as ``read.dropped_unchanged_content`` and go no further.
    """
    known = pl.col("known_content") if "known_content" in read.columns else pl.lit(False)
    seen = read.height
    skipped = read.filter(known).height
    read = read.filter(~known)
    indexed = read.with_row_index("doc")
    decodable = indexed.filter(pl.col("reason").is_null())
    parsed = parse_articles(decodable.select("doc", "text"), settings)
    merged = indexed.join(
        parsed.articles.rename({"reason": "parse_reason", "detail": "parse_detail"}), on="doc", how="left"
    ).with_columns(
        reason=pl.coalesce("reason", "parse_reason"),
        detail=pl.coalesce("detail", "parse_detail"),
    )
    candidates = merged.filter(pl.col("reason").is_null()).drop(
        "raw", "text", "parse_reason", "parse_detail", "known_content", strict=False
    )
    quarantined = merged.filter(pl.col("reason").is_not_null()).select(
        "source_path", "source_sha256", "size", "mtime_ns", "raw", "reason", "detail"
    )
    paragraphs = parsed.paragraphs.join(candidates.select("doc", "source_path", "article_id"), on="doc").drop("doc")
    unchanged = pl.Series("reason", ["unchanged_content"] * skipped, dtype=pl.String)
    read_drops = pl.concat([read.get_column("reason").drop_nulls(), unchanged])
    parse_drops = merged.filter(pl.col("parse_reason").is_not_null()).get_column("parse_reason")
    repeats = int(candidates.get_column("repeated_paragraphs_removed").sum() or 0)
    kept_paragraphs = paragraphs.height
    counters = {
        "read": count_outcomes(seen, read_drops),
        "parse": count_outcomes(decodable.height, parse_drops),
        "paragraphs": {
            "total": kept_paragraphs + repeats,
            "kept": kept_paragraphs,
            "dropped_repeated": repeats,
        },
    }
    return ShardResult(candidates.drop("doc"), paragraphs, quarantined, counters)


def merge_counters(parts: Sequence[dict[str, Counters]]) -> dict[str, Counters]:
    merged: dict[str, Counters] = {}
    for part in parts:
        for step, counters in part.items():
            target = merged.setdefault(step, {})
            for key, value in counters.items():
                target[key] = target.get(key, 0) + value
    return merged


@dataclass(frozen=True, slots=True)
class History:
    """What earlier runs published, as lazy frames: scans of the published snapshot, or in-memory frames.

    Only the rows a batch can match are collected (filters push down into the
    Parquet scans), so a run never loads the whole history of article text. Lookups
    use Polars' streaming engine: a filter or count over a table of 58M rows (quotes,
    at a million articles) then holds a batch of rows at a time, not the table.
    """

    articles: pl.LazyFrame
    paragraph_counts: pl.LazyFrame
    signatures: pl.LazyFrame
    bands: pl.LazyFrame
    terms: pl.LazyFrame
    term_counts: pl.LazyFrame
    quotes: pl.LazyFrame

    @classmethod
    def empty(cls) -> History:
        return cls(**{f.name: schemas.empty(f.name).lazy() for f in fields(cls)})

    def plus(self, staged: History) -> History:
        """This history followed by rows staged since (by earlier windows of a run)."""
        return History(**{f.name: pl.concat([getattr(self, f.name), getattr(staged, f.name)]) for f in fields(self)})


@dataclass(frozen=True, slots=True)
class RunTables:
    """The rows a run adds to each table and to the state, plus quarantined raw bytes and counters."""

    tables: dict[str, pl.DataFrame]
    state: dict[str, pl.DataFrame]
    quarantined_raw: pl.DataFrame
    counters: dict[str, Counters]


def _in(column: str, values: pl.Series) -> pl.Expr:
    return pl.col(column).is_in(values.unique().implode())


def _near_duplicates(
    kept: pl.DataFrame, paragraphs: pl.DataFrame, history: History, settings: Settings
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(near duplicates: article_id, duplicate_of, similarity; signatures; bands) of the batch."""
    sigs, bands = dedup.batch_signatures(paragraphs, settings)
    history_bands = history.bands.filter(_in("band_hash", bands.get_column("band_hash"))).collect(engine="streaming")
    history_sigs = (
        history.signatures.filter(_in("article_id", history_bands.get_column("article_id")))
        .collect(engine="streaming")
        .rename({"article_id": "key"})
    )
    near = dedup.find_near_duplicates(
        kept.select("article_id", "word_count", "source_path"),
        sigs,
        bands,
        history_sigs,
        history_bands.rename({"article_id": "key"}),
        threshold=settings.near_duplicate_threshold,
        containment=settings.near_duplicate_containment,
        min_jaccard=settings.near_duplicate_min_jaccard,
    )
    return near, sigs, bands


def _stories(
    kept: pl.DataFrame, paragraphs: pl.DataFrame, history: History, settings: Settings
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """(``article_id``, ``story_id`` of the batch; story state rows)."""
    counts = stories.term_counts(paragraphs)
    quotes = stories.quote_grams(paragraphs)
    batch_df = counts.group_by("term").agg(df=pl.len().cast(pl.Int32))
    history_df = history.term_counts.filter(_in("term", batch_df.get_column("term"))).collect(engine="streaming")
    documents = int(history.articles.select(pl.len()).collect().item()) + kept.height
    vectors = stories.tfidf(counts, pl.concat([batch_df, history_df]), documents)
    top = vectors.filter(pl.col("rank") <= settings.story_top_terms).drop("rank")
    linked = stories.links(vectors, quotes, history.terms, history.quotes, settings)
    history_stories = (
        history.articles.filter(_in("article_id", linked.get_column("other")))
        .select("article_id", "story_id")
        .collect(engine="streaming")
    )
    assigned = stories.assign(kept.select("article_id", "word_count", "source_path"), linked, history_stories)
    # A pair inside the batch is found from both ends; keep one.
    one_way = ~_in("other", kept.get_column("article_id")) | (pl.col("article_id") < pl.col("other"))
    state = {"terms": top, "term_counts": batch_df, "quotes": quotes, "story_links": linked.filter(one_way)}
    return assigned, state


def assemble_run(
    shards: Sequence[ShardResult], history: History, *, run_id: str, ingested_at: datetime, settings: Settings
) -> RunTables:
    """Deduplicate the shards (exact, then near) against each other and the history; assign stories.

    ``quarantine`` rows lack ``blob_path``: it is known only once the raw bytes are stored.
    """
    if not shards:
        raise ValueError("assemble_run needs at least one shard")
    candidates = pl.concat([s.candidates for s in shards])
    quarantined = pl.concat([s.quarantined for s in shards])
    # Only the window's ids that are published: no step holds every published id.
    published_ids = (
        history.articles.filter(_in("article_id", candidates.get_column("article_id")))
        .select("article_id")
        .collect(engine="streaming")
        .get_column("article_id")
    )
    kept, exact = split_exact_duplicates(candidates, published_ids)
    paragraphs = pl.concat([s.paragraphs for s in shards]).join(
        kept.select("source_path"), on="source_path", how="semi"
    )
    history_counts = history.paragraph_counts.filter(_in("paragraph_hash", paragraphs.get_column("paragraph_hash")))
    paragraphs = dedup.flag_boilerplate(
        paragraphs, history_counts.collect(engine="streaming"), min_articles=settings.boilerplate_min_articles
    )

    clock = time.perf_counter()
    near, sigs, bands = _near_duplicates(kept, paragraphs, history, settings)
    near_ms = round((time.perf_counter() - clock) * 1000)
    near_rule = pl.format(
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
    near_rows = kept.join(near, on="article_id").with_columns(kind=pl.lit(DuplicateKind.NEAR.value), rule=near_rule)
    # A copy of an article that is itself a near duplicate points at what was kept instead.
    exact = (
        exact.join(
            near.rename({"article_id": "duplicate_of", "duplicate_of": "kept_instead"}), on="duplicate_of", how="left"
        )
        .with_columns(
            kind=pl.when(pl.col("kept_instead").is_null())
            .then(pl.col("kind"))
            .otherwise(pl.lit(DuplicateKind.NEAR.value)),
            similarity=pl.coalesce("similarity_right", "similarity"),
            duplicate_of=pl.coalesce("kept_instead", "duplicate_of"),
            rule=pl.lit("exact: same canonical headline and body"),
        )
        .drop("kept_instead", "similarity_right")
    )
    duplicates = pl.concat([exact, near_rows], how="diagonal_relaxed")
    kept = kept.join(near, on="article_id", how="anti")
    paragraphs = paragraphs.join(kept.select("article_id"), on="article_id", how="semi")

    clock = time.perf_counter()
    assigned, story_state = _stories(kept, paragraphs, history, settings)
    stories_ms = round((time.perf_counter() - clock) * 1000)
    kept = kept.join(assigned, on="article_id", how="left")
    stamp = {"run_id": pl.lit(run_id), "ingested_at": pl.lit(ingested_at).dt.convert_time_zone("UTC")}
    summarized = ["story_id", "article_id", "headline", "word_count", "ingested_at"]
    all_articles = pl.concat(
        [history.articles.select(*summarized), kept.with_columns(**stamp).select(*summarized).lazy()]
    )
    counters = merge_counters([s.counters for s in shards])
    counters["dedup"] = {
        "total": candidates.height,
        "kept": kept.height,
        "dropped_exact": exact.height,
        "dropped_near": near.height,
    }
    counters["paragraphs"]["boilerplate"] = int(paragraphs.get_column("is_boilerplate").sum())
    counters["milliseconds"] = {"near_duplicates": near_ms, "stories": stories_ms}
    ledger_columns = ["source_path", "source_sha256", "size", "mtime_ns"]
    files = pl.concat(
        [
            kept.select(ledger_columns).with_columns(status=pl.lit(Status.CURATED.value)),
            duplicates.select(ledger_columns).with_columns(status=pl.lit(Status.DUPLICATE.value)),
            quarantined.select(ledger_columns).with_columns(status=pl.lit(Status.QUARANTINED.value)),
        ]
    ).sort("source_path")
    kept_ids = kept.get_column("article_id")
    tables = {
        "articles": kept.with_columns(**stamp),
        "paragraphs": paragraphs.drop("canonical").with_columns(**stamp),
        "duplicates": duplicates.with_columns(**stamp),
        "quarantine": quarantined.drop("raw").with_columns(**stamp),
        "files": files.with_columns(**stamp),
        "stories": stories.summarize(all_articles),
    }
    state = {
        "signatures": sigs.filter(_in("key", kept_ids)).rename({"key": "article_id"}).with_columns(**stamp),
        "bands": bands.filter(_in("key", kept_ids)).rename({"key": "article_id"}),
        "paragraph_counts": dedup.paragraph_counts(paragraphs),
        **story_state,
    }
    return RunTables(
        tables=tables,
        state=state,
        quarantined_raw=quarantined.select("source_path", "source_sha256", "raw"),
        counters=counters,
    )


def record_kept_bytes(tables: dict[str, pl.DataFrame], kept: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The tables with each quarantined file's ``blob_path``, from ``publish.store_quarantined``'s ``kept``.

    A file too large to hold in memory is hashed when read and copied later; if it
    changed in between, the ledger and the quarantine row take the hash of the bytes
    actually kept, so "kept bytes match their hash" holds, and the changed size and
    time make the next run read the file again. If it could not be copied at all
    (deleted meanwhile), its hash is cleared: the ledger never claims unkept bytes.
    """
    read = pl.col("source_sha256").is_not_null()
    lost = read & pl.col("kept_sha256").is_null()
    changed = read & (pl.col("kept_sha256") != pl.col("source_sha256"))
    quarantine = (
        tables["quarantine"]
        .join(kept, on="source_path", how="left")
        .with_columns(
            detail=pl.when(lost)
            .then(pl.format("{}; it vanished or became unreadable before its bytes could be kept", "detail"))
            .when(changed)
            .then(pl.format("{}; it changed before its bytes were kept: the newer bytes are kept", "detail"))
            .otherwise("detail"),
            # The ledger records the bytes kept; none kept means, to the next run, never read.
            source_sha256="kept_sha256",
        )
        .drop("kept_sha256")
    )
    files = tables["files"].update(quarantine.select("source_path", "source_sha256"), on="source_path", how="left")
    return {**tables, "quarantine": quarantine, "files": files}
