from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newsflow.load.storage import Layout


def test_paths_stay_inside_the_output_folder(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    blob = layout.quarantine_blob("ab" + "0" * 62)
    assert blob.is_relative_to(tmp_path) and layout.relative(blob) == f"quarantine/ab/ab{'0' * 62}"
    part = layout.partition_file(layout.staging("run-1"), "files", date(2025, 1, 2), "run-1")
    assert layout.relative(part) == ".staging/run-1/files/ingest_date=2025-01-02/part-run-1.parquet"


@pytest.mark.parametrize("bad", ["../x", "a/b", "..", "", "x\ny"])
def test_unsafe_identifiers_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="not a safe identifier"):
        Layout(tmp_path).staging(bad)


def test_blob_names_must_be_digests(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        Layout(tmp_path).quarantine_blob("../../etc/passwd")


def test_unknown_table_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown table"):
        Layout(tmp_path).table("article")
