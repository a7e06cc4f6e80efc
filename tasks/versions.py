"""Tasks of a rebuild: plan the current versions, deduplicate and group them window by window, finish the tables.

Used by the ``reprocess`` flow (``newsflow reprocess``, ``retract``, ``restore``) and by an
``ingest`` run that brings a new version of a file already ingested. The pure logic is in
``newsflow.versions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsflow.config import Settings
from newsflow.extract.source import Source
from newsflow.frames import is_in
from newsflow.load import publish
from newsflow.load.quarantine import record_kept_bytes, store_quarantined
from newsflow.load.storage import Layout
from newsflow.pipeline import assemble_run
from newsflow.quality.gate import Outcome
from newsflow.quality.process import GateProcess
from newsflow.reasons import Status
from newsflow.records import History, RunTables, ShardResult
from newsflow.stories.assign import summarize
from newsflow.tables.dictionary import empty
from newsflow.tables.registry import CURATED, HISTORY, PUBLISHED
from newsflow.versions import rebuild
from newsflow.versions.changes import Changes, changes
from newsflow.versions.retractions import retracted_ids
from tasks.load import Staged
from tasks.quality import skipped_unchanged, validate_tables

APPENDED = ("quarantine", "article_versions", "retractions")
"""Tables a rebuild adds to; every other published table it writes whole."""
REBUILT = tuple(table for table in PUBLISHED if table not in APPENDED)
_LAST_STEPS = ("files", *APPENDED)
"""Written once, after the last window: they need every window's outcome."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What a rebuild works on: each file's latest parsed version, in windows of arrival order."""

    versions: pl.DataFrame
    windows: list[pl.DataFrame]
    sources: dict[str, pl.LazyFrame]
    paragraph_sources: dict[str, pl.LazyFrame]
    files: pl.DataFrame
    incoming_quarantine: pl.DataFrame
    retractions: pl.LazyFrame
    """Every retraction and restoration, the new ones (``actions``) included."""
    actions: pl.DataFrame


def _scan(layout: Layout, folder: Path | None, table: str) -> pl.LazyFrame:
    if folder is None or not (layout.table(table, folder)).is_dir():
        return empty(table).lazy()
    return publish.scan_staged(layout, folder, table)


@task(name="plan-rebuild", cache_policy=NO_CACHE)
def plan_rebuild(layout: Layout, settings: Settings, *, incoming: Path | None, actions: pl.DataFrame) -> Plan:
    """The latest version of every file (published, held, or staged by this run under ``incoming``) in
    windows of arrival order; ``actions``: this run's new ``retractions`` rows."""
    articles, held = publish.scan(layout, "articles"), publish.scan(layout, "held_articles")
    new_versions = _scan(layout, incoming, "held_articles")
    versions = rebuild.latest_versions(articles=articles, held=held, incoming=new_versions)
    files = pl.concat(
        [publish.scan(layout, "files").collect(), _scan(layout, incoming, "files").collect()], how="vertical_relaxed"
    )
    first_seen = files.group_by("source_path").agg(first_seen=pl.col("ingested_at").min())
    windows = rebuild.arrival_windows(versions, first_seen, window_files=settings.window_files)
    get_run_logger().info("rebuilding %s file(s) in %d window(s)", f"{versions.height:,}", len(windows))
    return Plan(
        versions=versions,
        windows=windows,
        sources={"articles": articles, "held": held, "incoming": new_versions},
        paragraph_sources={
            "articles": publish.scan(layout, "paragraphs"),
            "held": publish.scan(layout, "held_paragraphs"),
            "incoming": _scan(layout, incoming, "held_paragraphs"),
        },
        files=files,
        incoming_quarantine=_scan(layout, incoming, "quarantine").collect(),
        retractions=pl.concat([publish.scan(layout, "retractions"), actions.lazy()]),
        actions=actions,
    )


def _history(layout: Layout, staged: Path | None, plan: Plan) -> History:
    """What a rebuild window is compared with: the windows before it, and every retraction."""
    frames = {name: _scan(layout, staged, name) for name in HISTORY}
    return History({**frames, "retractions": plan.retractions})


