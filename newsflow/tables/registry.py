"""Every table newsflow writes, declared once: what storage, the history lookups, the quality gate,
the data dictionary and the README's table list are derived from (or checked against, by a test).

A new table is one entry here and its schema in ``schemas``; a curated table also
needs its suite, ``expectations/<name>.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

from newsflow.tables.schemas import LOG_SCHEMAS, SCHEMAS, STATE_SCHEMAS

Kind = Literal["curated", "state", "log"]
Writes = Literal["append", "replace"]


@dataclass(frozen=True, slots=True)
class Table:
    """One table.

    ``kind``: ``curated`` (what users read, under ``curated/<name>/``, validated by
    the suite ``expectations/<name>.json``), ``state`` (what deduplication and
    stories remember, under ``curated/_state/<name>/``, published with the tables) or
    ``log`` (``runs``: outside the snapshots). ``key``: the columns that identify a row
    (the quality gate names failing rows by them). ``partition``: the hive partition
    column of its files. ``writes``: ``append`` (a run adds partitions) or ``replace``
    (every publishing run rewrites it whole). ``history``: the global steps look it
    up in the published snapshot (``records.History``).
    """

    name: str
    kind: Kind
    key: tuple[str, ...]
    writes: Writes = "append"
    partition: str = "ingest_date"
    history: bool = False

    @property
    def schema(self) -> pa.Schema:
        return {**SCHEMAS, **STATE_SCHEMAS, **LOG_SCHEMAS}[self.name]

    @property
    def description(self) -> str:
        text: bytes = (self.schema.metadata or {}).get(b"description", b"")
        return text.decode()

    @property
    def suite(self) -> str | None:
        """The name of its expectation suite (curated tables only)."""
        return self.name if self.kind == "curated" else None


_DECLARED = (
    Table("articles", "curated", ("article_id",), history=True),
    Table("paragraphs", "curated", ("article_id", "position"), history=True),
    Table("duplicates", "curated", ("source_path",)),
    Table("quarantine", "curated", ("source_path",)),
    Table("files", "curated", ("source_path",)),
    Table("stories", "curated", ("story_id",), writes="replace", history=True),
    Table("article_versions", "curated", ("article_id", "valid_to")),
    Table("retractions", "curated", ("article_id", "ingested_at"), history=True),
    Table("signatures", "state", ("article_id",), history=True),
    Table("bands", "state", ("article_id", "band"), history=True),
    Table("paragraph_counts", "state", ("paragraph_hash",), history=True),
    Table("term_postings", "state", ("term", "article_id"), history=True),
    Table("facts", "state", ("article_id",), history=True),
    Table("quotes", "state", ("article_id", "quote_hash"), history=True),
    Table("story_links", "state", ("article_id", "other")),
    Table("held_articles", "state", ("source_path",), history=True),
    Table("held_paragraphs", "state", ("source_path", "position")),
    Table("runs", "log", ("run_id", "step", "metric"), partition="started_date"),
)
TABLES: dict[str, Table] = {table.name: table for table in _DECLARED}
CURATED: tuple[str, ...] = tuple(t.name for t in _DECLARED if t.kind == "curated")
STATE: tuple[str, ...] = tuple(t.name for t in _DECLARED if t.kind == "state")
"""Dedup and story state, published with the tables (so it is never ahead of or behind them)."""
LOGS: tuple[str, ...] = tuple(t.name for t in _DECLARED if t.kind == "log")
PUBLISHED: tuple[str, ...] = CURATED + STATE
REPLACED: frozenset[str] = frozenset(t.name for t in _DECLARED if t.writes == "replace")
"""Tables every publishing run rewrites whole; all others only gain partitions."""
HISTORY: tuple[str, ...] = tuple(t.name for t in _DECLARED if t.history)
RUN_STAMP_COLUMNS = frozenset({"run_id", "ingested_at", "first_seen", "last_seen", "valid_to"})
"""Columns that say which run wrote a row and when; everything else is a function of the input."""
