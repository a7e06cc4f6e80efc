"""The stored suites, run by Great Expectations on small tables built to break one rule each."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from newsflow.batch import History, assemble_run, process_shard
from newsflow.config import Settings
from newsflow.quality import Outcome, SuiteError, load_suite, suite_parameters, validate_run, validation_views
from newsflow.sources import read_memory

NO_IDS = pl.DataFrame(schema={"article_id": pl.String, "story_id": pl.String})


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    files = {"a.txt": b"Head\n\nOne.\n\nTwo.\n\nThree.\n", "b.txt": b"Other\n\nBody.\n", "c.txt": b""}
    run = assemble_run(
        [process_shard(read_memory(files), Settings())],
        History.empty(),
        run_id="r",
        ingested_at=datetime(2025, 1, 1, tzinfo=UTC),
        settings=Settings(),
    )
    out = dict(run.tables)
    out["quarantine"] = out["quarantine"].with_columns(blob_path=pl.lit("quarantine/x"))
    return out


def check(tables: dict[str, pl.DataFrame], tmp_path: Path, files_read: int = 3) -> Outcome:
    views = validation_views(tables, NO_IDS, {"quarantine/x": True})
    return validate_run(views, suite_parameters(tables, files_read, Settings()), docs_dir=tmp_path / "docs")


def test_valid_run_passes_and_builds_data_docs(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    outcome = check(tables, tmp_path)
    assert outcome.success, outcome.failures
    assert outcome.data_docs is not None and outcome.data_docs.is_file()
    assert set(outcome.tables) == {"articles", "paragraphs", "duplicates", "quarantine", "files", "stories"}


def test_repeated_paragraph_fails(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    paragraphs = tables["paragraphs"]
    repeated = paragraphs.head(1).with_columns(position=pl.col("position").max() + 1)
    broken = dict(tables, paragraphs=pl.concat([paragraphs, repeated]))
    outcome = check(broken, tmp_path)
    assert not outcome.success
    assert any("paragraph_hash" in f for f in outcome.failures)


def test_gap_in_positions_fails(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    broken = dict(tables, paragraphs=tables["paragraphs"].with_columns(position=pl.col("position") * 2))
    outcome = check(broken, tmp_path)
    assert any("expected_position" in f for f in outcome.failures)


def test_run_that_does_not_reconcile_fails(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    outcome = check(tables, tmp_path, files_read=4)
    assert [f for f in outcome.failures if f.startswith("files: expect_table_row_count_to_equal")]


def test_missing_quarantine_bytes_fail(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    views = validation_views(tables, NO_IDS, {"quarantine/x": False})
    outcome = validate_run(views, suite_parameters(tables, 3, Settings()), docs_dir=tmp_path / "docs")
    assert any("bytes_kept" in f for f in outcome.failures)


def test_suites_are_named_and_loadable(tmp_path: Path) -> None:
    for table in ("articles", "paragraphs", "duplicates", "quarantine", "files", "stories"):
        assert load_suite(table)["expectations"]
    (tmp_path / "articles.json").write_text("{not json")
    with pytest.raises(SuiteError, match="cannot read"):
        load_suite("articles", tmp_path)
