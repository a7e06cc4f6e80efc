from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from newsflow.extract.local import LocalFolder
from newsflow.load import publish, quarantine
from newsflow.load.storage import Layout
from newsflow.tables.dictionary import empty
from newsflow.tables.registry import CURATED as TABLES
from newsflow.tables.registry import TABLES as REGISTRY
from tests.checksums import content_checksums

DAY = date(2025, 1, 1)

SCHEMAS = {name: table.schema for name, table in REGISTRY.items()}


def files_rows(*paths: str, run_id: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source_path": list(paths),
            "source_sha256": ["0" * 64] * len(paths),
            "size": [1] * len(paths),
            "mtime_ns": [1] * len(paths),
            "status": ["curated"] * len(paths),
            "ingested_at": [datetime(2025, 1, 1, tzinfo=UTC)] * len(paths),
            "run_id": [run_id] * len(paths),
        }
    )


def run(layout: Layout, run_id: str, *paths: str) -> Path:
    tables = {table: empty(table) for table in TABLES}
    tables["files"] = files_rows(*paths, run_id=run_id)
    return publish.stage(layout, run_id, DAY, tables)


def read_files(layout: Layout) -> pl.DataFrame:
    return publish.scan(layout, "files").collect().sort("source_path")


def test_publish_accumulates_runs_and_keeps_schema_metadata(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    assert read_files(layout).height == 0
    publish.publish(layout, run(layout, "r1", "a.txt"), "s1", keep=2)
    publish.publish(layout, run(layout, "r2", "b.txt"), "s2", keep=2)
    assert read_files(layout).get_column("source_path").to_list() == ["a.txt", "b.txt"]
    schema = pq.read_schema(next((layout.curated / "files").rglob("*.parquet")))
    assert schema.field("status").metadata == SCHEMAS["files"].field("status").metadata
    assert layout.curated.is_symlink() and not (layout.staging_root / "r2").exists()


def test_a_part_written_before_a_column_was_added_reads_it_as_null(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    publish.publish(layout, run(layout, "r1", "a.txt"), "s1", keep=2)
    (old,) = (layout.curated / "files").rglob("*.parquet")
    pq.write_table(pq.read_table(old).drop_columns(["size"]), old)
    publish.publish(layout, run(layout, "r2", "b.txt"), "s2", keep=2)
    files = read_files(layout)
    assert files.schema == empty("files").schema
    assert files.get_column("size").is_null().to_list() == [True, False]


def test_a_part_written_with_a_column_since_dropped_reads_without_it(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    publish.publish(layout, run(layout, "r1", "a.txt"), "s1", keep=2)
    (old,) = (layout.curated / "files").rglob("*.parquet")
    table = pq.read_table(old)
    pq.write_table(table.append_column("signature", pa.array([[1, 2]], pa.large_list(pa.uint64()))), old)
    publish.publish(layout, run(layout, "r2", "b.txt"), "s2", keep=2)
    files = read_files(layout)
    assert files.schema == empty("files").schema
    assert files.get_column("source_path").to_list() == ["a.txt", "b.txt"]


def test_crash_before_the_swap_leaves_the_published_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = Layout(tmp_path)
    publish.publish(layout, run(layout, "r1", "a.txt"), "s1", keep=3)
    before = read_files(layout)
    staged = run(layout, "r2", "b.txt")

    def crash(self: Path, target: Path) -> None:
        raise OSError("disk vanished")

    monkeypatch.setattr(Path, "replace", crash)
    with pytest.raises(OSError, match="disk vanished"):
        publish.publish(layout, staged, "s2", keep=3)
    monkeypatch.undo()
    assert_frame_equal(read_files(layout), before)
    # the retry converges to the complete result
    publish.publish(layout, run(layout, "r2", "b.txt"), "s2", keep=3)
    assert read_files(layout).height == 2


def test_old_snapshots_are_collected(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    for i in range(5):
        publish.publish(layout, run(layout, f"r{i}", f"{i}.txt"), f"s{i}", keep=2)
    assert sorted(p.name for p in layout.snapshots.iterdir()) == ["s3", "s4"]
    assert read_files(layout).height == 5


def test_a_real_folder_named_curated_is_not_overwritten(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    (tmp_path / "curated").mkdir()
    with pytest.raises(publish.PublishError, match="not the symlink"):
        publish.publish(layout, run(layout, "r1", "a.txt"), "s1", keep=2)


def test_recover_removes_what_crashed_runs_left_and_nothing_else(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    publish.publish(layout, run(layout, "r1", "a.txt"), "s1", keep=3)
    run(layout, "crashed", "b.txt")  # staged, never published
    (layout.snapshots / ".building-s2" / "files").mkdir(parents=True)
    (layout.root / ".curated-s2").symlink_to(".snapshots/s1")
    blob = layout.quarantine_blob("ab" * 32)
    blob.parent.mkdir(parents=True)
    blob.with_name(blob.name + ".partial").write_bytes(b"half")
    blob.write_bytes(b"whole")
    before = content_checksums(layout)

    removed = publish.recover(layout)
    assert sorted(removed) == sorted(
        [".staging/crashed", ".snapshots/.building-s2", ".curated-s2", f"quarantine/ab/{'ab' * 32}.partial"]
    )
    assert content_checksums(layout) == before
    assert blob.read_bytes() == b"whole" and (layout.snapshots / "s1").is_dir()
    assert publish.recover(layout) == []


def test_stored_blob_is_rewritten_when_its_bytes_do_not_match(tmp_path: Path) -> None:
    import hashlib

    layout, raw = Layout(tmp_path / "out"), b"\x00 bad bytes"
    sha = hashlib.sha256(raw).hexdigest()
    layout.quarantine_blob(sha).parent.mkdir(parents=True)
    layout.quarantine_blob(sha).write_bytes(b"truncated")
    rows = pl.DataFrame({"source_path": ["x.txt"], "source_sha256": [sha], "raw": [raw]})
    kept = quarantine.store_quarantined(layout, LocalFolder(tmp_path), rows)
    assert kept.row(0) == ("x.txt", f"quarantine/{sha[:2]}/{sha}", sha)
    assert quarantine.blob_sha256(layout, kept.item(0, "blob_path")) == sha


def test_large_file_changed_after_reading_keeps_and_records_the_newer_bytes(tmp_path: Path) -> None:
    import hashlib

    from newsflow.load.quarantine import record_kept_bytes

    source, layout = tmp_path / "in", Layout(tmp_path / "out")
    source.mkdir()
    (source / "big.txt").write_bytes(b"version two, appended after the read")
    read_sha = hashlib.sha256(b"version one").hexdigest()
    rows = pl.DataFrame(
        {"source_path": ["big.txt"], "source_sha256": [read_sha], "raw": [None]}, schema_overrides={"raw": pl.Binary}
    )
    kept = quarantine.store_quarantined(layout, LocalFolder(source), rows)
    new_sha = hashlib.sha256((source / "big.txt").read_bytes()).hexdigest()
    assert kept.item(0, "kept_sha256") == new_sha
    assert quarantine.blob_sha256(layout, kept.item(0, "blob_path")) == new_sha

    tables = {
        "quarantine": pl.DataFrame(
            {"source_path": ["big.txt"], "source_sha256": [read_sha], "reason": ["too_large"], "detail": ["d"]}
        ),
        "files": pl.DataFrame({"source_path": ["big.txt"], "source_sha256": [read_sha], "status": ["quarantined"]}),
    }
    fixed = record_kept_bytes(tables, kept)
    assert fixed["files"].item(0, "source_sha256") == fixed["quarantine"].item(0, "source_sha256") == new_sha
    assert "changed before its bytes were kept" in fixed["quarantine"].item(0, "detail")
