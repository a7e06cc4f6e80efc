"""The pure pipeline from file bytes to run tables, without Prefect or I/O."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.config import Settings
from newsflow.extract.source import read_memory
from newsflow.pipeline import assemble_run, process_shard
from newsflow.reasons import Reason
from newsflow.records import History
from newsflow.steps import count_outcomes

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
