from __future__ import annotations

import polars as pl
import pytest

from newsflow.schemas import SCHEMAS, conform, data_dictionary
from tests.conftest import ROOT


def test_every_column_is_described() -> None:
    for table, schema in SCHEMAS.items():
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
