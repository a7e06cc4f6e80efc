from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from newsflow.load import compaction, publish
from newsflow.load.compaction import Compaction
from newsflow.load.storage import Layout
from newsflow.tables.dictionary import empty
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


def log_part(layout: Layout, run_id: str, day: date) -> pl.DataFrame:
    """One run's rows of the ``runs`` log, written as a run writes them."""
    rows = pl.DataFrame(
        {
            "run_id": [run_id] * 2,
            "started_at": [datetime(day.year, day.month, day.day, 12, tzinfo=UTC)] * 2,
            "outcome": ["published"] * 2,
            "step": ["run", "read"],
            "metric": ["seconds", "total"],
            "value": [1.5, 3.0],
        }
    )
    publish.write_table(rows, layout.run_log(run_id, day), "runs")
    return rows


def test_the_runs_log_keeps_a_part_per_past_day_and_merges_the_current_one_past_the_limit(tmp_path: Path) -> None:
    layout, policy = Layout(tmp_path), Compaction(max_parts=3, part_bytes=2**20)
    days = [date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 2), *[date(2026, 12, 3)] * 3]
    written = [log_part(layout, f"run-{i}", day) for i, day in enumerate(days)]
    # A past day with two parts is merged, one with a single part is left; the current day is under the limit.
    assert compaction.compact_log(layout.runs, policy, table="runs", name="run-5") == 2
    by_day = {folder.name: sorted(p.name for p in folder.iterdir()) for folder in layout.runs.iterdir()}
    assert by_day == {
        "started_date=2026-12-01": ["part-run-5-merged.parquet"],
        "started_date=2026-12-02": ["part-run-2.parquet"],
        "started_date=2026-12-03": ["part-run-3.parquet", "part-run-4.parquet", "part-run-5.parquet"],
    }
    written.append(log_part(layout, "run-6", date(2026, 12, 3)))
    assert compaction.compact_log(layout.runs, policy, table="runs", name="run-6") == 4
    assert [p.name for p in layout.run_log("run-6", date(2026, 12, 3)).parent.iterdir()] == [
        "part-run-6-merged.parquet"
    ]
    assert compaction.compact_log(layout.runs, policy, table="runs", name="run-7") == 0
    expected = pl.concat(written).select(compaction.read_log(layout.runs, "runs").columns)
    assert_frame_equal(compaction.read_log(layout.runs, "runs"), expected, check_row_order=False)


def test_a_merge_interrupted_before_its_parts_were_removed_loses_and_repeats_no_row(tmp_path: Path) -> None:
    layout, policy = Layout(tmp_path), Compaction(max_parts=1, part_bytes=2**20)
    day = date(2026, 12, 1)
    written = pl.concat([log_part(layout, f"run-{i}", day) for i in range(3)])
    folder = layout.run_log("run-0", day).parent
    kept = {p.name: p.read_bytes() for p in folder.iterdir()}
    compaction.compact_log(layout.runs, policy, table="runs", name="run-2")
    for name, content in kept.items():  # as if the process died before removing the merged parts
        (folder / name).write_bytes(content)
    expected = written.select(compaction.read_log(layout.runs, "runs").columns)
    assert_frame_equal(compaction.read_log(layout.runs, "runs"), expected, check_row_order=False)
    compaction.compact_log(layout.runs, policy, table="runs", name="run-3")
    assert [p.name for p in folder.iterdir()] == ["part-run-3-merged.parquet"]
    assert_frame_equal(pl.read_parquet(folder), expected, check_row_order=False)


def test_an_empty_runs_log_reads_as_an_empty_table(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    assert compaction.compact_log(layout.runs, Compaction(1, 1), table="runs", name="r") == 0
    assert compaction.read_log(layout.runs, "runs").schema == empty("runs").schema
    assert compaction.read_log(layout.runs, "runs").is_empty()
