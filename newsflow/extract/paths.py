"""Stored source paths: the ``\\xNN`` spelling of names that are not UTF-8, and the glob they match."""

from __future__ import annotations

import re

# Bytes a stored path spells as \xNN: controls (a newline in a name must not split a
# log line) and the escape character itself, so the escaping can be undone exactly.
_ESCAPED_BYTES = frozenset(range(0x20)) | {0x5C, 0x7F}
_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})")
_NEEDS_ESCAPE = re.compile(r"[\x00-\x1f\x7f\\\udc80-\udcff]")


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


def display_path(relative: bytes) -> str:
    """The stored ``source_path`` of a relative file name given as raw bytes.

    Valid UTF-8 names are stored as they are, except that control characters and
    backslashes are written ``\\xNN``; bytes that are not UTF-8 are written the same
    way. Polars strings cannot hold Python's surrogate escapes, and a name is any
    byte string but NUL and '/'. ``fs_path`` undoes this exactly.
    """
    text = relative.decode("utf-8", errors="surrogateescape")
    if not _NEEDS_ESCAPE.search(text):
        return text
    out: list[str] = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as surrogateescape holds it
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code in _ESCAPED_BYTES:
            out.append(f"\\x{code:02x}")
        else:
            out.append(char)
    return "".join(out)


def fs_path(source_path: str) -> bytes:
    """The relative file name (raw bytes) a stored ``source_path`` stands for; inverse of ``display_path``."""
    pieces: list[bytes] = []
    position = 0
    for match in _ESCAPE.finditer(source_path):
        pieces.append(source_path[position : match.start()].encode("utf-8"))
        pieces.append(bytes([int(match.group(1), 16)]))
        position = match.end()
    pieces.append(source_path[position:].encode("utf-8"))
    return b"".join(pieces)
