"""The identity and summary of one run."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from newsflow.batch import RunTables
from newsflow.quality import Outcome
from newsflow.reasons import Status


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
    report: str | None = None
    failures: list[str] = field(default_factory=list)
    counters: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0

    def fill_from(self, run: RunTables, outcome: Outcome) -> None:
        """Counts from the run's tables and the validation outcome."""
        files = run.tables["files"]
        statuses = dict(files.group_by("status").len().iter_rows())
        self.files_new = files.height
        self.curated = statuses.get(Status.CURATED.value, 0)
        self.duplicates = statuses.get(Status.DUPLICATE.value, 0)
        self.quarantined = dict(run.tables["quarantine"].group_by("reason").len().sort("reason").iter_rows())
        self.duplicates_by_kind = dict(run.tables["duplicates"].group_by("kind").len().sort("kind").iter_rows())
        self.repeated_paragraphs_removed = run.counters.get("paragraphs", {}).get("dropped_repeated", 0)
        self.boilerplate_paragraphs = run.counters.get("paragraphs", {}).get("boilerplate", 0)
        self.stories = run.tables["stories"].height
        self.counters = run.counters
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
        return data

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(self.as_json(), indent=2) + "\n", encoding="utf-8")
        partial.replace(path)

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
        ]
        pairs += [(f"  quarantined: {reason}", n) for reason, n in sorted(self.quarantined.items())]
        pairs += [
            ("repeated paragraphs removed", self.repeated_paragraphs_removed),
            ("boilerplate paragraphs flagged", self.boilerplate_paragraphs),
            ("stories (all published)", "-" if self.stories is None else self.stories),
            ("validation", self.validation),
            ("published", "yes" if self.published else "no"),
            ("tables", self.tables),
            ("validation report", self.data_docs or "-"),
            ("seconds", f"{self.seconds:.2f}"),
        ]
        return [{"metric": name, "value": str(value)} for name, value in pairs]
