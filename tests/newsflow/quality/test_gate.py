"""The stored suites, run by Great Expectations on small tables built to break one rule each."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from newsflow.config import Settings
from newsflow.quality.gate import Gate, Outcome
from newsflow.quality.suites import EXPECTATIONS_DIR, SuiteError, load_suite
from newsflow.quality.views import suite_parameters, validation_views

NO_IDS = pl.DataFrame(schema={"article_id": pl.String, "story_id": pl.String, "source_path": pl.String})
NONE_RETRACTED = pl.Series("article_id", [], dtype=pl.String)


def kept_hash(tables: dict[str, pl.DataFrame]) -> dict[str, str | None]:
    """The blob of the quarantined file, as if stored intact."""
    return {"quarantine/x": tables["quarantine"].get_column("source_sha256").item()}


def validate_run(
    views: dict[str, pl.DataFrame], parameters: dict[str, Any], *, docs_dir: Path, suites_dir: Path = EXPECTATIONS_DIR
) -> Outcome:
    """A one-off gate over one run's views."""
    return Gate(docs_dir=docs_dir, suites_dir=suites_dir).validate(views, parameters)


def check(
    tables: dict[str, pl.DataFrame],
    tmp_path: Path,
    *,
    seen: int = 3,
    skipped: int = 0,
    blobs: dict[str, str | None] | None = None,
    published: pl.DataFrame = NO_IDS,
    retracted: pl.Series = NONE_RETRACTED,
) -> Outcome:
    views = validation_views(tables, published, kept_hash(tables) if blobs is None else blobs, retracted=retracted)
    parameters = suite_parameters(tables, files_seen=seen, files_skipped=skipped, settings=Settings())
    return validate_run(views, parameters, docs_dir=tmp_path / "docs")


