"""The tables of one small run, which the gate's tests break one rule at a time."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from newsflow.config import Settings
from newsflow.extract.source import read_memory
from newsflow.pipeline import assemble_run, process_shard
from newsflow.records import History


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    files = {
        "a.txt": b"Head\n\nThe first thing happened.\n\nThe second thing happened.\n\nThe third thing happened.\n",
        "b.txt": b"Other\n\nBody.\n",
        "c.txt": b"",
    }
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
