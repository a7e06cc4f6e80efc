"""Where everything lives under the output folder. Nothing else builds a path by hand.

::

    <output>/
      curated -> .snapshots/<snapshot_id>     the published tables (a symlink, swapped atomically)
      curated/_state/<name>/                  dedup and story state, published with the tables
      .snapshots/<snapshot_id>/<table>/ingest_date=YYYY-MM-DD/part-<run_id>.parquet
      .staging/<run_id>/<table>/...           a run's rows before validation
      quarantine/<sha256[:2]>/<sha256>        raw bytes of every quarantined file
      validation/<run_id>/index.html          Great Expectations Data Docs of the run
      reports/<run_id>.json                   the run summary
      runs/started_date=YYYY-MM-DD/part-<run_id>.parquet   per-step counters and seconds of every run
      .lock                                   held by the run that may publish (see ``newsflow.load.lock``)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from newsflow.asset_keys import asset_key
from newsflow.tables.registry import CURATED, STATE, TABLES

DEFAULT_LANDING = Path("data") / "landing"
"""The landing folder ``newsflow serve`` watches by default (beside the output's own folders)."""
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


def _checked_id(value: str) -> str:
    # Run and snapshot ids become path components; refuse anything that could escape.
    if not _SAFE_ID.match(value) or value in {".", ".."}:
        raise ValueError(f"not a safe identifier for a path component: {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Layout:
    """Paths of one output folder."""

    root: Path

    @property
    def curated(self) -> Path:
        return self.root / "curated"

    @property
    def snapshots(self) -> Path:
        return self.root / ".snapshots"

    @property
    def staging_root(self) -> Path:
        return self.root / ".staging"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def validation(self) -> Path:
        return self.root / "validation"

    def data_docs(self, run_id: str) -> Path:
        """One Data Docs site per run: GE prunes pages of results it does not hold in memory."""
        return self.validation / _checked_id(run_id)

    def own_folders(self) -> tuple[Path, ...]:
        """Folders newsflow writes; a landing folder may sit beside them (``data/landing``), never inside."""
        return (
            self.curated,
            self.snapshots,
            self.staging_root,
            self.quarantine,
            self.validation,
            self.reports,
            self.runs,
        )

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def runs(self) -> Path:
        """The ``runs`` log: one file per finished run, published or not, outside the snapshots."""
        return self.root / "runs"

    def run_log(self, run_id: str, day: date) -> Path:
        return self.runs / f"{TABLES['runs'].partition}={day.isoformat()}" / f"part-{_checked_id(run_id)}.parquet"

    def runs_glob(self) -> str:
        return str(self.runs / "**" / "*.parquet")

    def asset_key(self, table: str) -> str:
        """The Prefect asset key of a published table: ``file:///<resolved output>/curated/<table>`` (``curated``
        is a symlink to the current snapshot: the key names the link, which stays, not the snapshot)."""
        return asset_key(self.root.resolve() / self.table(table).relative_to(self.root), resolve=False)

    def snapshot(self, snapshot_id: str) -> Path:
        return self.snapshots / _checked_id(snapshot_id)

    def staging(self, run_id: str) -> Path:
        return self.staging_root / _checked_id(run_id)

    @property
    def overview(self) -> Path:
        """The page ``newsflow report`` writes: runs over time, the largest stories, the quarantine."""
        return self.reports / "index.html"

    def report(self, run_id: str) -> Path:
        return self.reports / f"{_checked_id(run_id)}.json"

    def table(self, table: str, base: Path | None = None) -> Path:
        """A table's folder under ``base`` (default: the published ``curated``)."""
        if table in STATE:
            return (base or self.curated) / "_state" / table
        if table not in CURATED:
            raise ValueError(f"unknown table {table!r}; tables are {', '.join(CURATED)}")
        return (base or self.curated) / table

    def table_glob(self, table: str, base: Path | None = None) -> str:
        """The glob readers use: ``polars.scan_parquet`` or DuckDB ``read_parquet``."""
        return str(self.table(table, base) / "**" / "*.parquet")

    def partition_file(self, base: Path, table: str, day: date, run_id: str, window: int = 0) -> Path:
        """A run's part of ``table``; window ``n > 0`` of a windowed run adds ``-w<n>`` to the name."""
        part = _checked_id(run_id) + (f"-w{window}" if window else "")
        partition = f"{TABLES[table].partition}={day.isoformat()}"
        return self.table(table, base) / partition / f"part-{part}.parquet"

    def quarantine_blob(self, sha256: str) -> Path:
        """Content-addressed, so a crafted file name can never choose where bytes land."""
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.quarantine / sha256[:2] / sha256

    def relative(self, path: Path) -> str:
        """``path`` relative to the output root, for storing in tables."""
        return path.relative_to(self.root).as_posix()
