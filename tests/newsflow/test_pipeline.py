"""The pure pipeline from file bytes to run tables, without Prefect or I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from newsflow.config import Settings
from newsflow.extract.source import read_memory
from newsflow.pipeline import assemble_run, process_shard
from newsflow.reasons import Reason
from newsflow.records import History
from newsflow.steps import count_outcomes
from tests.faults.crash import build_corpus

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def test_counters_follow_total_kept_dropped() -> None:
    assert count_outcomes(5, pl.Series(["binary", "empty", "binary"])) == {
        "total": 5,
        "kept": 2,
        "dropped_binary": 2,
        "dropped_empty": 1,
    }


def test_run_tables_reconcile() -> None:
    shard = process_shard(
        read_memory({"a.txt": b"Head\n\nBody.\n", "b.txt": b"HEAD!\n\nbody\n", "c.txt": b"", "d.txt": b"Head only\n"}),
        Settings(),
    )
    run = assemble_run([shard], History.empty(), run_id="r", ingested_at=NOW, settings=Settings())
    statuses = dict(run.tables["files"].select("source_path", "status").iter_rows())
    assert statuses == {"a.txt": "curated", "b.txt": "duplicate", "c.txt": "quarantined", "d.txt": "quarantined"}
    assert run.tables["quarantine"].select("source_path", "reason").sort("source_path").rows() == [
        ("c.txt", Reason.EMPTY.value),
        ("d.txt", Reason.EMPTY_BODY.value),
    ]
    assert run.counters["dedup"] == {
        "total": 2,
        "kept": 1,
        "dropped_exact": 1,
        "dropped_near": 0,
        "dropped_retracted": 0,
    }
    assert run.tables["paragraphs"].get_column("source_path").to_list() == ["a.txt"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=600) | st.text(max_size=600).map(str.encode), min_size=1, max_size=6))
def test_arbitrary_bytes_end_curated_duplicate_or_quarantined(blobs: list[bytes]) -> None:
    files = {f"{i}.txt": raw for i, raw in enumerate(blobs)}
    shard = process_shard(read_memory(files), Settings())
    run = assemble_run([shard], History.empty(), run_id="r", ingested_at=NOW, settings=Settings())
    ledger = run.tables["files"]
    assert sorted(ledger.get_column("source_path").to_list()) == sorted(files)
    assert set(run.tables["quarantine"].get_column("reason")) <= {str(r) for r in Reason}
    curated = run.tables["articles"]
    assert (curated.get_column("headline").str.len_chars() >= Settings().headline_min_chars).all()
    assert (curated.get_column("paragraph_count") >= 1).all()


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(pl.all().exclude(pl.List, pl.Array)) if frame.height else frame


def test_a_window_gives_the_same_tables_with_the_shards_evidence_or_without(tmp_path: Path) -> None:
    build_corpus(tmp_path, files=300, seed=5)
    paths = sorted(tmp_path.rglob("*.txt"))
    files = {str(path.relative_to(tmp_path)): path.read_bytes() for path in paths}
    # Exact copies inside one shard and across the two.
    files["0-copy.txt"], files["zz-copy.txt"] = (
        files[str(paths[0].relative_to(tmp_path))],
        files[str(paths[1].relative_to(tmp_path))],
    )
    names = sorted(files)
    config = Settings()
    shards = [
        process_shard(read_memory({name: files[name] for name in part}), config)
        for part in (names[: len(names) // 2], names[len(names) // 2 :])
    ]
    assert all(set(shard.evidence) == {"fingerprints", "vectors", "quotes", "facts"} for shard in shards)
    given_ = assemble_run(shards, History.empty(), run_id="r", ingested_at=NOW, settings=config)
    bare = [replace(shard, evidence={}) for shard in shards]
    worked_out = assemble_run(bare, History.empty(), run_id="r", ingested_at=NOW, settings=config)
    assert given_.counters["dedup"].get("dropped_near", 0) > 0 and given_.counters["dedup"]["dropped_exact"] >= 2
    assert given_.tables["stories"].height < given_.tables["articles"].height
    for group in ("tables", "state"):
        mine, theirs = getattr(given_, group), getattr(worked_out, group)
        assert mine.keys() == theirs.keys()
        for name in mine:
            assert_frame_equal(_sorted(mine[name]), _sorted(theirs[name]), check_row_order=False)
