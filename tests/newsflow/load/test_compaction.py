from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from newsflow.load import compaction, publish
from newsflow.load.compaction import Compaction
from newsflow.load.storage import Layout
from newsflow.tables.registry import TABLES
from tests.newsflow.load.test_publish import read_files, run


def parts(layout: Layout, table: str, snapshot: Path | None = None) -> list[Path]:
    return sorted(layout.table(table, snapshot).rglob("*.parquet"))


def test_many_small_parts_are_merged_and_every_snapshot_keeps_its_rows(tmp_path: Path) -> None:
    layout, policy = Layout(tmp_path), Compaction(max_parts=3, part_bytes=2**20)
    merges: list[tuple[str, int]] = []
    seen: dict[Path, pl.DataFrame] = {}
    for i in range(9):
        snapshot = publish.publish(
            layout,
            run(layout, f"r{i}", f"{i}.txt"),
            f"s{i}",
            keep=20,
            compaction=policy,
            on_merge=lambda *merge: merges.append(merge),
        )
        # A table's parts never pile up beyond the limit plus the merged one, whatever the number of runs.
        assert len(parts(layout, "files")) <= policy.max_parts + 1
        assert read_files(layout).get_column("source_path").to_list() == [f"{n}.txt" for n in range(i + 1)]
        seen[snapshot] = read_files(layout)
    assert ("files", 4) in merges  # the fourth run's publish merged four parts
    # Older snapshots keep their own files and rows: a reader of one is never disturbed.
    for snapshot, rows in seen.items():
        files = compaction.scan_parts([*parts(layout, "files", snapshot)], "files").collect().sort("source_path")
        assert_frame_equal(files, rows)
    merged = next(p for p in parts(layout, "files") if p.name.endswith("-merged.parquet"))
    assert pq.read_schema(merged).equals(TABLES["files"].schema, check_metadata=True)


def test_parts_at_the_size_limit_are_left_as_they_are(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    for i in range(5):
        publish.publish(layout, run(layout, f"r{i}", f"{i}.txt"), f"s{i}", keep=2, compaction=Compaction(1, 1))
    assert len(parts(layout, "files")) == 5 and read_files(layout).height == 5


def test_a_crash_while_merging_leaves_the_published_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout, policy = Layout(tmp_path), Compaction(max_parts=1, part_bytes=2**20)
    publish.publish(layout, run(layout, "r1", "a.txt"), "s1", keep=3, compaction=policy)
    before, published = read_files(layout), layout.curated.resolve()

    def crash(self: pl.LazyFrame, *args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pl.LazyFrame, "sink_parquet", crash)
    with pytest.raises(OSError, match="disk full"):
        publish.publish(layout, run(layout, "r2", "b.txt"), "s2", keep=3, compaction=policy)
    monkeypatch.undo()
    assert layout.curated.resolve() == published and len(parts(layout, "files")) == 1
    assert_frame_equal(read_files(layout), before)
    publish.publish(layout, run(layout, "r2", "b.txt"), "s2", keep=3, compaction=policy)
    assert len(parts(layout, "files")) == 1 and read_files(layout).height == 2


def test_a_policy_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="must be >= 1"):
        Compaction(max_parts=0, part_bytes=1)