def test_valid_run_passes_and_builds_data_docs(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    outcome = check(tables, tmp_path)
    assert outcome.success, outcome.failures
    assert outcome.data_docs is not None and outcome.data_docs.is_file()
    assert set(outcome.tables) == {
        "articles",
        "paragraphs",
        "duplicates",
        "quarantine",
        "files",
        "stories",
        "article_versions",
        "retractions",
    }


def test_a_retracted_article_is_never_current(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    article = tables["articles"].get_column("article_id").head(1)
    outcome = check(tables, tmp_path, retracted=article)
    assert not outcome.success
    assert any("retracted" in f for f in outcome.failures)


def test_a_ledger_row_names_a_version_the_tables_hold(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    # A curated row whose bytes are not those of the article: the ledger and the tables disagree.
    files = tables["files"].with_columns(
        source_sha256=pl.when(pl.col("status") == "curated").then(pl.lit("0" * 64)).otherwise("source_sha256")
    )
    outcome = check(dict(tables, files=files), tmp_path)
    assert not outcome.success
    assert any("accounted" in f for f in outcome.failures)


def test_a_file_has_one_current_article(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    # Another article from the same file is already published: the new one would sit beside it.
    path = tables["articles"].get_column("source_path").item(0)
    older = pl.DataFrame({"article_id": ["0123456789abcdef"], "story_id": ["0123456789abcdef"], "source_path": [path]})
    outcome = check(tables, tmp_path, published=older)
    assert not outcome.success
    assert any("path_current_once" in f for f in outcome.failures)


def test_an_earlier_version_is_not_current(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    current = tables["articles"].drop("ingested_at", "run_id").head(1)
    at = datetime(2025, 1, 2, tzinfo=UTC)
    version = current.with_columns(
        change=pl.lit("corrected"),
        superseded_by=pl.lit("0123456789abcdef"),
        valid_from=pl.lit(at),
        valid_to=pl.lit(at),
        ingested_at=pl.lit(at),
        run_id=pl.lit("r"),
    )
    outcome = check(dict(tables, article_versions=version), tmp_path)
    assert not outcome.success
    assert any("not_current" in f for f in outcome.failures)


def test_repeated_paragraph_fails(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    paragraphs = tables["paragraphs"]
    repeated = paragraphs.head(1).with_columns(position=pl.col("position").max() + 1)
    broken = dict(tables, paragraphs=pl.concat([paragraphs, repeated]))
    outcome = check(broken, tmp_path)
    assert not outcome.success
    assert any("repeated_prose" in f for f in outcome.failures)


def test_a_repeated_row_of_figures_passes(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    paragraphs = tables["paragraphs"]
    row = paragraphs.head(1).with_columns(text=pl.lit("Shr nil vs nil"), paragraph_hash=pl.lit("0123456789abcdef"))
    again = row.with_columns(position=pl.col("position") + 1)
    shifted = paragraphs.with_columns(position=pl.col("position") + 2)
    article = paragraphs.get_column("article_id").item(0)
    rows = pl.concat([row, again, shifted]).filter(pl.col("article_id") == article)
    articles = tables["articles"].with_columns(
        paragraph_count=pl.when(pl.col("article_id") == article).then(rows.height).otherwise("paragraph_count")
    )
    other = paragraphs.filter(pl.col("article_id") != article)
    outcome = check(dict(tables, articles=articles, paragraphs=pl.concat([rows, other])), tmp_path)
    assert outcome.success, outcome.failures


def test_gap_in_positions_fails(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    broken = dict(tables, paragraphs=tables["paragraphs"].with_columns(position=pl.col("position") * 2))
    outcome = check(broken, tmp_path)
    assert any("expected_position" in f for f in outcome.failures)


@pytest.mark.parametrize(("seen", "skipped"), [(4, 0), (5, 1), (3, 1)])
def test_run_that_does_not_reconcile_fails(
    tables: dict[str, pl.DataFrame], tmp_path: Path, seen: int, skipped: int
) -> None:
    outcome = check(tables, tmp_path, seen=seen, skipped=skipped)
    assert [f for f in outcome.failures if f.startswith("files: expect_table_row_count_to_equal")]


def test_skipped_files_reconcile(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    assert check(tables, tmp_path, seen=10, skipped=7).success


@pytest.mark.parametrize("stored", [None, "0" * 64], ids=["missing", "other-bytes"])
def test_quarantine_bytes_missing_or_not_matching_fail(
    tables: dict[str, pl.DataFrame], tmp_path: Path, stored: str | None
) -> None:
    outcome = check(tables, tmp_path, blobs={"quarantine/x": stored})
    assert any("bytes_kept" in f for f in outcome.failures)


def test_suites_are_named_and_loadable(tmp_path: Path) -> None:
    for table in ("articles", "paragraphs", "duplicates", "quarantine", "files", "stories"):
        assert load_suite(table)["expectations"]
    (tmp_path / "articles.json").write_text("{not json")
    with pytest.raises(SuiteError, match="cannot read"):
        load_suite("articles", tmp_path)


def test_a_windowed_run_passes_only_when_every_window_passed() -> None:
    passed = Outcome(success=True, evaluated=10, tables={"articles": True, "files": True})
    failed = Outcome(success=False, evaluated=10, tables={"articles": False, "files": True}, failures=["articles: x"])
    combined = Outcome.combine([passed, failed, passed])
    assert (combined.success, combined.evaluated, combined.failures) == (False, 30, ["articles: x"])
    assert combined.tables == {"articles": False, "files": True}
    assert Outcome.combine([passed, passed]).success


def test_the_stories_view_holds_the_stories_this_run_created_or_grew(tables: dict[str, pl.DataFrame]) -> None:
    (story,) = tables["articles"].get_column("story_id").unique().head(1)
    published = pl.DataFrame(
        {"article_id": ["old1", "old2"], "story_id": [story, "untouched"], "source_path": ["o1", "o2"]}
    )
    untouched = tables["stories"].head(1).with_columns(story_id=pl.lit("untouched"), article_count=pl.lit(1))
    stories = pl.concat([tables["stories"], untouched])
    view = validation_views({**tables, "stories": stories}, published, kept_hash(tables), retracted=NONE_RETRACTED)[
        "stories"
    ]
    assert set(view.get_column("story_id")) == set(tables["articles"].get_column("story_id"))
    # A grown story is counted with its published members.
    grown = view.filter(pl.col("story_id") == story)
    members = tables["articles"].filter(pl.col("story_id") == story).height + 1
    assert grown.get_column("counted_articles").to_list() == [members]


def test_one_gate_validates_each_window_on_its_own_and_documents_them_all(
    tables: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    gate = Gate(docs_dir=tmp_path / "docs")
    views = validation_views(tables, NO_IDS, kept_hash(tables), retracted=NONE_RETRACTED)
    parameters = suite_parameters(tables, files_seen=3, files_skipped=0, settings=Settings())
    first = gate.validate(views, parameters, run_name="window-1")
    broken = {**views, "paragraphs": views["paragraphs"].with_columns(position=pl.col("position") * 2)}
    second = gate.validate(broken, parameters, run_name="window-2")
    third = gate.validate(views, parameters, run_name="window-3")
    assert (first.success, second.success, third.success) == (True, False, True)
    assert third.evaluated == first.evaluated and not third.failures
    assert third.data_docs is not None
    index = third.data_docs.read_text(encoding="utf-8")
    assert all(f"window-{n}" in index for n in (1, 2, 3))
    with pytest.raises(ValueError, match="no view of table"):
        gate.validate({k: v for k, v in views.items() if k != "files"}, parameters)
