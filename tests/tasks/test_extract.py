"""Task wiring that the flow tests do not pin down on their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.states import Failed

from newsflow.config import Settings
from newsflow.extract.local import LocalFolder
from newsflow.load.storage import Layout
from tasks.extract import discover_files, plan_reads
from tasks.retries import transient_io_error as _transient_io_error


@pytest.mark.parametrize(
    ("state", "retried"),
    [
        (Failed(data=OSError("NFS hiccup")), True),
        (Failed(data=PermissionError("denied")), True),
        (Failed(data=ValueError("bad data")), False),
    ],
)
def test_only_io_errors_are_retried(state: object, retried: bool) -> None:
    assert _transient_io_error(None, None, state) is retried


@pytest.mark.usefixtures("prefect_server")
def test_shards_cover_every_file_once(tmp_path: Path) -> None:
    for i in range(7):
        (tmp_path / f"{i}.txt").write_text(str(i))
    (tmp_path / "7.txt").write_text("7")
    settings = Settings(shard_size=2, window_files=3)
    listing = discover_files(LocalFolder(tmp_path, exclude=Layout(tmp_path / "out").own_folders()), settings)
    known = listing.head(2).with_columns(source_sha256=None).select("source_path", "source_sha256", "size", "mtime_ns")
    windows = plan_reads(listing, known, settings)
    assert [[s.height for s in window] for window in windows] == [[2, 1], [2, 1]]
    paths = [p for window in windows for s in window for p in s.get_column("source_path")]
    assert paths == [f"{i}.txt" for i in range(2, 8)]  # in path order: windows keep the first exact copy
