"""Files appear whole or not at all: written beside their final name, flushed to disk, then renamed over it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def partial_for(path: Path, *, hidden: bool = False) -> Path:
    """Where ``path`` is written before it is committed (``.<name>.partial`` when ``hidden``: a reader's glob
    of ``*.parquet`` never matches it either way)."""
    return path.with_name(f".{path.name}.partial" if hidden else f"{path.name}.partial")


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit(partial: Path, path: Path) -> None:
    """Flush ``partial`` to disk and rename it to ``path``: a crash leaves the old file or the new one."""
    fd = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    partial.replace(path)


def write_atomically(path: Path, write: Callable[[Path], object], *, hidden: bool = False) -> None:
    """``write`` the file at a partial path, then ``commit`` it as ``path``; a failed write leaves nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_for(path, hidden=hidden)
    try:
        write(partial)
        commit(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
