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
    """The file could not be opened or read: permissions, a symlink loop or broken symlink, an I/O error.
    ``detail`` names the error (``EACCES: Permission denied``, ``ELOOP: symlink loop ...``)."""
    OUTSIDE_SOURCE = "outside_source"
    """A symlink (or a path with ``..``) leading outside the source folder: never followed, never read."""
    NOT_A_FILE = "not_a_file"
    """A FIFO, socket or device matching the glob: never opened for reading (it could block or never end)."""
    VANISHED = "vanished"
    """Deleted (or renamed) between discovery and reading: nothing was read."""
    CHANGING = "changing"
    """Size or modification time changed between discovery and the end of reading: still being written.
    Nothing is kept (a partial read is not the file); the ledger keeps the size and time seen at
    discovery, so the next run reads the file again once it is stable."""
    TOO_LARGE = "too_large"
    """Larger than ``max_file_bytes``; hashed as a stream and copied to quarantine, never held in memory."""
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
    """More body paragraphs than ``max_paragraphs``; a file with more than twice as many blank-line
    separated blocks is rejected before parsing, which would cost seconds and a gigabyte for nothing."""


class DuplicateKind(StrEnum):
    EXACT = "exact"
    """Same canonical headline and body as a curated article."""
    NEAR = "near"
    """Word-shingle Jaccard similarity at or above ``near_duplicate_threshold`` (MinHash estimate)."""