@task(name="rebuild-window", cache_policy=NO_CACHE)
def rebuild_window(
    plan: Plan, number: int, history: History, run_id: str, started_at: datetime, settings: Settings
) -> RunTables:
    """Deduplicate and group one window of versions against the windows before it (``history``)."""
    keys = plan.windows[number]
    candidates = rebuild.window_candidates(keys, sources=plan.sources, sizes=plan.files.lazy())
    paragraphs = rebuild.window_paragraphs(candidates, sources=plan.paragraph_sources)
    shard = ShardResult(
        candidates=candidates,
        paragraphs=paragraphs,
        quarantined=rebuild.NO_QUARANTINE,
        counters={"read": {}, "paragraphs": {}},
    )
    run = assemble_run([shard], history, run_id=run_id, ingested_at=started_at, settings=settings)
    kept = rebuild.restamp(run.tables["articles"], plan.versions)
    tables = {name: rebuild.restamp(frame, plan.versions, articles=kept) for name, frame in run.tables.items()}
    tables["quarantine"] = empty("quarantine")  # a rebuild reads no file
    state = {name: rebuild.restamp(frame, plan.versions, articles=kept) for name, frame in run.state.items()}
    return RunTables(tables, state, run.quarantined_raw, run.counters, run.seconds)


@task(name="stage-rebuild-window", cache_policy=NO_CACHE)
def stage_rebuild_window(layout: Layout, run: RunTables, run_id: str, started_at: datetime, number: int) -> None:
    kept = {name: frame for name, frame in run.tables.items() if name not in _LAST_STEPS}
    publish.stage(layout, run_id, started_at.date(), {**kept, **run.state}, window=number)


@task(name="finish-rebuild", cache_policy=NO_CACHE)
def finish_rebuild(
    layout: Layout, plan: Plan, outcomes: pl.DataFrame, run_id: str, started_at: datetime, *, window: int
) -> dict[str, pl.DataFrame]:
    """The tables written once: ``stories`` from every window, the ``files`` ledger with each version's
    outcome, ``article_versions`` of the articles that left, ``retractions`` and the run's ``quarantine``."""
    staged = layout.staging(run_id)
    articles = _scan(layout, staged if window else None, "articles")
    retracted = retracted_ids(plan.retractions).collect().get_column("article_id")
    leaving = rebuild.superseded(
        publish.scan(layout, "articles"), plan.versions, retracted=retracted, at=started_at, run_id=run_id
    )
    tables = {
        "stories": summarize(articles.select("story_id", "article_id", "headline", "word_count", "ingested_at")),
        "files": rebuild.ledger_statuses(plan.files, plan.versions, outcomes),
        "article_versions": leaving,
        "retractions": plan.actions,
        "quarantine": plan.incoming_quarantine,
    }
    if not window:  # nothing current at all: every table still gets its (empty) file
        tables |= {name: empty(name) for name in REBUILT if name not in tables}
    publish.stage(layout, run_id, started_at.date(), tables, window=window + 1)
    return tables


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """A rebuild staged and validated, not yet published."""

    outcome: Outcome
    changes: Changes
    tables: dict[str, pl.DataFrame]
    files: pl.DataFrame
    """``source_path``, ``status`` of every current version after the rebuild."""


