"""The raw bytes of quarantined files, kept content-addressed under ``quarantine/``, and the rows that point
at them."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from newsflow.extract.source import Source
from newsflow.hashing import sha256_stream
from newsflow.load.atomic import commit, partial_for
from newsflow.load.storage import Layout


def _sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return sha256_stream(handle.fileno())


def blob_sha256(layout: Layout, blob_path: str) -> str | None:
    """SHA-256 of a kept blob (``blob_path`` relative to the output), or None if it is missing."""
    path = layout.root / blob_path
    return _sha256_file(path) if path.is_file() else None


def store_quarantined(layout: Layout, source: Source, quarantined: pl.DataFrame) -> pl.DataFrame:
    """Keep the raw bytes of quarantined files: ``source_path``, ``blob_path``, ``kept_sha256``.

    Blobs are content-addressed, so storing is idempotent and a crafted name
    cannot steer the write. A blob already there is reused only if its bytes still
    hash to its name. Files too large to hold in memory are copied as a stream and
    hashed as copied: ``kept_sha256`` differs from ``source_sha256`` when such a
    file changed after it was read, and is the hash of the bytes actually kept; it
    and ``blob_path`` are null when the file could no longer be copied at all.
    """
    paths: list[str | None] = []
    kept: list[str | None] = []
    for relative, sha, raw in quarantined.select("source_path", "source_sha256", "raw").iter_rows():
        if sha is None:
            paths.append(None)  # never read (vanished, unreadable, ...): nothing to keep
            kept.append(None)
            continue
        blob = layout.quarantine_blob(sha)
        if not (blob.is_file() and _sha256_file(blob) == sha):
            blob.parent.mkdir(parents=True, exist_ok=True)
            partial = partial_for(blob)
            if raw is not None:
                partial.write_bytes(raw)
            else:
                try:
                    copied = source.copy_raw(relative, partial)
                except OSError:
                    partial.unlink(missing_ok=True)
                    paths.append(None)  # gone or locked since it was read: nothing left to keep
                    kept.append(None)
                    continue
                if copied != sha:
                    sha, blob = copied, layout.quarantine_blob(copied)
                    blob.parent.mkdir(parents=True, exist_ok=True)
            commit(partial, blob)
        paths.append(layout.relative(blob))
        kept.append(sha)
    return quarantined.select("source_path").with_columns(
        pl.Series("blob_path", paths, dtype=pl.String), pl.Series("kept_sha256", kept, dtype=pl.String)
    )


def record_kept_bytes(tables: dict[str, pl.DataFrame], kept: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The tables with each quarantined file's ``blob_path``, from ``publish.store_quarantined``'s ``kept``.

    A file too large to hold in memory is hashed when read and copied later; if it
    changed in between, the ledger and the quarantine row take the hash of the bytes
    actually kept, so "kept bytes match their hash" holds, and the changed size and
    time make the next run read the file again. If it could not be copied at all
    (deleted meanwhile), its hash is cleared: the ledger never claims unkept bytes.
    """
    read = pl.col("source_sha256").is_not_null()
    lost = read & pl.col("kept_sha256").is_null()
    changed = read & (pl.col("kept_sha256") != pl.col("source_sha256"))
    quarantine = (
        tables["quarantine"]
        .join(kept, on="source_path", how="left")
        .with_columns(
            detail=pl.when(lost)
            .then(pl.format("{}; it vanished or became unreadable before its bytes could be kept", "detail"))
            .when(changed)
            .then(pl.format("{}; it changed before its bytes were kept: the newer bytes are kept", "detail"))
            .otherwise("detail"),
            # The ledger records the bytes kept; none kept means, to the next run, never read.
            source_sha256="kept_sha256",
        )
        .drop("kept_sha256")
    )
    files = tables["files"].update(quarantine.select("source_path", "source_sha256"), on="source_path", how="left")
    return {**tables, "quarantine": quarantine, "files": files}
