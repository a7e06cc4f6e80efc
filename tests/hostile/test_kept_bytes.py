"""Keeping the bytes of a file too large to hold: the copy must find the file the ledger names.

These fail until ``publish.store_quarantined`` copies through ``sources.copy_source``
(which maps a stored ``source_path`` back to the real name and applies the same path
checks as reading) and treats a file gone since it was read as never read.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import polars as pl
import pytest

from newsflow.extract.local import LocalFolder, discover, read_files
from newsflow.load import quarantine
from newsflow.load.storage import Layout


def _quarantined(source: Path) -> pl.DataFrame:
    read = read_files(source, discover(source, "**/*.txt"), max_bytes=10)
    return read.select("source_path", "source_sha256", "raw")


def test_too_large_file_with_a_name_that_is_not_utf8_is_kept(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    try:
        (source / os.fsdecode(b"caf\xe9.txt")).write_bytes(b"x" * 100)
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    kept = quarantine.store_quarantined(Layout(tmp_path / "out"), LocalFolder(source), _quarantined(source))
    (blob,) = kept.get_column("blob_path").to_list()
    assert hashlib.sha256((tmp_path / "out" / blob).read_bytes()).hexdigest() == hashlib.sha256(b"x" * 100).hexdigest()


def test_too_large_file_deleted_before_its_bytes_are_kept_does_not_abort(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "big.txt").write_bytes(b"x" * 100)
    quarantined = _quarantined(source)
    (source / "big.txt").unlink()
    kept = quarantine.store_quarantined(Layout(tmp_path / "out"), LocalFolder(source), quarantined)
    assert kept.get_column("blob_path").to_list() == [None]
