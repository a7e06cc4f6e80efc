from __future__ import annotations

import polars as pl
import pytest

from newsflow.tables.dictionary import conform, data_dictionary, polars_schema
from newsflow.tables.registry import TABLES
from tests.conftest import ROOT

ALL_SCHEMAS = {name: table.schema for name, table in TABLES.items()}


def test_every_column_is_described() -> None:
    for table, schema in ALL_SCHEMAS.items():
        assert (schema.metadata or {}).get(b"description"), table
        for field in schema:
            assert (field.metadata or {}).get(b"description"), f"{table}.{field.name}"


def test_data_dictionary_in_docs_is_current() -> None:
    assert (ROOT / "docs" / "data-dictionary.md").read_text() == data_dictionary(), (
        "regenerate with: uv run newsflow docs --write docs/data-dictionary.md"
    )


def test_conform_names_missing_columns() -> None:
    with pytest.raises(KeyError, match="article_id"):
        conform(pl.DataFrame({"position": [1]}), "paragraphs")


@pytest.mark.parametrize("table", sorted(ALL_SCHEMAS))
def test_polars_schema_is_what_polars_makes_of_the_arrow_schema(table: str) -> None:
    from_arrow = pl.from_arrow(ALL_SCHEMAS[table].empty_table())
    assert isinstance(from_arrow, pl.DataFrame)
    assert polars_schema(table) == from_arrow.schema
