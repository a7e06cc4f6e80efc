"""The records that flow between steps: what a shard and a window carry, and what a window leaves.

The contract between steps (see ``docs/architecture.md``):

* a shard's files (``Shard``): one row per file read, with ``raw``, ``text``,
  ``reason``/``detail`` from reading and decoding; the shard steps turn them into
  article candidates, their paragraphs and quarantined files (``ShardResult``);
* a window's articles (``Window``): candidates still kept, their body paragraphs,
  the duplicates found so far and the state rows the steps produced; the window
  steps deduplicate them and assign stories against ``History``;
* per-article evidence (``Evidence``): what the window steps look up of each
  candidate that depends on the article alone, worked out by the shard steps, in
  parallel, rather than by the window steps, which run one window at a time;
* the window's tables (``RunTables``): the rows each table and state table gains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import polars as pl

from newsflow.config import Settings
from newsflow.parallel import IN_PROCESS, Pool
from newsflow.steps import Counters
from newsflow.tables import registry
from newsflow.tables.dictionary import empty

Evidence = dict[str, pl.DataFrame]
"""Frames by name, each keyed by ``article_id`` and a function of each article alone: ``fingerprints``
(``dedup.fingerprint``), ``vectors``, ``quotes`` and ``facts`` (``stories.evidence``)."""


def first_of_each(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """``frames`` (of shards, in order) concatenated, each ``article_id``'s rows taken from the first frame that
    has it: exact copies in several shards have the same evidence, and the window keeps it once."""
    numbered = [frame.with_columns(__frame=pl.lit(number, pl.Int32)) for number, frame in enumerate(frames)]
    merged = pl.concat(numbered)
    return merged.filter(pl.col("__frame") == pl.col("__frame").min().over("article_id")).drop("__frame")


@dataclass(frozen=True, slots=True)
class Shard:
    """A shard between the shard steps: ``files`` still going on, ``quarantined`` files, and once parsed the
    ``paragraphs`` of the candidates (``files`` then holds one candidate article per row)."""

    files: pl.DataFrame
    quarantined: pl.DataFrame
    paragraphs: pl.DataFrame
    evidence: Evidence = field(default_factory=dict)

    def but(self, **changes: object) -> Shard:
        return replace(self, **changes)  # type: ignore[arg-type]

    def distinct_articles(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """One candidate per ``article_id`` (the first) and its paragraphs: exact copies, which share an id, share
        every per-article result."""
        firsts = self.files.unique("article_id", keep="first", maintain_order=True)
        return firsts, self.paragraphs.join(firsts.select("source_path"), on="source_path", how="semi")


@dataclass(frozen=True, slots=True)
class ShardResult:
    """What one shard yields: article candidates, their paragraphs, and rejects."""

    candidates: pl.DataFrame
    paragraphs: pl.DataFrame
    quarantined: pl.DataFrame
    counters: dict[str, Counters] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    evidence: Evidence = field(default_factory=dict)


class History:
    """What earlier runs published, as lazy frames, one per table the global steps look up (the registry's
    ``history`` tables): scans of the published snapshot, or in-memory frames.

    Only the rows a batch can match are collected (filters push down into the
    Parquet scans), so a run never loads the whole history of article text. Lookups
    use Polars' streaming engine, so a filter or count over a table of tens of
    millions of rows holds a batch of rows at a time, not the table.
    """

    __slots__ = ("_frames",)

    def __init__(self, frames: Mapping[str, pl.LazyFrame]) -> None:
        expected = set(registry.HISTORY)
        if set(frames) != expected:
            raise ValueError(f"a history has exactly the tables {sorted(expected)}, got {sorted(frames)}")
        self._frames = dict(frames)

    def __getitem__(self, table: str) -> pl.LazyFrame:
        return self._frames[table]

    @classmethod
    def empty(cls) -> History:
        return cls({name: empty(name).lazy() for name in registry.HISTORY})

    def plus(self, staged: History) -> History:
        """This history followed by rows staged since (by earlier windows of a run); a table rewritten whole
        (``stories``) is the staged one."""
        return History(
            {
                name: staged[name] if name in registry.REPLACED else pl.concat([frame, staged[name]])
                for name, frame in self._frames.items()
            }
        )


@dataclass(frozen=True, slots=True)
class Window:
    """A window between the window steps (see the module docstring)."""

    articles: pl.DataFrame
    paragraphs: pl.DataFrame
    duplicates: pl.DataFrame
    state: dict[str, pl.DataFrame] = field(default_factory=dict)
    withheld: pl.DataFrame | None = None
    """Candidates not curated because their article is retracted (``versions.retractions``)."""
    evidence: Evidence = field(default_factory=dict)
    """Of the candidates, from the shard steps; a step works out what is missing itself (a rebuild's candidates
    come without)."""

    def but(self, **changes: object) -> Window:
        return replace(self, **changes)  # type: ignore[arg-type]

    def evidence_of_articles(self, *names: str) -> list[pl.DataFrame] | None:
        """The rows of ``articles`` in each of the ``names`` evidence frames; None when the shards gave not all of
        them (the step then works them out itself)."""
        if not set(names) <= set(self.evidence):
            return None
        ids = self.articles.select("article_id")
        return [self.evidence[name].join(ids, on="article_id", how="semi") for name in names]


@dataclass(frozen=True, slots=True)
class WindowContext:
    """What the window steps read besides the window: the published history and the settings; and where their
    independent pieces run (``parallel``)."""

    history: History
    settings: Settings
    pool: Pool = IN_PROCESS


@dataclass(frozen=True, slots=True)
class RunTables:
    """The rows a window adds to each table and to the state, plus quarantined raw bytes, counters by stage
    and seconds by step."""

    tables: dict[str, pl.DataFrame]
    state: dict[str, pl.DataFrame]
    quarantined_raw: pl.DataFrame
    counters: dict[str, Counters]
    seconds: dict[str, float] = field(default_factory=dict)
