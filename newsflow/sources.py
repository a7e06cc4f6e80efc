"""Reading the landing folder: discovery and per-shard reading (file I/O lives here)."""

from __future__ import annotations

import hashlib
import os
import re
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


def read_files(root: Path, listing: pl.DataFrame, *, max_bytes: int) -> pl.DataFrame:
    """Read and decode the files of ``listing``.

    Adds ``raw`` (bytes, null when not read), ``source_sha256``, ``text``,
    ``encoding``, ``reason`` and ``detail``. Never raises for a bad file: it gets a
    quarantine reason instead.
    """
    resolved_root = root.resolve()
    raws: list[bytes | None] = []
    shas: list[str | None] = []
    texts: list[str | None] = []
    encodings: list[str | None] = []
    reasons: list[str | None] = []
    details: list[str | None] = []
    for relative, size in listing.select("source_path", "size").iter_rows():
        path = root / relative
        raw: bytes | None = None
        sha: str | None = None
        text = encoding = reason = detail = None
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
        if raw is not None:
            decoded = decode_bytes(raw)
            text, encoding, reason, detail = decoded.text, decoded.encoding, decoded.reason, decoded.detail
        raws.append(raw)
        shas.append(sha)
        texts.append(text)
        encodings.append(encoding)
        reasons.append(None if reason is None else str(reason))
        details.append(detail)
    return listing.with_columns(
        pl.Series("raw", raws, dtype=pl.Binary),
        pl.Series("source_sha256", shas, dtype=pl.String),
        pl.Series("text", texts, dtype=pl.String),
        pl.Series("encoding", encodings, dtype=pl.String),
        pl.Series("reason", reasons, dtype=pl.String),
        pl.Series("detail", details, dtype=pl.String),
    )
