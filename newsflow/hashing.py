"""Stable hashes: Polars expressions (Polars' own ``hash`` changes between versions) and file streams."""

from __future__ import annotations

import hashlib
import os
from typing import BinaryIO

import polars as pl
from polars_hash import CryptographicHashingNameSpace

ID_HEX_CHARS = 16
"""Identifiers are the first 64 bits of a SHA-256, in hex."""


def sha256_hex(value: pl.Expr) -> pl.Expr:
    """Full SHA-256 hex digest of a String or Binary expression."""
    return CryptographicHashingNameSpace(value).sha2_256()


def stable_id(value: pl.Expr) -> pl.Expr:
    """A short, stable identifier derived from content."""
    return sha256_hex(value).str.slice(0, ID_HEX_CHARS)


def sha256_stream(fd: int, *, copy_to: BinaryIO | None = None, chunk_bytes: int = 1 << 20) -> str:
    """SHA-256 hex of what remains to be read from ``fd``, in bounded memory; also written to ``copy_to``."""
    digest = hashlib.sha256()
    while chunk := os.read(fd, chunk_bytes):
        digest.update(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return digest.hexdigest()
