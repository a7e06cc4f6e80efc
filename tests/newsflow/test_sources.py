from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsflow.sources import SourceError, discover, glob_regex, read_files


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
        ("escape.txt", None, "unreadable"),
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


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file regardless of permissions")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("x")
    path.chmod(0)
    read = read_files(tmp_path, discover(tmp_path, "*.txt"), max_bytes=100)
    assert read.get_column("reason").to_list() == ["unreadable"]


def test_file_vanishing_between_discovery_and_read(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").write_text("x")
    listing = discover(tmp_path, "*.txt")
    (tmp_path / "gone.txt").unlink()
    read = read_files(tmp_path, listing, max_bytes=100)
    assert read.select("reason", "source_sha256").rows() == [("unreadable", None)]
