"""The report's frames, from runs logged the way a run logs itself (``RunSummary.runs_frame``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from polars.testing import assert_frame_equal

from newsflow.report import data
from newsflow.summary import RunSummary


def _run(run_id: str, minute: int, counters: dict[str, dict[str, int]], seconds: dict[str, float]) -> pl.DataFrame:
    summary = RunSummary(run_id=run_id, started_at=datetime(2026, 1, 1, 9, minute, tzinfo=UTC), source="s", output="o")
    summary.files_seen = counters["dedup"]["total"] + 3
    summary.counters, summary.step_seconds, summary.seconds = counters, seconds, sum(seconds.values())
    summary.published = True
    return summary.runs_frame()


def test_runs_over_time_counts_new_curated_duplicates_and_quarantine_per_run() -> None:
    first = _run(
        "r1",
        0,
        {
            "read": {"total": 10, "kept": 8, "dropped_binary": 1, "dropped_unchanged_content": 1},
            "parse": {"total": 8, "kept": 7, "dropped_empty_body": 1},
            "dedup": {"total": 7, "kept": 5, "dropped_exact": 1, "dropped_near": 1},
        },
        {"read_parse": 1.5, "deduplicate": 0.5},
    )
    second = _run("r2", 5, {"dedup": {"total": 2, "kept": 2}}, {"publish": 0.25})
    runs = pl.concat([second, first]).lazy()
    over_time = data.runs_over_time(runs).select("run_id", "curated", "duplicates", "quarantined", "seconds")
    expected = pl.DataFrame(
        {"run_id": ["r1", "r2"], "curated": [5, 2], "duplicates": [2, 0], "quarantined": [2, 0], "seconds": [2.0, 0.25]}
    )
    assert_frame_equal(over_time, expected)
    steps = data.step_seconds(runs)
    assert steps.columns == ["run_id", "started_at", *data.FLOW_STEPS]
    assert steps.row(0, named=True)["read_parse"] == 1.5 and steps.row(1, named=True)["publish"] == 0.25
    assert steps.row(1, named=True)["read_parse"] == 0.0


def test_largest_stories_leave_out_single_articles_and_measure_spans() -> None:
    day = datetime(2026, 1, 1, tzinfo=UTC)
    stories = pl.DataFrame(
        {
            "story_id": ["a", "b", "c"],
            "headline": ["A", "B", "C"],
            "article_count": [3, 1, 5],
            "first_seen": [day, day, day],
            "last_seen": [day + timedelta(days=2), day, day + timedelta(hours=12)],
        }
    ).lazy()
    largest = data.largest_stories(stories, top=5)
    assert largest.get_column("story_id").to_list() == ["c", "a"]
    assert largest.get_column("days").to_list() == [0.5, 2.0]
