"""Machine-readable outcome codes. Every input file ends in exactly one status."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    CURATED = "curated"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


class Reason(StrEnum):
    """Why a file was quarantined. The values are stable: scripts match on them."""

    UNREADABLE = "unreadable"
    """The file could not be opened or read (permissions, vanished, not a regular file)."""
    TOO_LARGE = "too_large"
    """Larger than ``max_file_bytes``; not read, to keep memory bounded."""
    EMPTY = "empty"
    """Zero bytes."""
    WHITESPACE_ONLY = "whitespace_only"
    """Decodes to nothing but whitespace."""
    BINARY = "binary"
    """NUL bytes, control characters or a known binary/archive signature: not text."""
    MISSING_HEADLINE = "missing_headline"
    """No leading line short enough to be a headline."""
    EMPTY_BODY = "empty_body"
    """A headline but no body paragraph."""
    TOO_MANY_PARAGRAPHS = "too_many_paragraphs"
    """More body paragraphs than ``max_paragraphs``."""


class DuplicateKind(StrEnum):
    EXACT = "exact"
    """Same canonical headline and body as a curated article."""
    NEAR = "near"
    """Word-shingle Jaccard similarity at or above ``near_duplicate_threshold`` (MinHash estimate)."""