def rebuild_tables(
    layout: Layout,
    gate: GateProcess,
    settings: Settings,
    *,
    run_id: str,
    started_at: datetime,
    incoming: Path | None = None,
    actions: pl.DataFrame | None = None,
) -> Rebuilt:
    """Stage and validate a rebuild of the current tables (see ``newsflow.versions.rebuild``)."""
    new_actions = empty("retractions") if actions is None else actions
    plan = plan_rebuild(layout, settings, incoming=incoming, actions=new_actions)
    outcomes: list[pl.DataFrame] = []
    checks: list[Outcome] = []
    for number in range(len(plan.windows)):
        history = _history(layout, layout.staging(run_id) if number else None, plan)
        run = rebuild_window(plan, number, history, run_id, started_at, settings)
        outcomes.append(run.tables["files"].select("source_path", "status"))
        checked = validate_tables(
            layout,
            gate,
            Staged(layout.staging(run_id), {name: run.tables[name] for name in CURATED}),
            history,
            settings,
            window=number + 1,
            files_seen=run.tables["files"].height,
            files_skipped=skipped_unchanged(run),
        )
        checks.append(checked)
        if not checked.success:
            return Rebuilt(Outcome.combine(checks), _no_changes(), {}, pl.DataFrame())
        stage_rebuild_window(layout, run, run_id, started_at, number)
    done = pl.concat(outcomes) if outcomes else pl.DataFrame(schema={"source_path": pl.String, "status": pl.String})
    history = _history(layout, layout.staging(run_id) if plan.windows else None, plan)
    tables = finish_rebuild(layout, plan, done, run_id, started_at, window=len(plan.windows))
    # The tables written once are validated once: their suites see every row the rebuild adds.
    final = {name: tables.get(name, empty(name)) for name in CURATED} | {"stories": tables["stories"].clear()}
    # The ledger rows of what the run quarantined stand for the files it read (the rest were validated with
    # their windows), so the quarantine reconciles with them.
    final["files"] = tables["files"].filter(
        (pl.col("status") == Status.QUARANTINED.value) & (pl.col("run_id") == run_id)
    )
    checks.append(
        validate_tables(
            layout,
            gate,
            Staged(layout.staging(run_id), final),
            history,
            settings,
            window=len(plan.windows) + 1,
            files_seen=final["files"].height,
            current=_scan(layout, layout.staging(run_id), "articles").select("article_id").collect().to_series(),
        )
    )
    before = publish.scan(layout, "articles").select("article_id", "story_id").collect()
    after = _scan(layout, layout.staging(run_id), "articles").select("article_id", "story_id").collect()
    actions_by = dict(new_actions.group_by("action").len().iter_rows())
    found = changes(
        duplicates_before=publish.scan(layout, "duplicates").select("source_path").collect(),
        duplicates_after=_scan(layout, layout.staging(run_id), "duplicates").select("source_path").collect(),
        members_before=before,
        members_after=after,
        retracted=actions_by.get("retract", 0),
        restored=actions_by.get("restore", 0),
        corrected=int((tables["article_versions"].get_column("change") == "corrected").sum()),
    )
    outcome = Outcome.combine(checks) if checks else Outcome(success=True, evaluated=0, tables={})
    return Rebuilt(outcome, found, tables, done)


def _no_changes() -> Changes:
    return Changes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def incoming_folder(layout: Layout, run_id: str) -> Path:
    """Where a rebuilding ingest run stages its new files' versions before the rebuild reads them."""
    return layout.staging(f"{run_id}-incoming")


@task(name="stage-new-versions", cache_policy=NO_CACHE)
def stage_incoming(
    layout: Layout, source: Source, results: list[ShardResult], run_id: str, started_at: datetime, window: int
) -> int:
    """Keep quarantined bytes and stage a window's parsed files for the rebuild; returns the files staged."""
    tables, state = rebuild.incoming_tables(
        pl.concat([r.candidates for r in results]),
        pl.concat([r.paragraphs for r in results]),
        pl.concat([r.quarantined for r in results]),
        run_id=run_id,
        at=started_at,
    )
    quarantined = pl.concat([r.quarantined for r in results]).select("source_path", "source_sha256", "raw")
    kept = store_quarantined(layout, source, quarantined)
    folder = incoming_folder(layout, run_id)
    publish.stage(layout, folder.name, started_at.date(), {**record_kept_bytes(tables, kept), **state}, window=window)
    return tables["files"].height


def incoming_run(rebuilt: Rebuilt, layout: Layout, run_id: str) -> RunTables:
    """The rows a rebuilding ingest run brought, as a window's tables, for its summary: its new files with
    their outcome after the rebuild, their duplicates and quarantine."""
    folder = incoming_folder(layout, run_id)
    files = _scan(layout, folder, "files").collect()
    outcome = files.join(rebuilt.files.rename({"status": "now"}), on="source_path", how="left").with_columns(
        status=pl.coalesce("now", "status")
    )
    paths = files.get_column("source_path")
    duplicates = _scan(layout, layout.staging(run_id), "duplicates").filter(is_in("source_path", paths)).collect()
    tables = {name: empty(name) for name in CURATED} | {
        "files": outcome.drop("now"),
        "duplicates": duplicates,
        "quarantine": rebuilt.tables["quarantine"],
        "stories": rebuilt.tables["stories"],
    }
    return RunTables(tables, {}, rebuild.NO_QUARANTINE, {})
