"""The ``reprocess`` flow: the current tables rebuilt with the current settings and code, optionally retracting
or restoring articles first, published as one new snapshot (``newsflow reprocess``, ``retract``, ``restore``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import polars as pl
from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import Completed

from newsflow.config import load_settings
from newsflow.load import publish
from newsflow.load.storage import Layout
from newsflow.pipeline import run_stamp
from newsflow.quality.gate import QualityGateError
from newsflow.tables.dictionary import conform, empty
from newsflow.versions.retractions import Action, TargetError, resolve_target, retracted_ids
from tasks.load import compaction, discard_staging, exclusive_output, merged_parts
from tasks.quality import open_gate
from tasks.versions import REBUILT, rebuild_tables


def retraction_rows(
    layout: Layout, targets: list[str], action: Action, reason: str, *, run_id: str, at: datetime
) -> pl.DataFrame:
    """The ``retractions`` rows of ``targets`` (article ids or source paths). Raises ``TargetError`` for a
    target that names nothing, or one already retracted (retract) or not retracted (restore)."""
    versions = pl.concat(
        [
            publish.scan(layout, name).select("article_id", "source_path", "source_sha256")
            for name in ("articles", "held_articles")
        ]
    ).collect()
    retracted = set(retracted_ids(publish.scan(layout, "retractions")).collect().get_column("article_id"))
    rows = []
    for target in targets:
        found = resolve_target(target, versions)
        article_id = found.item(0, "article_id")
        if (action == Action.RETRACT) == (article_id in retracted):
            state = "already retracted" if action == Action.RETRACT else "not retracted"
            raise TargetError(f"{target!r} (article {article_id}) is {state}")
        rows.append(found.with_columns(action=pl.lit(action.value), reason=pl.lit(reason)))
    if not rows:
        return empty("retractions")
    return conform(pl.concat(rows).with_columns(**run_stamp(run_id, at)), "retractions")


@flow(name="reprocess", description="Rebuild the current tables from every file's current version; retract or restore.")
def reprocess(
    output: str = "data",
    settings: dict[str, Any] | None = None,
    retract: list[str] | None = None,
    restore: list[str] | None = None,
    reason: str = "",
) -> dict[str, Any]:
    """Rebuild duplicates and stories of every current article with the current settings, after retracting
    (``retract``) or restoring (``restore``) articles by ``article_id`` or ``source_path``; publish the
    result atomically as a new snapshot and return what changed. Raises ``QualityGateError`` (publishing
    nothing) when validation fails, ``TargetError`` for an unknown or already-handled target."""
    config = load_settings(**(settings or {}))
    run_id = str(flow_run.get_id() or uuid4())
    started_at = datetime.now(UTC)
    layout = Layout(Path(output))
    if (retract or restore) and not reason.strip():
        raise TargetError("a retraction or restoration needs a reason (--reason)")
    with exclusive_output(layout, run_id, config):
        actions = pl.concat(
            [
                retraction_rows(layout, retract or [], Action.RETRACT, reason, run_id=run_id, at=started_at),
                retraction_rows(layout, restore or [], Action.RESTORE, reason, run_id=run_id, at=started_at),
            ]
        )
        with open_gate(layout, run_id, config) as gate:
            rebuilt = rebuild_tables(layout, gate, config, run_id=run_id, started_at=started_at, actions=actions)
        if not rebuilt.outcome.success:
            discard_staging(layout, run_id)
            raise QualityGateError(rebuilt.outcome.message())
        snapshot = publish.publish(
            layout,
            layout.staging(run_id),
            f"{started_at:%Y%m%dT%H%M%S}-{run_id}",
            keep=config.keep_snapshots,
            keep_days=config.keep_days,
            replace=REBUILT,
            compaction=compaction(config),
            on_merge=merged_parts,
        )
    changed = rebuilt.changes
    get_run_logger().info("published snapshot %s: %s", snapshot.name, changed.as_json())
    summary = {"run_id": run_id, "snapshot": snapshot.name, "changed": changed.anything, **changed.as_json()}
    verdict = "changed" if changed.anything else "nothing changed"
    return Completed(message=f"reprocessed: {verdict}", data=summary)  # type: ignore[return-value]
