"""Snapshots you can use: listed, an older one read back, pruned without touching the current one."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.ingest import ingest
from newsflow.cli import main
from newsflow.load.snapshots import list_snapshots
from newsflow.load.storage import Layout
from tests.conftest import SEEDS

pytestmark = pytest.mark.usefixtures("prefect_server")


def _add(source: Path, name: str) -> None:
    (source / name).write_text(f"A headline about {name}\n\nA body paragraph about {name}, with details.\n")


def test_snapshots_are_listed_read_back_and_pruned_safely(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, output = tmp_path / "in", tmp_path / "out"
    shutil.copytree(SEEDS, source)
    layout = Layout(output)
    ingest(source=str(source), output=str(output))
    _add(source, "second.txt")
    ingest(source=str(source), output=str(output))

    listed = list_snapshots(layout)
    assert listed.height == 2 and listed.get_column("current").to_list() == [True, False]
    assert listed.get_column("articles").to_list() == [3, 2] and listed.get_column("files").to_list() == [3, 2]

    # the older snapshot, read on purpose, as the README shows
    older = listed.row(1, named=True)["snapshot_id"]
    glob = f"{output}/.snapshots/{older}/articles/**/*.parquet"
    assert duckdb.sql(f"select count(*) from read_parquet('{glob}')").fetchall() == [(2,)]
    assert pl.scan_parquet(glob).select(pl.len()).collect().item() == 2

    assert main(["snapshots", "--output", str(output)]) == 0
    printed = capsys.readouterr().out
    assert f"| * | {listed.row(0, named=True)['snapshot_id']} |" in printed and older in printed

    # keep_days keeps young snapshots beyond keep_snapshots; without it, only the newest are kept
    _add(source, "third.txt")
    ingest(source=str(source), output=str(output), settings={"keep_snapshots": 1, "keep_days": 1.0})
    assert list_snapshots(layout).height == 3
    _add(source, "fourth.txt")
    ingest(source=str(source), output=str(output), settings={"keep_snapshots": 1})
    [current] = list_snapshots(layout).iter_rows(named=True)
    assert current["current"] and current["articles"] == 5
    assert pl.scan_parquet(f"{output}/curated/articles/**/*.parquet").select(pl.len()).collect().item() == 5
