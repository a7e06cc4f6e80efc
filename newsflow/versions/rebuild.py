"""Rebuilding the current tables from the current version of every file: pure frame logic.

A rebuild (``newsflow reprocess``, a run that brings a corrected file, a retraction or a
restore) takes the latest parsed version of every file (curated ones from ``articles``,
the others from ``held_articles``, new ones from the run) and runs the window steps over
them again, from nothing, in arrival order: files in the order their first version
arrived, then by path. That is the order an ingest run gives them, so a rebuild over
unchanged files gives the tables the runs gave, and one run over the final files gives
what a series of runs with corrections in between gives. A corrected file keeps the
place of its first version: a correction does not make an old story new.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from newsflow.extract.ledger import LEDGER_KEYS
from newsflow.frames import is_in
from newsflow.pipeline import run_stamp
from newsflow.reasons import Status
from newsflow.transform.normalize import canonical_form

NO_QUARANTINE = pl.DataFrame(
    schema={
        "source_path": pl.String,
        "source_sha256": pl.String,
        "size": pl.Int64,
        "mtime_ns": pl.Int64,
        "raw": pl.Binary,
        "reason": pl.String,
        "detail": pl.String,
    }
)
"""A rebuild reads no file: nothing of it is quarantined."""
VERSION_KEYS = ("source_path", "source_sha256", "article_id", "ingested_at", "run_id")
_ORIGINS = ("held", "articles", "incoming")
"""Where a version is read from; on a tie of ``ingested_at`` the later origin wins (a run's own is newest)."""


def latest_versions(*, articles: pl.LazyFrame, held: pl.LazyFrame, incoming: pl.LazyFrame) -> pl.DataFrame:
    """One row per file: its latest parsed version (``VERSION_KEYS`` and ``origin``)."""
    versions = pl.concat(
        [
            frame.select(*VERSION_KEYS, origin=pl.lit(origin))
            for origin, frame in zip(_ORIGINS, (held, articles, incoming), strict=True)
        ]
    )
    rank = pl.col("origin").replace_strict({name: n for n, name in enumerate(_ORIGINS)}, return_dtype=pl.Int8)
    return (
        versions.sort(pl.col("ingested_at"), rank, "source_path")
        .group_by("source_path")
        .agg(pl.all().last())
        .sort("source_path")
        .collect(engine="streaming")
    )


def arrival_windows(versions: pl.DataFrame, first_seen: pl.DataFrame, *, window_files: int) -> list[pl.DataFrame]:
    """``versions`` in arrival order, cut into windows in which path order is arrival order.

    ``first_seen``: ``source_path``, ``first_seen`` (when its first version arrived; a
    file without one arrives with its version). The window steps order a window's files
    by path, so a window ends where a file of a later run sorts before one of an
    earlier run, and at ``window_files`` files.
    """
    ordered = (
        versions.join(first_seen, on="source_path", how="left")
        .with_columns(first_seen=pl.coalesce("first_seen", "ingested_at"))
        .sort("first_seen", "source_path")
    )
    breaks = (pl.col("source_path") < pl.col("source_path").shift(1)).fill_null(False).cum_sum()
    numbered = ordered.with_columns(segment=breaks).with_columns(
        part=pl.int_range(pl.len()).over("segment") // window_files
    )
    return [
        window.drop("segment", "part", "first_seen")
        for window in numbered.partition_by("segment", "part", maintain_order=True)
    ]


def window_candidates(keys: pl.DataFrame, *, sources: dict[str, pl.LazyFrame], sizes: pl.LazyFrame) -> pl.DataFrame:
    """The article candidates of a window's versions (``keys``: ``VERSION_KEYS``, ``origin``), read from
    ``sources`` (``articles``, ``held``, ``incoming``), as parsing made them: with ``size`` and ``mtime_ns``
    from the ledger (``sizes``) and no quarantine reason."""
    parts = []
    for origin, frame in sources.items():
        wanted = keys.filter(pl.col("origin") == origin).select("source_path", "source_sha256")
        if wanted.is_empty():
            continue
        rows = frame.filter(is_in("source_path", wanted.get_column("source_path"))).join(
            wanted.lazy(), on=["source_path", "source_sha256"], how="semi"
        )
        parts.append(rows.drop("story_id", "ingested_at", "run_id", strict=False))
    candidates = pl.concat(parts, how="vertical_relaxed").collect() if parts else None
    if candidates is None:
        raise ValueError("a rebuild window needs at least one version")
    ledger = sizes.filter(is_in("source_path", candidates.get_column("source_path"))).unique(
        ["source_path", "source_sha256"]
    )
    return candidates.join(ledger.collect(), on=["source_path", "source_sha256"], how="left").with_columns(
        reason=pl.lit(None, pl.String), detail=pl.lit(None, pl.String)
    )


def window_paragraphs(candidates: pl.DataFrame, *, sources: dict[str, pl.LazyFrame]) -> pl.DataFrame:
    """The candidates' paragraphs, with the ``canonical`` form parsing gives them (derived from the text).

    ``sources``: ``articles`` (published paragraphs, by ``article_id``), ``held`` and ``incoming`` (by
    ``source_path`` and ``article_id``)."""
    ids = candidates.select("source_path", "article_id")
    published = (
        sources["articles"].filter(is_in("article_id", ids.get_column("article_id"))).join(ids.lazy(), on="article_id")
    )
    others = [
        frame.filter(is_in("source_path", ids.get_column("source_path"))).join(
            ids.lazy(), on=["source_path", "article_id"], how="semi"
        )
        for name, frame in sources.items()
        if name != "articles"
    ]
    columns = ["position", "role", "text", "paragraph_hash", "source_path", "article_id"]
    paragraphs = pl.concat([frame.select(columns) for frame in [published, *others]]).collect()
    # A published article's paragraphs serve every file holding its text: keep the candidate's own.
    return (
        paragraphs.unique(["source_path", "article_id", "position"], keep="first", maintain_order=True)
        .with_columns(canonical=canonical_form(pl.col("text")))
        .select("position", "role", "text", "canonical", "paragraph_hash", "source_path", "article_id")
        .sort("source_path", "position")
    )


def restamp(frame: pl.DataFrame, versions: pl.DataFrame, *, articles: pl.DataFrame | None = None) -> pl.DataFrame:
    """``frame``'s ``ingested_at`` and ``run_id`` set back to those of the version each row comes from: a
    rebuild moves rows, it does not ingest them again. Rows with a ``source_path`` are looked up in
    ``versions``; rows of an article (paragraphs, signatures) in ``articles``, the restamped kept articles
    (several files may hold one article's text: its stamps are those of the file kept)."""
    stamps = [c for c in ("ingested_at", "run_id") if c in frame.columns]
    if not stamps or frame.is_empty():
        return frame
    key = "source_path" if "source_path" in frame.columns else "article_id"
    source = versions if key == "source_path" or articles is None else articles
    lookup = source.select(key, *(pl.col(c).alias(f"__{c}") for c in stamps)).unique(key, keep="first")
    joined = frame.join(lookup, on=key, how="left")
    return joined.with_columns(pl.coalesce(f"__{c}", c).alias(c) for c in stamps).drop(f"__{c}" for c in stamps)


def superseded(
    published: pl.LazyFrame, versions: pl.DataFrame, *, retracted: pl.Series, at: datetime, run_id: str
) -> pl.DataFrame:
    """``article_versions`` rows of the published articles that leave ``articles``: replaced by another text of
    their file (``corrected``) or retracted now (``retracted``). ``published``: the published articles."""
    latest = versions.select("source_path", new_id="article_id")
    keys = published.select("source_path", "article_id").collect().join(latest, on="source_path", how="left")
    going = keys.filter((pl.col("new_id") != pl.col("article_id")) | pl.col("article_id").is_in(retracted.implode()))
    rows = published.filter(is_in("article_id", going.get_column("article_id"))).collect()
    leaving = rows.join(latest, on="source_path", how="left").with_columns(
        change=pl.when(pl.col("article_id").is_in(retracted.implode()))
        .then(pl.lit("retracted"))
        .when(pl.col("new_id") != pl.col("article_id"))
        .then(pl.lit("corrected"))
    )
    return (
        leaving.filter(pl.col("change").is_not_null())
        .with_columns(
            superseded_by=pl.when(pl.col("change") == "corrected").then(pl.col("new_id")),
            valid_from=pl.col("ingested_at"),
            valid_to=pl.lit(at).dt.convert_time_zone("UTC"),
        )
        .with_columns(**run_stamp(run_id, at))
    )


def ledger_statuses(files: pl.DataFrame, versions: pl.DataFrame, outcomes: pl.DataFrame) -> pl.DataFrame:
    """The ``files`` ledger with every version's current outcome.

    ``outcomes``: ``source_path``, ``status`` of each file's current version after the
    rebuild (curated, duplicate, retracted). A quarantined version stays quarantined; a
    version that is neither current nor quarantined is ``superseded``.
    """
    current = versions.select("source_path", "source_sha256").join(outcomes, on="source_path")
    return (
        files.join(current.rename({"status": "now"}), on=["source_path", "source_sha256"], how="left")
        .with_columns(
            status=pl.when(pl.col("now").is_not_null())
            .then(pl.col("now"))
            .when(pl.col("status") == Status.QUARANTINED.value)
            .then(pl.col("status"))
            .otherwise(pl.lit(Status.SUPERSEDED.value))
        )
        .drop("now")
        .unique(["source_path", "source_sha256", "ingested_at"], keep="first", maintain_order=True)
    )


def incoming_tables(
    candidates: pl.DataFrame, paragraphs: pl.DataFrame, quarantined: pl.DataFrame, *, run_id: str, at: datetime
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """(tables, state) a run that rebuilds stages for its new files before the rebuild: their parsed
    versions as ``held_articles`` / ``held_paragraphs`` rows, and their ``files`` and ``quarantine`` rows
    (a parsed version's status is settled by the rebuild)."""
    stamp = run_stamp(run_id, at)
    files = pl.concat(
        [
            candidates.select(LEDGER_KEYS).with_columns(status=pl.lit(Status.CURATED.value)),
            quarantined.select(LEDGER_KEYS).with_columns(status=pl.lit(Status.QUARANTINED.value)),
        ]
    )
    tables = {"files": files.with_columns(**stamp), "quarantine": quarantined.drop("raw").with_columns(**stamp)}
    state = {
        "held_articles": candidates.with_columns(**stamp),
        "held_paragraphs": paragraphs.drop("canonical").with_columns(**stamp),
    }
    return tables, state
