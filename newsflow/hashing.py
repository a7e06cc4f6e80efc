"""Stable hashes as Polars expressions (Polars' own ``hash`` changes between versions)."""

from __future__ import annotations

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
