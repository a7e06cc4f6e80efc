"""The table registry is the one place a table is declared: everything else agrees with it."""

from __future__ import annotations

import re

from newsflow.quality.suites import EXPECTATIONS_DIR, load_suite
from newsflow.records import History
from newsflow.tables.registry import CURATED, HISTORY, PUBLISHED, REPLACED, STATE, TABLES
from newsflow.tables.schemas import LOG_SCHEMAS, SCHEMAS, STATE_SCHEMAS
from tests.conftest import ROOT


def test_every_curated_table_has_a_suite_and_no_suite_is_orphaned() -> None:
    assert sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json")) == sorted(CURATED)
    for table in CURATED:
        assert load_suite(table)["name"] == TABLES[table].suite


def test_every_schema_is_a_registered_table() -> None:
    assert set(SCHEMAS) | set(STATE_SCHEMAS) | set(LOG_SCHEMAS) == set(TABLES)


def test_keys_are_columns_of_the_schema() -> None:
    for table in TABLES.values():
        assert set(table.key) <= set(table.schema.names), table.name


def test_the_readme_lists_exactly_the_curated_tables() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Reading the tables") : readme.index("## What a run does")]
    assert re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE) == list(CURATED)


def test_history_is_the_registry_history() -> None:
    assert set(HISTORY) <= set(PUBLISHED)
    assert History.empty()["articles"].collect().columns == TABLES["articles"].schema.names
    assert set(CURATED) >= REPLACED and not set(STATE) & set(CURATED)


def test_the_architecture_page_names_every_package() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text()
    packages = sorted(p.parent.name for p in (ROOT / "newsflow").glob("*/__init__.py"))
    for package in packages:
        assert f"`newsflow/{package}/`" in page, package
