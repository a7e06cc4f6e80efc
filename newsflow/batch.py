"""One run's rows: from read shards to the five tables, as pure frame functions.

Counters follow datatrove's convention: every step reports ``total``, ``kept`` and
``dropped_<reason>``, and what it drops is kept as rows, never silently lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from newsflow.articles import parse_articles
from newsflow.config import Settings
from newsflow.dedup import split_exact_duplicates
from newsflow.reasons import Status

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
    """Parse the decodable files of a read shard; everything else is quarantined."""
    indexed = read.with_row_index("doc")
    decodable = indexed.filter(pl.col("reason").is_null())
    parsed = parse_articles(decodable.select("doc", "text"), settings)
    merged = indexed.join(
        parsed.articles.rename({"reason": "parse_reason", "detail": "parse_detail"}), on="doc", how="left"
    ).with_columns(
        reason=pl.coalesce("reason", "parse_reason"),
        detail=pl.coalesce("detail", "parse_detail"),
    )
    candidates = merged.filter(pl.col("reason").is_null()).drop("raw", "text", "parse_reason", "parse_detail")
    quarantined = merged.filter(pl.col("reason").is_not_null()).select(
        "source_path", "source_sha256", "size", "mtime_ns", "raw", "reason", "detail"
    )
    paragraphs = parsed.paragraphs.join(candidates.select("doc", "source_path", "article_id"), on="doc").drop("doc")
    read_drops = read.get_column("reason").drop_nulls()
    parse_drops = merged.filter(pl.col("parse_reason").is_not_null()).get_column("parse_reason")
    repeats = int(candidates.get_column("repeated_paragraphs_removed").sum() or 0)
    kept_paragraphs = paragraphs.height
    counters = {
        "read": count_outcomes(read.height, read_drops),
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
class RunTables:
    """The rows a run adds to each curated table, plus quarantined raw bytes and counters."""

    tables: dict[str, pl.DataFrame]
    quarantined_raw: pl.DataFrame
    counters: dict[str, Counters]


def assemble_run(
    shards: Sequence[ShardResult], published_ids: pl.Series, *, run_id: str, ingested_at: datetime
) -> RunTables:
    """Deduplicate the shards against each other and the published articles, and build the tables.

    ``quarantine`` rows lack ``blob_path``: it is known only once the raw bytes are stored.
    """
    if not shards:
        raise ValueError("assemble_run needs at least one shard")
    candidates = pl.concat([s.candidates for s in shards])
    quarantined = pl.concat([s.quarantined for s in shards])
    paragraphs = pl.concat([s.paragraphs for s in shards])
    kept, duplicates = split_exact_duplicates(candidates, published_ids)
    counters = merge_counters([s.counters for s in shards])
    counters["dedup"] = {"total": candidates.height, "kept": kept.height, "dropped_exact": duplicates.height}
    ledger_columns = ["source_path", "source_sha256", "size", "mtime_ns"]
    files = pl.concat(
        [
            kept.select(ledger_columns).with_columns(status=pl.lit(Status.CURATED.value)),
            duplicates.select(ledger_columns).with_columns(status=pl.lit(Status.DUPLICATE.value)),
            quarantined.select(ledger_columns).with_columns(status=pl.lit(Status.QUARANTINED.value)),
        ]
    ).sort("source_path")
    stamp = {"run_id": pl.lit(run_id), "ingested_at": pl.lit(ingested_at).dt.convert_time_zone("UTC")}
    tables = {
        "articles": kept,
        "paragraphs": paragraphs.join(kept.select("source_path"), on="source_path", how="semi"),
        "duplicates": duplicates,
        "quarantine": quarantined.drop("raw"),
        "files": files,
    }
    return RunTables(
        tables={name: frame.with_columns(**stamp) for name, frame in tables.items()},
        quarantined_raw=quarantined.select("source_path", "source_sha256", "raw"),
        counters=counters,
    )
