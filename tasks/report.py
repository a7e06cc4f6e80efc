"""Tasks that tell people what happened: progress, the run report and artifacts, failure events."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import Flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import FlowRun, State
from prefect.events import emit_event
from prefect.events.worker import EventsWorker
from prefect.settings import PREFECT_API_URL

from newsflow.asset_keys import asset_key
from newsflow.config import Settings
from newsflow.console import display
from newsflow.load import publish
from newsflow.load.compaction import compact_log
from newsflow.load.storage import Layout
from newsflow.quality.docs_site import prune
from newsflow.quality.gate import Outcome, QualityGateError
from newsflow.quality.report import markdown_report
from newsflow.server import local
from newsflow.summary import RunSummary
from tasks.load import compaction


class Progress:
    """The run's progress artifact (``ingest-progress``), from 0 to 100 as files are parsed and steps finish;
    the same progress goes to the terminal's display (``newsflow.console``) when there is one."""

    def __init__(self, files: int) -> None:
        self.files, self.done = files, 0
        created = create_progress_artifact(0.0, key="ingest-progress", description=f"0 of {files:,} file(s) parsed")
        assert isinstance(created, UUID)  # the sync variant, called outside an event loop
        self.id = created
        display().files(files)

    def files_done(self, count: int) -> None:
        # Reading and parsing is most of a run's time: files fill the bar up to 80 %.
        self.done += count
        display().files_done(count)
        self.set(80.0 * self.done / max(self.files, 1), f"{self.done:,} of {self.files:,} file(s) parsed")

    def note(self, note: str) -> None:
        display().status(note)
        self.set(80.0 * self.done / max(self.files, 1), note)

    def set(self, percent: float, note: str) -> None:
        update_progress_artifact(self.id, percent, description=note)


def _docs_url(layout: Layout, data_docs: str | None) -> str | None:
    """Data Docs' address for a browser: http from newsflow's local server when it runs, else a file URI
    (which browsers refuse to open from the Prefect UI, an http page)."""
    if data_docs is None:
        return None
    docs = Path(data_docs)
    return local.served_url(layout.root, docs, api_url=str(PREFECT_API_URL.value() or "")) or docs.resolve().as_uri()


@task(name="report", cache_policy=NO_CACHE)
def report(layout: Layout, summary: RunSummary, outcome: Outcome | None, settings: Settings) -> None:
    """Write ``reports/<run_id>.json``, the run's part of the ``runs`` log (compacted) and the Prefect summary
    and validation artifacts; prune old Data Docs."""
    if layout.validation.is_dir():
        prune(layout.validation, keep=settings.keep_data_docs)
    summary.data_docs_url = _docs_url(layout, summary.data_docs)
    path = layout.report(summary.run_id)
    summary.report = str(path)
    summary.write(path)
    publish.write_table(summary.runs_frame(), layout.run_log(summary.run_id, summary.started_at.date()), "runs")
    # A part per run: a service running every few minutes would otherwise leave hundreds a day for every
    # report to open.
    compact_log(layout.runs, compaction(settings), table="runs", name=summary.run_id)
    logger = get_run_logger()
    if summary.files_seen == 0:
        logger.info("nothing found: no file matches the source glob; nothing to publish")
    elif summary.outcome == "nothing_new":
        logger.info("nothing new: %d file(s) already ingested; nothing to publish", summary.files_seen)
    for line in summary.step_lines():
        logger.info("%s", line)
    create_table_artifact(key="ingest-summary", table=summary.rows(), description=f"newsflow run {summary.run_id}")
    create_markdown_artifact(
        key="ingest-validation",
        markdown=markdown_report(outcome, data_docs=summary.data_docs_url),
        description="Great Expectations validation of the run's tables",
    )


EVENT_FLUSH_SECONDS = 10.0


def emit_failure_event(flow: Flow[..., Any], flow_run: FlowRun, state: State) -> None:
    """Flow hook (failed or crashed): emit an event an automation can act on.

    Events: ``newsflow.ingest.gate-failed`` (the quality gate failed; nothing was
    published), ``newsflow.ingest.failed`` (another error), ``newsflow.ingest.crashed``
    (the process was interrupted). The resource is the output folder, so an
    automation can watch one output; the flow run is related.
    """
    error = state.result(raise_on_failure=False)
    kind = "crashed" if state.is_crashed() else "gate-failed" if isinstance(error, QualityGateError) else "failed"
    output = Path(str(flow_run.parameters.get("output", "data")))
    emit_event(
        event=f"newsflow.ingest.{kind}",
        resource={"prefect.resource.id": f"newsflow.output.{asset_key(output)}", "prefect.resource.name": str(output)},
        related=[{"prefect.resource.id": f"prefect.flow-run.{flow_run.id}", "prefect.resource.role": "flow-run"}],
        payload={"flow_run": str(flow_run.id), "state": state.name, "message": str(error)[:2000]},
    )
    # Events are sent in the background, and an interrupted process exits right after its hooks:
    # wait for the send (never for long: a hook must not hang a dying run on an unreachable server).
    flush = threading.Thread(target=EventsWorker.instance().wait_until_empty, daemon=True)
    flush.start()
    flush.join(timeout=EVENT_FLUSH_SECONDS)
