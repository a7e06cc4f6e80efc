"""The identity and summary of one run."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from newsflow.load.atomic import write_atomically
from newsflow.pipeline import WINDOW_STEPS
from newsflow.quality.gate import Outcome
from newsflow.reasons import Status
from newsflow.records import RunTables
from newsflow.steps import add_seconds, merge_counters
from newsflow.tables.registry import REPLACED

_WINDOW_FLOW_STEPS = ("deduplicate", "stage", "validate")
"""The flow's steps that run once per window (``flows/ingest.py``)."""
_WINDOW_STEPS = tuple(step.name for step in WINDOW_STEPS)


def _add(counts: dict[str, int], more: Iterable[tuple[str, int]]) -> dict[str, int]:
    total = dict(counts)
    for key, n in more:
        total[key] = total.get(key, 0) + n
    return dict(sorted(total.items()))


@dataclass(slots=True)
class RunSummary:
    """What a run did, as shown by the CLI, the Prefect artifacts and ``reports/<run_id>.json``."""

    run_id: str
    started_at: datetime
    source: str
    output: str
    files_seen: int = 0
    files_unchanged: int = 0
    files_new: int = 0
    curated: int = 0
    duplicates: int = 0
    duplicates_by_kind: dict[str, int] = field(default_factory=dict)
    retracted: int = 0
    """New files whose text is retracted (``newsflow retract``): not curated again."""
    quarantined: dict[str, int] = field(default_factory=dict)
    repeated_paragraphs_removed: int = 0
    boilerplate_paragraphs: int = 0
    stories: int | None = None
    """Stories in the published tables after this run (None when nothing was published)."""
    validation: str = "skipped"
    """'passed', 'failed', or 'skipped' (nothing new to validate)."""
    published: bool = False
    tables: str = ""
    data_docs: str | None = None
    data_docs_url: str | None = None
    """Where a browser opens the Data Docs: over http from the local server when it serves them, else a file URI."""
    report: str | None = None
    failures: list[str] = field(default_factory=list)
    counters: dict[str, dict[str, int]] = field(default_factory=dict)
    step_seconds: dict[str, float] = field(default_factory=dict)
    """Wall-clock seconds per flow step (shard steps: from the first shard started to the last finished),
    and per pipeline step (``newsflow.pipeline``; a shard step's seconds are summed over shards run in
    parallel). A window is read and parsed while the one before it is deduplicated, staged and
    validated, so the steps add up to more than the run."""
    windows: list[dict[str, float]] = field(default_factory=list)
    """Per window, in order: its new ``files`` and the seconds of its global steps (``deduplicate``, ``stage``,
    ``validate``, and within deduplicate each window step's): whether a late window costs more than an early
    one."""
    rows_added: dict[str, int] = field(default_factory=dict)
    """Rows each curated table gained (a replaced table, ``stories``: its size after the last window)."""
    seconds: float = 0.0

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        """Add the wall-clock time of the ``with`` block to ``step_seconds[step]``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.step_seconds[step] = self.step_seconds.get(step, 0.0) + time.perf_counter() - start

    @property
    def outcome(self) -> str:
        """'published', 'gate_failed', or 'nothing_new' (no file needed ingesting)."""
        if self.published:
            return "published"
        return "gate_failed" if self.validation == "failed" else "nothing_new"

    def add_window(self, run: RunTables) -> None:
        """Add one window's counts (a run has one window unless it is large)."""
        files = run.tables["files"]
        statuses = dict(files.group_by("status").len().iter_rows())
        self.files_new += files.height
        self.curated += statuses.get(Status.CURATED.value, 0)
        self.duplicates += statuses.get(Status.DUPLICATE.value, 0)
        self.retracted += statuses.get(Status.RETRACTED.value, 0)
        self.quarantined = _add(self.quarantined, run.tables["quarantine"].group_by("reason").len().iter_rows())
        self.duplicates_by_kind = _add(
            self.duplicates_by_kind, run.tables["duplicates"].group_by("kind").len().iter_rows()
        )
        self.repeated_paragraphs_removed += run.counters.get("paragraphs", {}).get("dropped_repeated", 0)
        self.boilerplate_paragraphs += run.counters.get("paragraphs", {}).get("boilerplate", 0)
        # Each window's stories table is the whole table as of that window.
        self.stories = run.tables["stories"].height
        self.counters = merge_counters([self.counters, run.counters])
        self.step_seconds = add_seconds([self.step_seconds, run.seconds])
        earlier = {step: sum(window.get(step, 0.0) for window in self.windows) for step in _WINDOW_FLOW_STEPS}
        own = {step: round(self.step_seconds.get(step, 0.0) - earlier[step], 3) for step in _WINDOW_FLOW_STEPS}
        steps = {step: round(run.seconds.get(step, 0.0), 3) for step in _WINDOW_STEPS}
        self.windows.append({"files": float(files.height), **own, **steps})
        for table, frame in run.tables.items():
            self.rows_added[table] = frame.height + (0 if table in REPLACED else self.rows_added.get(table, 0))

    def add_validation_seconds(self, seconds: list[float]) -> None:
        """Each window's validation time, in window order: windows are validated in the background, while the flow
        goes on, so ``add_window`` cannot time them."""
        for window, spent in zip(self.windows, seconds, strict=True):
            window["validate"] = round(spent, 3)
        self.step_seconds["validate"] = self.step_seconds.get("validate", 0.0) + sum(seconds)

    def set_validation(self, outcome: Outcome) -> None:
        """The run's validation outcome (every window's, combined)."""
        self.counters["validate"] = {
            "total": outcome.evaluated,
            "kept": outcome.evaluated - len(outcome.failures),
            "dropped_failed": len(outcome.failures),
        }
        self.validation = "passed" if outcome.success else "failed"
        self.failures = list(outcome.failures)
        self.data_docs = str(outcome.data_docs) if outcome.data_docs else None

    @property
    def quarantined_total(self) -> int:
        return sum(self.quarantined.values())

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["quarantined_total"] = self.quarantined_total
        data["outcome"] = self.outcome
        data["headline"] = self.headline()
        return data

    def step_metrics(self) -> list[tuple[str, str, float]]:
        """(step, metric, value) for every counter and timing; the rows of the ``runs`` table."""
        counters = {
            "discover": {
                "total": self.files_seen,
                "kept": self.files_seen - self.files_unchanged,
                "dropped_unchanged": self.files_unchanged,
            },
            **self.counters,
        }
        rows = [(step, metric, float(value)) for step, values in counters.items() for metric, value in values.items()]
        rows += [(step, "seconds", seconds) for step, seconds in self.step_seconds.items()]
        rows.append(("run", "seconds", self.seconds))
        return rows

    def step_lines(self) -> list[str]:
        """One line per step with its counts (drops only when there are some) and time, then the other times."""
        seconds = dict(self.step_seconds)
        lines = []
        for step, counts in self.counters.items():
            drops = [
                f"{n:,} {k.removeprefix('dropped_').replace('_', ' ')}"
                for k, n in counts.items()
                if n and k.startswith("dropped_")
            ]
            more = [
                f"{n:,} {k.replace('_', ' ')}"
                for k, n in counts.items()
                if n and k not in ("total", "kept") and not k.startswith("dropped_")
            ]
            verb = "passed" if step == "validate" else "kept"
            line = f"{step}: {counts.get('kept', 0):,} of {counts.get('total', 0):,} {verb}"
            line += f" (dropped: {', '.join(drops)})" if drops else ""
            line += f"; {', '.join(more)}" if more else ""
            line += f", {seconds.pop(step):.2f} s" if step in seconds else ""
            lines.append(line)
        times = ", ".join(f"{step.replace('_', ' ')} {value:.2f} s" for step, value in seconds.items())
        lines.append(f"times: {times}; whole run {self.seconds:.2f} s")
        return lines

    def headline(self) -> str:
        """The run in one line: the Prefect state message and the terminal's first line."""
        if self.files_seen == 0:
            return "nothing found: no file matches the source glob"
        if self.files_new == 0:
            return f"nothing new: {self.files_seen:,} file(s) already ingested"
        verdict = "published" if self.published else f"validation {self.validation}, nothing published"
        retracted = f", {self.retracted:,} retracted" if self.retracted else ""
        return (
            f"{self.files_new:,} new file(s): {self.curated:,} curated, {self.duplicates:,} duplicate(s), "
            f"{self.quarantined_total:,} quarantined{retracted}; {verdict}"
        )

    def runs_frame(self) -> pl.DataFrame:
        """This run's rows of the ``runs`` table."""
        steps, metrics, values = zip(*self.step_metrics(), strict=True)
        return pl.DataFrame({"step": steps, "metric": metrics, "value": values}).with_columns(
            run_id=pl.lit(self.run_id),
            started_at=pl.lit(self.started_at).dt.convert_time_zone("UTC"),
            outcome=pl.lit(self.outcome),
        )

    def write(self, path: Path) -> None:
        text = json.dumps(self.as_json(), indent=2) + "\n"
        write_atomically(path, lambda partial: partial.write_text(text, encoding="utf-8"))

    def rows(self) -> list[dict[str, str]]:
        """(metric, value) rows for a table artifact or the terminal."""
        pairs: list[tuple[str, object]] = [
            ("files seen", self.files_seen),
            ("unchanged (skipped)", self.files_unchanged),
            ("new", self.files_new),
            ("curated", self.curated),
            ("duplicates", self.duplicates),
            *((f"  duplicates: {kind}", n) for kind, n in sorted(self.duplicates_by_kind.items())),
            ("quarantined", self.quarantined_total),
            ("retracted", self.retracted),
        ]
        pairs += [(f"  quarantined: {reason}", n) for reason, n in sorted(self.quarantined.items())]
        pairs += [
            ("repeated paragraphs removed", self.repeated_paragraphs_removed),
            ("boilerplate paragraphs flagged", self.boilerplate_paragraphs),
            ("stories (all published)", "-" if self.stories is None else self.stories),
            ("validation", self.validation),
            ("outcome", self.outcome.replace("_", " ")),
            ("published", "yes" if self.published else "no"),
            ("tables", self.tables),
            ("validation report", self.data_docs or "-"),
            ("seconds", f"{self.seconds:.2f}"),
        ]
        return [{"metric": name, "value": str(value)} for name, value in pairs]
