"""Reading the landing folder: discovery and per-shard reading (file I/O lives here).

Nothing outside the source folder is ever read: every path is resolved and checked
against the resolved source root before it is opened, and only regular files are
opened at all, without blocking (a FIFO would otherwise hang the run). A file is
read up to ``max_bytes + 1`` bytes, so one that grows while it is read cannot
exhaust memory, and its size and modification time are compared at discovery,
when opened and after reading: a file still being written is quarantined as
``changing`` (nothing kept: a partial read is not the file) and read again by the
next run once it is stable.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from newsflow.asset_keys import asset_key
from newsflow.extract.decode import decoded_columns
from newsflow.extract.paths import display_path, fs_path, glob_regex
from newsflow.extract.source import DISCOVERED, SourceError
from newsflow.hashing import sha256_stream
from newsflow.reasons import Reason

_CHUNK = 1 << 20
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC


def discover(root: Path, pattern: str, *, exclude: Collection[Path] = ()) -> pl.DataFrame:
    """Every file under ``root`` matching ``pattern``: ``source_path``, ``size``, ``mtime_ns``.

    ``source_path`` is relative and POSIX (see ``display_path`` for names that are
    not UTF-8). Symlinked folders are not descended into (no loops, no escapes);
    hidden names (leading '.') are skipped, as partial uploads usually are. A
    symlinked file is listed with its target's size and time (so a changed target is
    read again) and left to ``read_files`` to judge. Folders in ``exclude`` (the
    output's own folders, when the source contains them) are skipped. Folders are not listed, whatever
    their name, unless they cannot be walked (permissions): then the folder is listed
    so that ``read_files`` quarantines it rather than its files going unseen. FIFOs,
    sockets and devices are listed, and ``read_files`` quarantines them.
    """
    if not root.is_dir():
        raise SourceError(f"source folder {str(root)!r} does not exist or is not a folder")
    matcher = glob_regex(pattern)
    excluded = {path.resolve() for path in exclude}
    rows: dict[str, list[object]] = {name: [] for name in DISCOVERED}
    unlisted: list[OSError] = []
    # Names that are not UTF-8 arrive surrogate-escaped; display_path stores them readably.
    # Plain strings per file, not pathlib: Path objects alone cost seconds per hundred thousand files.
    top = os.fspath(root)
    for folder, dirnames, filenames in os.walk(top, onerror=unlisted.append, followlinks=False):
        here = Path(folder)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and (here / d).resolve() not in excluded)
        prefix = "" if folder == top else os.path.relpath(folder, top).replace(os.sep, "/") + "/"
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            relative = prefix + name
            if not matcher.match(relative):
                continue
            path = os.path.join(folder, name)  # noqa: PTH118 - see above
            try:
                info = os.stat(path)  # noqa: PTH116
            except OSError:
                try:
                    info = os.lstat(path)  # a broken symlink or a loop: listed, quarantined when read
                except OSError:
                    continue  # vanished between listing and stat: it was never seen
            rows["source_path"].append(display_path(os.fsencode(relative)))
            rows["size"].append(info.st_size)
            rows["mtime_ns"].append(info.st_mtime_ns)
    # A folder that cannot be listed would silently hide its files: list it, to be quarantined.
    for error in unlisted:
        unwalked = Path(os.fsdecode(error.filename))
        if unwalked == root:
            raise SourceError(f"cannot list source folder {str(root)!r}: {error.strerror}")
        rows["source_path"].append(display_path(os.fsencode(unwalked.relative_to(root).as_posix())))
        rows["size"].append(0)
        rows["mtime_ns"].append(0)
    return pl.DataFrame(rows, schema=DISCOVERED).sort("source_path")


@dataclass(frozen=True, slots=True)
class _Outcome:
    """One file's read: its bytes (None if not held), their SHA-256 (None if never read), or why it is rejected."""

    raw: bytes | None = None
    sha256: str | None = None
    reason: Reason | None = None
    detail: str | None = None


class _RejectError(Exception):
    """A file that cannot be read as a source file, with its quarantine reason."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def _file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    )
    return next((what for test, what in kinds if test(mode)), "not a regular file")


def _os_detail(exc: OSError) -> str:
    name = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    if exc.errno == errno.ELOOP:
        return f"{name}: symlink loop (too many levels of symbolic links)"
    return f"{name}: {exc.strerror or exc}"


def _resolve(root: str, relative: str) -> tuple[str, str]:
    """(path, real path) of ``relative`` under the resolved ``root``, refusing anything that leaves it.

    Strings, not ``Path``: this runs for every file read, holding the GIL while other shards parse.
    """
    if relative.startswith("/") or ".." in relative.split("/"):
        raise _RejectError(Reason.OUTSIDE_SOURCE, "path is absolute or has a '..' component; not followed")
    path = os.path.join(root, relative)  # noqa: PTH118 (see the docstring)
    # Not Path.resolve: on a symlink loop it raises; realpath leaves the loop inside, to fail when opened.
    target = os.path.realpath(path)
    if target != root and not target.startswith(root.rstrip(os.sep) + os.sep):
        raise _RejectError(Reason.OUTSIDE_SOURCE, "symlink resolves outside the source folder; not followed")
    return path, target


def _open_regular(path: str, target: str) -> tuple[int, os.stat_result]:
    """An fd on ``target``, which must be a regular file; a FIFO or device is never opened."""
    try:
        before = os.stat(target)  # noqa: PTH116 (strings: see _resolve)
        if stat.S_ISDIR(before.st_mode):  # only listed when it could not be walked
            raise _RejectError(Reason.UNREADABLE, "a folder that cannot be listed: the files in it are not seen")
        if not stat.S_ISREG(before.st_mode):
            raise _RejectError(Reason.NOT_A_FILE, f"{_file_kind(before.st_mode)}, not a regular file; not read")
        fd = os.open(target, _OPEN_FLAGS)
    except FileNotFoundError as exc:
        if os.path.islink(path):  # noqa: PTH114
            raise _RejectError(Reason.UNREADABLE, "broken symlink: its target does not exist") from exc
        raise _RejectError(Reason.VANISHED, "deleted between discovery and reading") from exc
    except OSError as exc:
        raise _RejectError(Reason.UNREADABLE, _os_detail(exc)) from exc
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):  # replaced between the check and the open
            raise _RejectError(Reason.NOT_A_FILE, f"{_file_kind(opened.st_mode)}, not a regular file; not read")
    except BaseException:
        os.close(fd)
        raise
    return fd, opened


def _open_source(root: Path, source_path: str) -> tuple[int, os.stat_result]:
    return _open_regular(*_resolve(os.fspath(root), os.fsdecode(fs_path(source_path))))


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = os.read(fd, min(remaining, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _version(info: os.stat_result) -> tuple[int, int]:
    return info.st_size, info.st_mtime_ns


def _changing(what: str) -> _Outcome:
    # Neither bytes nor hash are kept: a partial read is not the file, and a hash of the final
    # content in the ledger would make the next run skip the file as already ingested.
    return _Outcome(reason=Reason.CHANGING, detail=f"{what}: still being written; read again once stable")


def _read_open(fd: int, opened: os.stat_result, discovered: tuple[int, int], max_bytes: int) -> _Outcome:
    if _version(opened) != discovered:
        return _changing(f"changed since discovery ({discovered[0]} bytes then, {opened.st_size} when opened)")
    if opened.st_size > max_bytes:
        sha = sha256_stream(fd)
        if _version(os.fstat(fd)) != _version(opened):
            return _changing(f"over the {max_bytes}-byte limit and changed while being hashed")
        return _Outcome(sha256=sha, reason=Reason.TOO_LARGE, detail=f"{opened.st_size} bytes, limit {max_bytes}")
    raw = _read_at_most(fd, max_bytes + 1)
    if len(raw) > max_bytes:
        return _changing(f"grew past the {max_bytes}-byte limit while being read")
    if _version(os.fstat(fd)) != _version(opened) or len(raw) != opened.st_size:
        return _changing(f"changed while being read ({opened.st_size} bytes when opened, {len(raw)} read)")
    return _Outcome(raw, hashlib.sha256(raw).hexdigest())


def _read_one(root: Path, source_path: str, discovered: tuple[int, int], max_bytes: int) -> _Outcome:
    try:
        fd, opened = _open_source(root, source_path)
        try:
            return _read_open(fd, opened, discovered, max_bytes)
        finally:
            os.close(fd)
    except _RejectError as rejected:
        return _Outcome(reason=rejected.reason, detail=rejected.detail)
    except OSError as exc:  # an I/O error while reading: EIO, a file system gone away
        return _Outcome(reason=Reason.UNREADABLE, detail=_os_detail(exc))


def read_files(root: Path, listing: pl.DataFrame, *, max_bytes: int) -> pl.DataFrame:
    """Read and decode the files of ``listing``.

    Adds ``raw`` (bytes, null when not held), ``source_sha256`` (null when never
    read), ``text``, ``encoding``, ``reason`` and ``detail``. Never raises for a bad
    file: it gets a quarantine reason instead. ``size`` and ``mtime_ns`` stay as
    discovered, so a file quarantined as ``changing`` differs from the ledger once it
    is stable and is read again.
    """
    resolved_root = root.resolve()
    outcomes = [
        _read_one(resolved_root, relative, (size, mtime_ns), max_bytes)
        for relative, size, mtime_ns in listing.select("source_path", "size", "mtime_ns").iter_rows()
    ]
    raws = [outcome.raw for outcome in outcomes]
    decoded = decoded_columns(raws)
    decoded["reason"] = [str(o.reason) if o.reason else dec for o, dec in zip(outcomes, decoded["reason"], strict=True)]
    decoded["detail"] = [o.detail if o.reason else dec for o, dec in zip(outcomes, decoded["detail"], strict=True)]
    return listing.with_columns(
        pl.Series("raw", raws, dtype=pl.Binary),
        pl.Series("source_sha256", [o.sha256 for o in outcomes], dtype=pl.String),
        *(pl.Series(name, values, dtype=pl.String) for name, values in decoded.items()),
    )


def copy_source(root: Path, source_path: str, destination: Path) -> str:
    """Copy a source file to ``destination`` as a stream with the same path checks as reading; its SHA-256.

    For keeping the bytes of a file too large to hold in memory. Raises ``OSError``
    (``FileNotFoundError`` if it vanished) when it cannot be copied.
    """
    try:
        fd, _ = _open_source(root.resolve(), source_path)
    except _RejectError as rejected:
        raise OSError(errno.ENOENT if rejected.reason == Reason.VANISHED else errno.EACCES, rejected.detail) from None
    try:
        with destination.open("wb") as writer:
            sha = sha256_stream(fd, copy_to=writer)
    finally:
        os.close(fd)
    return sha


class LocalFolder:
    """A landing folder on this machine (``Source``): the functions above, bound to its root.

    ``exclude``: folders under the root that are not input (the output's own folders,
    when the output sits inside the source), never listed.
    """

    def __init__(self, root: Path, *, exclude: Sequence[Path] = ()) -> None:
        self.root, self.exclude = root, tuple(exclude)

    @property
    def uri(self) -> str:
        return asset_key(self.root)

    def discover(self, pattern: str) -> pl.DataFrame:
        return discover(self.root, pattern, exclude=self.exclude)

    def read(self, listing: pl.DataFrame, *, max_bytes: int) -> pl.DataFrame:
        return read_files(self.root, listing, max_bytes=max_bytes)

    def copy_raw(self, source_path: str, destination: Path) -> str:
        return copy_source(self.root, source_path, destination)
