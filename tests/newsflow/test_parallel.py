"""Cutting the window steps into pieces (``newsflow.parallel``) changes where they run, never what they find."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from newsflow.config import Settings
from newsflow.extract.source import read_memory
from newsflow.parallel import IN_PROCESS, split
from newsflow.pipeline import assemble_run, process_shard
from newsflow.records import History, RunTables
from tests.faults.crash import build_corpus

T = TypeVar("T")
R = TypeVar("R")
NOW = datetime(2025, 1, 1, tzinfo=UTC)


class Pieces:
    """In this process, but cut as for ``workers`` workers; records every call."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.calls: list[tuple[str, int]] = []

    def map(self, function: Callable[..., R], pieces: Sequence[T], /, **shared: Any) -> Iterator[R]:
        self.calls.append((function.__name__, len(pieces)))
        return (function(piece, **shared) for piece in pieces)


def test_split_cuts_consecutive_ranges_covering_everything() -> None:
    assert split(10, 3) == [range(0, 3), range(3, 6), range(6, 10)]
    assert split(2, 5) == [range(0, 1), range(1, 2)]
    assert split(0, 4) == []


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(pl.all().exclude(pl.List, pl.Array)) if frame.height else frame


def _equal(left: RunTables, right: RunTables) -> None:
    for group in ("tables", "state"):
        a, b = getattr(left, group), getattr(right, group)
        assert a.keys() == b.keys()
        for name in a:
            try:
                assert_frame_equal(_sorted(a[name]), _sorted(b[name]))
            except AssertionError as error:
                raise AssertionError(f"{group} {name} differs") from error
    assert left.counters == right.counters


@pytest.mark.parametrize("workers", [2, 3])
def test_a_window_cut_into_pieces_gives_the_same_tables(tmp_path: Path, workers: int) -> None:
    build_corpus(tmp_path, files=400, seed=11)
    files = {str(path.relative_to(tmp_path)): path.read_bytes() for path in sorted(tmp_path.rglob("*.txt"))}
    settings = Settings()
    # Without the shards' evidence (as a rebuild's candidates come), so the window works it out in pieces too.
    shard = replace(process_shard(read_memory(files), settings), evidence={})
    whole = assemble_run([shard], History.empty(), run_id="r", ingested_at=NOW, settings=settings, pool=IN_PROCESS)
    pieces = Pieces(workers)
    cut = assemble_run([shard], History.empty(), run_id="r", ingested_at=NOW, settings=settings, pool=pieces)
    _equal(whole, cut)
    assert whole.counters["dedup"].get("dropped_near", 0) > 0 and whole.tables["stories"].height > 0
    most: dict[str, int] = {}
    for name, count in pieces.calls:
        most[name] = max(count, most.get(name, 0))
    # Every parallel part of both steps ran in pieces, one per worker at least.
    assert {name: most[name] >= workers for name in most} == {
        "chunk_signatures": True,
        "_band_pairs": True,
        "article_evidence": True,
        "_chunk_pairs": True,
    }
