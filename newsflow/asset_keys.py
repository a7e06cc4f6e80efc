"""Prefect asset keys for local folders: the landing folder and the published tables."""

from __future__ import annotations

from pathlib import Path

MAX_ASSET_KEY_CHARS = 512


def checked_asset_key(uri: str) -> str:
    """``uri`` as a Prefect asset key; raises ``ValueError`` beyond Prefect's 512-character limit."""
    if len(uri) > MAX_ASSET_KEY_CHARS:
        raise ValueError(f"asset key {uri[:80]!r}... is {len(uri)} characters; Prefect allows {MAX_ASSET_KEY_CHARS}")
    return uri


KEY_ESCAPE = "~"
_REFUSED_IN_KEYS = frozenset(" #?&%\"'<>[]{}|\\^`" + KEY_ESCAPE)
"""Characters Prefect refuses in an asset key (``prefect.types.names``: percent-encoding is refused too), and the
escape character itself."""


def _key_char(char: str) -> str:
    if 0xDC80 <= ord(char) <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"{KEY_ESCAPE}{ord(char) - 0xDC00:02X}"
    if char in _REFUSED_IN_KEYS or not char.isprintable():
        return "".join(f"{KEY_ESCAPE}{byte:02X}" for byte in char.encode("utf-8"))
    return char


def asset_key(path: Path, *, resolve: bool = True) -> str:
    """A Prefect asset key for a local folder: ``file://`` and its resolved absolute path (with ``resolve=False``,
    made absolute only: for a path whose last parts are symlinks that move, like ``curated``).

    Prefect refuses spaces, ``#``, ``%``, ``?`` and other characters in keys, percent-encoded or not,
    so each is written as ``~`` and the two hex digits of each of its UTF-8 bytes (``~`` itself as
    ``~7E``); other characters, letters of any script included, are kept. Raises ``ValueError`` when
    the key exceeds Prefect's 512-character limit.
    """
    absolute = path.resolve() if resolve else path.absolute()
    return checked_asset_key("file://" + "".join(map(_key_char, str(absolute))))
