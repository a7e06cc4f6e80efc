"""Machine-readable outcome codes, each with its meaning. Every input file ends in exactly one status.

The meanings generate the data dictionary's code tables (``newsflow docs``), and the
code sets reach the quality suites as parameters: a new code is one member and one
``MEANINGS`` entry here.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    CURATED = "curated"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"
    RETRACTED = "retracted"
    SUPERSEDED = "superseded"


class Reason(StrEnum):
    """Why a file was quarantined. The values are stable: scripts match on them."""

    UNREADABLE = "unreadable"
    OUTSIDE_SOURCE = "outside_source"
    NOT_A_FILE = "not_a_file"
    VANISHED = "vanished"
    CHANGING = "changing"
    TOO_LARGE = "too_large"
    EMPTY = "empty"
    WHITESPACE_ONLY = "whitespace_only"
    BINARY = "binary"
    MISSING_HEADLINE = "missing_headline"
    EMPTY_BODY = "empty_body"
    TOO_MANY_PARAGRAPHS = "too_many_paragraphs"


class DuplicateKind(StrEnum):
    EXACT = "exact"
    NEAR = "near"


MEANINGS: dict[StrEnum, str] = {
    Status.CURATED: "a distinct article, in `articles`",
    Status.DUPLICATE: "repeats a curated article, in `duplicates`",
    Status.QUARANTINED: "rejected with a reason, in `quarantine`",
    Status.RETRACTED: "its article is retracted (`newsflow retract`): in `retractions`, not curated again",
    Status.SUPERSEDED: "an earlier version of a file that changed since: the later version took its place; an "
    "article's earlier text is in `article_versions`",
    Reason.UNREADABLE: "could not be read: permissions, a symlink loop, a broken symlink, an I/O error "
    "(`detail` names the error)",
    Reason.OUTSIDE_SOURCE: "a symlink (or a `..` path) leading outside the source folder: never followed, never read",
    Reason.NOT_A_FILE: "a FIFO, socket or device matching the glob: never opened (it could block the run)",
    Reason.VANISHED: "deleted or renamed between discovery and reading",
    Reason.CHANGING: "size or modification time changed between discovery and the end of reading: still being "
    "written. Nothing is kept (a partial read is not the file); the next run reads the file again once it is stable",
    Reason.TOO_LARGE: "larger than `max_file_bytes` (hashed and copied to quarantine as a stream, never loaded)",
    Reason.EMPTY: "zero bytes, or nothing but a byte-order mark",
    Reason.WHITESPACE_ONLY: "nothing but whitespace and invisible characters (zero-width spaces, ...)",
    Reason.BINARY: "NUL bytes, control characters, or an archive/image signature (gzip, zip, PDF, ...)",
    Reason.MISSING_HEADLINE: "no leading paragraph of headline length, or no words at all (only markup or punctuation)",
    Reason.EMPTY_BODY: "a headline but no body paragraph",
    Reason.TOO_MANY_PARAGRAPHS: "more than `max_paragraphs` body paragraphs (more than twice as many blocks of "
    "text: rejected without parsing)",
    DuplicateKind.EXACT: "same canonical headline and body as a curated article",
    DuplicateKind.NEAR: "headline and body close to an article kept before it (exact word-shingle Jaccard at or "
    "above `near_duplicate_threshold`, stricter for short texts; a copy contained in it; or the same body under "
    "another headline), with no conflicting number, ticker or name; `rule` says which",
}
