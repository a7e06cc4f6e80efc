"""Reading the landing folder: discovery and per-shard reading (file I/O lives here)."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl

from newsflow.decode import decode_bytes
from newsflow.reasons import Reason


class SourceError(OSError):
    """The source folder is missing or not a folder."""


_DISCOVERED = {"source_path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64}


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A regex for a '/'-separated glob where ``**`` spans any number of folders."""
    parts: list[str] = []
    for component in pattern.strip("/").split("/"):
        if component == "**":
            parts.append("(?:[^/]+/)*")
            continue
        piece = ""
        for char in component:
            piece += "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char)
        parts.append(piece + "/")
    return re.compile("".join(parts).removesuffix("/") + r"\Z", re.DOTALL)


def discover(root: Path, pattern: str, *, exclude: Path | None = None) -> pl.DataFrame:
    """Every file under ``root`` matching ``pattern``: ``source_path``, ``size``, ``mtime_ns``.

    Symlinked folders are not descended into (no loops, no escapes); hidden names
    (leading '.') are skipped, as partial uploads usually are. A symlinked file is
    listed and left to ``read_files`` to judge. ``exclude`` (the output folder when
    it sits inside the source) is skipped.
    """
    if not root.is_dir():
        raise SourceError(f"source folder {str(root)!r} does not exist or is not a folder")
    matcher = glob_regex(pattern)
    excluded = exclude.resolve() if exclude else None
    rows: dict[str, list[object]] = {name: [] for name in _DISCOVERED}
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(folder)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and (here / d).resolve() != excluded)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            relative = path.relative_to(root).as_posix()
            if not matcher.match(relative):
                continue
            try:
                stat = path.lstat()
            except OSError:
                continue  # vanished between listing and stat: it was never seen
            rows["source_path"].append(relative)
            rows["size"].append(stat.st_size)
            rows["mtime_ns"].append(stat.st_mtime_ns)
    return pl.DataFrame(rows, schema=_DISCOVERED)


def _stream_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _decoded_columns(raws: Sequence[bytes | None]) -> dict[str, list[str | None]]:
    columns: dict[str, list[str | None]] = {"text": [], "encoding": [], "reason": [], "detail": []}
    for raw in raws:
        decoded = decode_bytes(raw) if raw is not None else None
        columns["text"].append(decoded.text if decoded else None)
        columns["encoding"].append(decoded.encoding if decoded else None)
        columns["reason"].append(str(decoded.reason) if decoded and decoded.reason else None)
        columns["detail"].append(decoded.detail if decoded else None)
    return columns


def read_memory(files: Mapping[str, bytes]) -> pl.DataFrame:
    """What ``read_files`` yields, for files given as bytes (tests, benchmarks, other sources)."""
    raws = list(files.values())
    listing = pl.DataFrame(
        {"source_path": list(files), "size": [len(raw) for raw in raws], "mtime_ns": [0] * len(raws)},
        schema=_DISCOVERED,
    )
    return listing.with_columns(
        pl.Series("raw", raws, dtype=pl.Binary),
        pl.Series("source_sha256", [hashlib.sha256(raw).hexdigest() for raw in raws], dtype=pl.String),
        *(pl.Series(name, values, dtype=pl.String) for name, values in _decoded_columns(raws).items()),
    )


def read_files(root: Path, listing: pl.DataFrame, *, max_bytes: int) -> pl.DataFrame:
    """Read and decode the files of ``listing``.

    Adds ``raw`` (bytes, null when not read), ``source_sha256``, ``text``,
    ``encoding``, ``reason`` and ``detail``. Never raises for a bad file: it gets a
    quarantine reason instead.
    """
    resolved_root = root.resolve()
    raws: list[bytes | None] = []
    shas: list[str | None] = []
    reasons: list[str | None] = []
    details: list[str | None] = []
    for relative, size in listing.select("source_path", "size").iter_rows():
        path = root / relative
        raw: bytes | None = None
        sha = reason = detail = None
        try:
            target = path.resolve(strict=True)
            if not target.is_relative_to(resolved_root):
                reason, detail = Reason.UNREADABLE, "symlink points outside the source folder; not followed"
            elif not target.is_file():
                reason, detail = Reason.UNREADABLE, "not a regular file"
            elif size > max_bytes:
                sha = _stream_sha256(target)
                reason, detail = Reason.TOO_LARGE, f"{size} bytes, limit {max_bytes}"
            else:
                raw = target.read_bytes()
                sha = hashlib.sha256(raw).hexdigest()
        except (OSError, RuntimeError) as exc:  # RuntimeError: symlink loop on some Pythons
            reason, detail = Reason.UNREADABLE, f"{type(exc).__name__}: {exc}"
        raws.append(raw)
        shas.append(sha)
        reasons.append(None if reason is None else str(reason))
        details.append(detail)
    decoded = _decoded_columns(raws)
    decoded["reason"] = [read or dec for read, dec in zip(reasons, decoded["reason"], strict=True)]
    decoded["detail"] = [read or dec for read, dec in zip(details, decoded["detail"], strict=True)]
    return listing.with_columns(
        pl.Series("raw", raws, dtype=pl.Binary),
        pl.Series("source_sha256", shas, dtype=pl.String),
        *(pl.Series(name, values, dtype=pl.String) for name, values in decoded.items()),
    )
