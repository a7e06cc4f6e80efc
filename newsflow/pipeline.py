"""The DAG's steps in order, in one place: what a shard goes through, what a window goes through.

Pure frame functions, no Prefect and no I/O: ``tasks/`` wraps them, ``flows/`` wires the
tasks. A new step is its own module under its stage's package and one line in
``SHARD_STEPS`` or ``WINDOW_STEPS`` (see ``docs/architecture.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from newsflow.config import Settings
from newsflow.dedup.exact import ExactDuplicates
from newsflow.dedup.fingerprint import Fingerprint
from newsflow.dedup.near import NearDuplicates
from newsflow.dedup.paragraphs import FlagBoilerplate, paragraph_counts
from newsflow.extract.filters import QUARANTINE_COLUMNS, QuarantineUnreadable, SkipUnchangedContent
from newsflow.parallel import IN_PROCESS, Pool
from newsflow.reasons import Status
from newsflow.records import History, RunTables, Shard, ShardResult, Window, WindowContext, first_of_each
from newsflow.steps import Step, add_seconds, merge_counters, run_steps
from newsflow.stories.assign import AssignStories, grow
from newsflow.stories.evidence import StoryEvidence
from newsflow.tables.dictionary import empty
from newsflow.tables.registry import TABLES
from newsflow.transform.articles import ParseArticles
from newsflow.transform.language import DetectLanguage
from newsflow.versions.retractions import SkipRetracted

SHARD_STEPS: tuple[Step[Shard, Settings], ...] = (
    SkipUnchangedContent(),
    QuarantineUnreadable(),
    ParseArticles(),
    DetectLanguage(),
    Fingerprint(),
    StoryEvidence(),
)
"""Per shard of read files (a Prefect task each, in parallel): skip, quarantine, parse, detect the language,
then what the window steps look up of each article (``records.Evidence``)."""

WINDOW_STEPS: tuple[Step[Window, WindowContext], ...] = (
    SkipRetracted(),
    ExactDuplicates(),
    FlagBoilerplate(),
    NearDuplicates(),
    AssignStories(),
)
"""Per window of parsed shards, against the published history: withhold retracted text, deduplicate, then
stories."""

LEDGER_COLUMNS = ("source_path", "source_sha256", "size", "mtime_ns")


def process_shard(read: pl.DataFrame, settings: Settings) -> ShardResult:
    """Run ``SHARD_STEPS`` over a read shard (``Source.read``, maybe with ``known_content``)."""
    start = Shard(files=read, quarantined=read.select(QUARANTINE_COLUMNS).clear(), paragraphs=pl.DataFrame())
    shard, report = run_steps(SHARD_STEPS, start, settings, size=lambda s: s.files.height)
    return ShardResult(
        shard.files, shard.paragraphs, shard.quarantined, report.counters, report.seconds, evidence=shard.evidence
    )


def _no_duplicates(candidates: pl.DataFrame) -> pl.DataFrame:
    return candidates.clear().with_columns(
        duplicate_of=pl.lit(None, pl.String),
        kind=pl.lit(None, pl.String),
        similarity=pl.lit(None, pl.Float64),
        rule=pl.lit(None, pl.String),
    )


def assemble_run(
    shards: Sequence[ShardResult],
    history: History,
    *,
    run_id: str,
    ingested_at: datetime,
    settings: Settings,
    pool: Pool = IN_PROCESS,
) -> RunTables:
    """Run ``WINDOW_STEPS`` over a window's shards against ``history``; the rows each table gains.

    ``quarantine`` rows lack ``blob_path``: it is known only once the raw bytes are stored.
    """
    if not shards:
        raise ValueError("assemble_run needs at least one shard")
    candidates = pl.concat([s.candidates for s in shards])
    quarantined = pl.concat([s.quarantined for s in shards])
    paragraphs = pl.concat([s.paragraphs for s in shards])
    # Evidence a shard lacks (a rebuild's) is left to the step that needs it.
    names = set.intersection(*(set(s.evidence) for s in shards))
    evidence = {name: first_of_each([s.evidence[name] for s in shards]) for name in sorted(names)}
    start = Window(articles=candidates, paragraphs=paragraphs, duplicates=_no_duplicates(candidates), evidence=evidence)
    window, report = run_steps(
        WINDOW_STEPS, start, WindowContext(history, settings, pool), size=lambda w: w.articles.height
    )
    counters = merge_counters([*(s.counters for s in shards), report.counters])
    counters["paragraphs"]["boilerplate"] = int(window.paragraphs.get_column("is_boilerplate").sum())
    tables = _tables(window, quarantined, history, run_id=run_id, ingested_at=ingested_at)
    # Every parsed version not curated (duplicates, retracted) is held, so a reprocess, a correction of the
    # article it copies or a restore can compare it again without the file.
    held = candidates.join(window.articles.select("source_path"), on="source_path", how="anti")
    state = {
        **window.state,
        "paragraph_counts": paragraph_counts(window.paragraphs),
        "held_articles": held,
        "held_paragraphs": paragraphs.join(held.select("source_path"), on="source_path", how="semi"),
    }
    stamp = run_stamp(run_id, ingested_at)
    return RunTables(
        tables=tables,
        # Only the state tables that record the run (signatures: for "earliest ingested" among copies).
        state={name: frame.with_columns(**_own(stamp, name)) for name, frame in state.items()},
        quarantined_raw=quarantined.select("source_path", "source_sha256", "raw"),
        counters=counters,
        seconds=add_seconds([*(s.seconds for s in shards), report.seconds]),
    )


def run_stamp(run_id: str, ingested_at: datetime) -> dict[str, pl.Expr]:
    """``run_id`` and ``ingested_at`` (UTC) of the rows a run writes."""
    return {"run_id": pl.lit(run_id), "ingested_at": pl.lit(ingested_at).dt.convert_time_zone("UTC")}


def _own(stamp: dict[str, pl.Expr], table: str) -> dict[str, pl.Expr]:
    names = TABLES[table].schema.names
    return {column: value for column, value in stamp.items() if column in names}


def _tables(
    window: Window, quarantined: pl.DataFrame, history: History, *, run_id: str, ingested_at: datetime
) -> dict[str, pl.DataFrame]:
    """The curated tables' new rows; ``stories`` whole (it is rewritten by every publishing run), grown from the
    history's."""
    stamp = run_stamp(run_id, ingested_at)
    kept, duplicates = window.articles, window.duplicates
    withheld = kept.clear() if window.withheld is None else window.withheld
    files = pl.concat(
        [
            kept.select(LEDGER_COLUMNS).with_columns(status=pl.lit(Status.CURATED.value)),
            duplicates.select(LEDGER_COLUMNS).with_columns(status=pl.lit(Status.DUPLICATE.value)),
            withheld.select(LEDGER_COLUMNS).with_columns(status=pl.lit(Status.RETRACTED.value)),
            quarantined.select(LEDGER_COLUMNS).with_columns(status=pl.lit(Status.QUARANTINED.value)),
        ]
    ).sort("source_path")
    return {
        "articles": kept.with_columns(**stamp),
        "paragraphs": window.paragraphs.drop("canonical").with_columns(**stamp),
        "duplicates": duplicates.with_columns(**stamp),
        "quarantine": quarantined.drop("raw").with_columns(**stamp),
        "files": files.with_columns(**stamp),
        "stories": grow(
            history["stories"],
            history["articles"],
            kept.with_columns(**stamp).select("story_id", "article_id", "headline", "word_count", "ingested_at"),
        ),
        # Only a rebuild (``versions``) writes these; an ingest window states that it adds nothing.
        "article_versions": empty("article_versions"),
        "retractions": empty("retractions"),
    }
