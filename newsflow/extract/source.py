"""The source seam: where input files come from. Everything past a ``Source`` sees frames, never paths.

A source lists its files (``discover``), reads a shard of them (``read``: bytes,
SHA-256, decoded text or a quarantine reason per file, never an exception for a
bad file) and copies the bytes of a file too large to hold in memory, for
quarantine (``copy_raw``). ``LocalFolder`` (``newsflow.extract.local``) is the
landing folder on this machine; ``open_source`` picks the implementation for a
source string, so a new kind of source is one module and one line there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import polars as pl

from newsflow.extract.decode import decoded_columns

DISCOVERED = {"source_path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64}
"""The columns ``Source.discover`` lists, one row per file."""


class SourceError(OSError):
    """The source is missing, not a folder, or cannot be listed."""


class Source(Protocol):
    """Where a run's input files come from."""

    @property
    def uri(self) -> str:
        """The source as a URI: its Prefect asset key and what logs name it by."""
        ...

    def discover(self, pattern: str) -> pl.DataFrame:
        """Every file matching ``pattern`` (a '/'-separated glob, ``**`` for any folders): ``DISCOVERED``."""
        ...

    def read(self, listing: pl.DataFrame, *, max_bytes: int) -> pl.DataFrame:
        """The files of ``listing`` read and decoded: ``raw`` (null when not held), ``source_sha256`` (null
        when never read), ``text``, ``encoding``, ``reason``, ``detail``; a bad file gets a reason, not an
        exception."""
        ...

    def copy_raw(self, source_path: str, destination: Path) -> str:
        """Copy a file's bytes to ``destination`` as a stream; returns their SHA-256. Raises ``OSError``
        (``FileNotFoundError`` if it vanished) when it cannot be copied."""
        ...


def read_memory(files: Mapping[str, bytes]) -> pl.DataFrame:
    """What ``read_files`` yields, for files given as bytes (tests, benchmarks, other sources)."""
    raws = list(files.values())
    listing = pl.DataFrame(
        {"source_path": list(files), "size": [len(raw) for raw in raws], "mtime_ns": [0] * len(raws)},
        schema=DISCOVERED,
    )
    return listing.with_columns(
        pl.Series("raw", raws, dtype=pl.Binary),
        pl.Series("source_sha256", [hashlib.sha256(raw).hexdigest() for raw in raws], dtype=pl.String),
        *(pl.Series(name, values, dtype=pl.String) for name, values in decoded_columns(raws).items()),
    )


def open_source(location: str, *, exclude: Sequence[Path] = ()) -> Source:
    """The source a run reads: today a local folder (``exclude``: folders under it that are not input,
    such as the output's own)."""
    from newsflow.extract.local import LocalFolder

    return LocalFolder(Path(location), exclude=exclude)
