"""The pure parts of a rebuild: latest versions, arrival windows, stamps, the ledger, retractions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from newsflow.versions.changes import changes
from newsflow.versions.rebuild import arrival_windows, latest_versions, ledger_statuses, restamp
from newsflow.versions.retractions import TargetError, resolve_target, retracted_ids

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def at(day: int) -> datetime:
    return T0 + timedelta(days=day)


def versions(*rows: tuple[str, str, str, int]) -> pl.LazyFrame:
    """(source_path, sha, article_id, day) rows as a table of versions."""
    return pl.DataFrame(
        [
            {"source_path": p, "source_sha256": s, "article_id": a, "ingested_at": at(d), "run_id": f"r{d}"}
            for p, s, a, d in rows
        ],
        schema={
            "source_path": pl.String,
            "source_sha256": pl.String,
            "article_id": pl.String,
            "ingested_at": pl.Datetime("us", "UTC"),
            "run_id": pl.String,
        },
    ).lazy()


def test_the_latest_version_of_each_file_wins_wherever_it_is_kept() -> None:
    latest = latest_versions(
        articles=versions(("a.txt", "s1", "A1", 0), ("b.txt", "s2", "B1", 0)),
        held=versions(("c.txt", "s3", "A1", 1), ("b.txt", "s0", "B0", -1)),
        incoming=versions(("a.txt", "s4", "A2", 2)),
    )
    assert latest.select("source_path", "article_id", "origin").rows() == [
        ("a.txt", "A2", "incoming"),
        ("b.txt", "B1", "articles"),
        ("c.txt", "A1", "held"),
    ]


def test_windows_follow_arrival_and_cut_where_path_order_disagrees() -> None:
    latest = latest_versions(
        articles=versions(
            ("b.txt", "s", "B", 0), ("d.txt", "s", "D", 0), ("a.txt", "s", "A", 5), ("e.txt", "s", "E", 5)
        ),
        held=versions(),
        incoming=versions(),
    )
    # a.txt was first seen on day 1, after b and d (day 0): it starts a new window, whatever its path
    first_seen = pl.DataFrame(
        {"source_path": ["a.txt", "b.txt", "d.txt", "e.txt"], "first_seen": [at(1), at(0), at(0), at(1)]}
    )
    windows = arrival_windows(latest, first_seen, window_files=10)
    assert [w.get_column("source_path").to_list() for w in windows] == [["b.txt", "d.txt"], ["a.txt", "e.txt"]]
    small = arrival_windows(latest, first_seen, window_files=1)
    assert [w.get_column("source_path").to_list() for w in small] == [["b.txt"], ["d.txt"], ["a.txt"], ["e.txt"]]
    # files that arrive in path order stay in one window
    in_order = pl.DataFrame({"source_path": ["a.txt", "b.txt", "d.txt", "e.txt"], "first_seen": [at(0)] * 4})
    assert len(arrival_windows(latest, in_order, window_files=10)) == 1


def test_rows_keep_the_stamps_of_their_version_and_of_the_file_kept() -> None:
    latest = latest_versions(
        articles=versions(("z.txt", "s1", "X", 1)), held=versions(("a.txt", "s2", "X", 2)), incoming=versions()
    )
    now = {"ingested_at": pl.lit(at(9)).dt.convert_time_zone("UTC"), "run_id": pl.lit("rebuild")}
    kept = restamp(pl.DataFrame({"source_path": ["z.txt"], "article_id": ["X"]}).with_columns(**now), latest)
    assert kept.select("run_id").item() == "r1"
    paragraphs = pl.DataFrame({"article_id": ["X"], "position": [0]}).with_columns(**now)
    # a.txt holds the same text and sorts first, but the paragraphs are the kept file's
    assert restamp(paragraphs, latest, articles=kept).select("run_id").item() == "r1"
    copy = pl.DataFrame({"source_path": ["a.txt"]}).with_columns(**now)
    assert restamp(copy, latest).select("run_id").item() == "r2"


def test_the_ledger_says_what_each_version_is_now() -> None:
    files = pl.DataFrame(
        {
            "source_path": ["a.txt", "a.txt", "b.txt", "c.txt", "a.txt"],
            "source_sha256": ["old", "new", "s", None, "bad"],
            "status": ["curated", "curated", "curated", "quarantined", "quarantined"],
            "ingested_at": [at(0), at(1), at(0), at(0), at(2)],
        }
    )
    latest = pl.DataFrame({"source_path": ["a.txt", "b.txt"], "source_sha256": ["new", "s"]})
    outcomes = pl.DataFrame({"source_path": ["a.txt", "b.txt"], "status": ["curated", "duplicate"]})
    statuses = ledger_statuses(files, latest, outcomes).select("source_path", "source_sha256", "status")
    expected = pl.DataFrame(
        {
            "source_path": ["a.txt", "a.txt", "b.txt", "c.txt", "a.txt"],
            "source_sha256": ["old", "new", "s", None, "bad"],
            "status": ["superseded", "curated", "duplicate", "quarantined", "quarantined"],
        }
    )
    assert_frame_equal(statuses, expected)


def test_the_latest_action_of_an_article_is_in_force() -> None:
    log = pl.DataFrame(
        {
            "article_id": ["A", "A", "B"],
            "action": ["retract", "restore", "retract"],
            "ingested_at": [at(0), at(1), at(0)],
        }
    ).lazy()
    assert retracted_ids(log).collect().get_column("article_id").to_list() == ["B"]


def test_a_target_is_an_article_id_or_a_source_path() -> None:
    known = pl.DataFrame({"article_id": ["A"], "source_path": ["a.txt"], "source_sha256": ["s"]})
    assert resolve_target("A", known).item(0, "source_path") == "a.txt"
    assert resolve_target("a.txt", known).item(0, "article_id") == "A"
    with pytest.raises(TargetError, match="neither"):
        resolve_target("b.txt", known)


def test_changes_count_moves_splits_and_merges() -> None:
    before = pl.DataFrame({"article_id": ["a", "b", "c"], "story_id": ["s1", "s1", "s2"]})
    after = pl.DataFrame({"article_id": ["a", "b", "c"], "story_id": ["a", "b", "a"]})
    found = changes(
        duplicates_before=pl.DataFrame({"source_path": ["x"]}),
        duplicates_after=pl.DataFrame({"source_path": ["y", "z"]}),
        members_before=before,
        members_after=after,
    )
    assert (found.became_duplicates, found.stopped_being_duplicates) == (2, 1)
    assert (found.stories_split, found.stories_merged) == (1, 1) and found.anything
    same = changes(
        duplicates_before=pl.DataFrame({"source_path": ["x"]}),
        duplicates_after=pl.DataFrame({"source_path": ["x"]}),
        members_before=before,
        members_after=before,
    )
    assert not same.anything
