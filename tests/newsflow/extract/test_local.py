from __future__ import annotations

import hashlib
import os
import socket
import tempfile
from pathlib import Path

import polars as pl
import pytest

from newsflow.extract.local import copy_source, discover, read_files
from newsflow.extract.paths import display_path, fs_path, glob_regex
from newsflow.extract.source import SourceError
from newsflow.windows import plan_windows
from tests.hostile.corpus import permissions_enforced


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("**/*.txt", "a.txt", True),
        ("**/*.txt", "x/y/a.txt", True),
        ("**/*.txt", "a.txt.gz", False),
        ("*.txt", "x/a.txt", False),
        ("news/**/*.md", "news/a/b.md", True),
        ("news/**/*.md", "other/a.md", False),
        ("?.txt", "ab.txt", False),
    ],
)
def test_glob(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(pattern).match(path)) is matches


def test_discover_is_recursive_relative_and_safe(tmp_path: Path) -> None:
    root, outside = tmp_path / "in", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (root / "a.txt").write_text("a")
    (root / "sub" / "b.txt").write_text("b")
    (root / ".partial.txt").write_text("hidden")
    (root / "dir.txt").mkdir()
    (root / "escape.txt").symlink_to(outside / "secret.txt")
    (root / "linked-dir").symlink_to(outside, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    listing = discover(root, "**/*.txt")
    assert listing.get_column("source_path").to_list() == ["a.txt", "escape.txt", "sub/b.txt"]

    read = read_files(root, listing, max_bytes=100).sort("source_path")
    assert read.select("source_path", "text", "reason").rows() == [
        ("a.txt", "a", None),
        ("escape.txt", None, "outside_source"),
        ("sub/b.txt", "b", None),
    ]
    assert read.filter(source_path="escape.txt").get_column("raw").item() is None  # never read


def test_missing_source_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        discover(tmp_path / "nope", "**/*.txt")


def test_too_large_is_hashed_not_loaded(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"x" * 1000)
    read = read_files(tmp_path, discover(tmp_path, "*.txt"), max_bytes=999)
    row = read.row(0, named=True)
    assert (row["reason"], row["raw"]) == ("too_large", None)
    assert row["source_sha256"] is not None and len(row["source_sha256"]) == 64


def test_unreadable_file(tmp_path: Path) -> None:
    if not permissions_enforced(tmp_path):
        pytest.skip("root (CAP_DAC_OVERRIDE) reads any file regardless of permissions")
    path = tmp_path / "locked.txt"
    path.write_text("x")
    path.chmod(0)
    read = read_files(tmp_path, discover(tmp_path, "*.txt"), max_bytes=100)
    assert read.select("reason", "source_sha256").rows() == [("unreadable", None)]
    assert "EACCES" in read.get_column("detail").item()


def test_file_vanishing_between_discovery_and_read(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").write_text("x")
    listing = discover(tmp_path, "*.txt")
    (tmp_path / "gone.txt").unlink()
    read = read_files(tmp_path, listing, max_bytes=100)
    assert read.select("reason", "source_sha256", "raw").rows() == [("vanished", None, None)]


def _read_one(root: Path, listing: pl.DataFrame, max_bytes: int = 1_000) -> dict[str, object]:
    return read_files(root, listing, max_bytes=max_bytes).row(0, named=True)


def test_file_growing_between_discovery_and_read_is_changing_and_nothing_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "grow.txt"
    path.write_bytes(b"Headline\n\nFirst part.")
    listing = discover(tmp_path, "*.txt")
    with path.open("ab") as handle:
        handle.write(b" Second part.")
    row = _read_one(tmp_path, listing)
    # No hash: had the ledger the final content's hash, the next run would skip the file as known.
    assert (row["reason"], row["raw"], row["source_sha256"], row["text"]) == ("changing", None, None, None)
    assert row["size"] == len(b"Headline\n\nFirst part.")  # the size seen at discovery, for the ledger
    assert "changed since discovery (21 bytes then, 34 when opened)" in str(row["detail"])

    # Once stable, a new discovery reads it normally.
    again = _read_one(tmp_path, discover(tmp_path, "*.txt"))
    assert (again["reason"], again["raw"]) == (None, b"Headline\n\nFirst part. Second part.")


def test_file_growing_past_the_limit_is_changing_and_never_held(tmp_path: Path) -> None:
    path = tmp_path / "grow.txt"
    path.write_bytes(b"x" * 50)
    listing = discover(tmp_path, "*.txt")
    path.write_bytes(b"x" * 5_000)
    row = _read_one(tmp_path, listing, max_bytes=100)
    assert (row["reason"], row["raw"], row["source_sha256"]) == ("changing", None, None)


def test_file_replaced_with_same_size_and_new_time_is_changing(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"one")
    listing = discover(tmp_path, "*.txt")
    path.write_bytes(b"two")
    os.utime(path, ns=(0, listing.get_column("mtime_ns").item() + 1_000_000_000))
    assert _read_one(tmp_path, listing)["reason"] == "changing"


def test_fifo_and_socket_are_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # opening it for reading without O_NONBLOCK would block forever
    with tempfile.TemporaryDirectory(dir="/tmp") as short:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(f"{short}/s")
        server.close()
        Path(short, "s").replace(tmp_path / "socket.txt")
    read = read_files(tmp_path, discover(tmp_path, "*.txt"), max_bytes=100).sort("source_path")
    assert read.select("source_path", "reason", "raw", "source_sha256").rows() == [
        ("pipe.txt", "not_a_file", None, None),
        ("socket.txt", "not_a_file", None, None),
    ]
    assert read.get_column("detail").to_list() == [
        "a FIFO (named pipe), not a regular file; not read",
        "a socket, not a regular file; not read",
    ]


def test_symlinks_loops_broken_and_inside(tmp_path: Path) -> None:
    root, outside = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (root / "target.txt").write_text("target")
    (root / "inside.txt").symlink_to("target.txt")
    (root / "dotdot.txt").symlink_to("../out/secret.txt")
    (root / "absolute.txt").symlink_to(outside / "secret.txt")
    (root / "loop-a.txt").symlink_to("loop-b.txt")
    (root / "loop-b.txt").symlink_to("loop-a.txt")
    (root / "broken.txt").symlink_to("nothing.txt")
    read = read_files(root, discover(root, "*.txt"), max_bytes=100).sort("source_path")
    outcomes = {path: (reason, raw) for path, reason, raw in read.select("source_path", "reason", "raw").rows()}
    assert outcomes == {
        "absolute.txt": ("outside_source", None),
        "broken.txt": ("unreadable", None),
        "dotdot.txt": ("outside_source", None),
        "inside.txt": (None, b"target"),
        "loop-a.txt": ("unreadable", None),
        "loop-b.txt": ("unreadable", None),
        "target.txt": (None, b"target"),
    }
    details = dict(read.select("source_path", "detail").rows())
    assert "ELOOP" in str(details["loop-a.txt"]) and "broken symlink" in str(details["broken.txt"])


def test_symlinked_file_is_listed_with_its_targets_size_and_time(tmp_path: Path) -> None:
    (tmp_path / "target.txt").write_text("a longer target")
    (tmp_path / "link.txt").symlink_to("target.txt")
    listing = discover(tmp_path, "*.txt").sort("source_path")
    # The ledger then notices when the target changes, and reading compares like with like.
    assert listing.get_column("size").to_list() == [15, 15]


def test_a_listing_cannot_climb_out_of_the_source(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    listing = pl.DataFrame({"source_path": ["../secret.txt", "/etc/passwd"], "size": [6, 1], "mtime_ns": [0, 0]})
    read = read_files(root, listing, max_bytes=100)
    assert read.select("reason", "raw", "source_sha256").rows() == [("outside_source", None, None)] * 2


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        (b"plain.txt", "plain.txt"),
        (b"with spaces.txt", "with spaces.txt"),
        ("caf\u00e9 \u65e5\u672c.txt".encode(), "caf\u00e9 \u65e5\u672c.txt"),
        (b"-rf --help.txt", "-rf --help.txt"),
        (b"new\nline.txt", "new\\x0aline.txt"),
        (b"back\\slash.txt", "back\\x5cslash.txt"),
        (b"latin1-caf\xe9.txt", "latin1-caf\\xe9.txt"),
    ],
)
def test_any_file_name_is_stored_readably_and_read(tmp_path: Path, name: bytes, stored: str) -> None:
    assert display_path(name) == stored and fs_path(stored) == name
    try:
        (tmp_path / os.fsdecode(name)).write_bytes(b"content")
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    read = read_files(tmp_path, discover(tmp_path, "*.txt"), max_bytes=100)
    assert read.select("source_path", "raw", "reason").rows() == [(stored, b"content", None)]


def test_folder_named_like_a_file_is_not_listed_but_entered(tmp_path: Path) -> None:
    (tmp_path / "x.txt").mkdir()
    (tmp_path / "x.txt" / "inner.txt").write_text("inner")
    assert discover(tmp_path, "**/*.txt").get_column("source_path").to_list() == ["x.txt/inner.txt"]


def test_copy_source_streams_with_the_same_checks(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "big.txt").write_bytes(b"y" * 3_000_000)
    (root / "escape.txt").symlink_to(tmp_path / "big-outside.txt")
    (tmp_path / "big-outside.txt").write_bytes(b"z")
    copied = tmp_path / "copy"
    assert copy_source(root, "big.txt", copied) == hashlib.sha256(b"y" * 3_000_000).hexdigest()
    assert copied.read_bytes() == b"y" * 3_000_000
    with pytest.raises(OSError, match="outside the source"):
        copy_source(root, "escape.txt", tmp_path / "never")
    with pytest.raises(FileNotFoundError):
        copy_source(root, "gone.txt", tmp_path / "never")


def test_folder_that_cannot_be_listed_is_reported_not_silently_skipped(tmp_path: Path) -> None:
    if not permissions_enforced(tmp_path):
        pytest.skip("root (CAP_DAC_OVERRIDE) lists any folder regardless of permissions")
    (tmp_path / "a.txt").write_text("a")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "hidden.txt").write_text("never seen")
    locked.chmod(0)
    try:
        listing = discover(tmp_path, "**/*.txt")
        assert listing.get_column("source_path").to_list() == ["a.txt", "locked"]
        read = read_files(tmp_path, listing, max_bytes=100).filter(source_path="locked")
        assert read.select("reason", "source_sha256").rows() == [("unreadable", None)]
        assert "cannot be listed" in read.get_column("detail").item()
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize(("files", "shard_size", "window_files"), [(0, 3, 5), (7, 3, 5), (10, 2, 5), (4, 10, 1)])
def test_windows_cut_the_listing_in_path_order_without_loss(files: int, shard_size: int, window_files: int) -> None:
    listing = pl.DataFrame({"source_path": [f"{i:03d}.txt" for i in range(files)]})
    windows = plan_windows(listing, shard_size=shard_size, window_files=window_files)
    assert all(1 <= sum(s.height for s in window) <= window_files for window in windows)
    assert all(1 <= s.height <= shard_size for window in windows for s in window)
    assert [p for window in windows for s in window for p in s.get_column("source_path")] == listing[
        "source_path"
    ].to_list()
