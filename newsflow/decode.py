"""Bytes to text: encoding detection with a recorded outcome, never an exception.

Runs per file because codec detection is inherently per file; the work is C-speed
``bytes.decode`` calls, and everything after decoding is vectorized.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from newsflow.reasons import Reason

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip archive"),
    (b"PK\x03\x04", "zip archive"),
    (b"%PDF-", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
)
# C0 controls other than tab, LF, VT, FF, CR, plus DEL: never in real prose.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Well-formed multi-byte UTF-8 sequences; their presence in a file that is not valid
# UTF-8 as a whole means mixed encodings rather than a single-byte code page.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_C1_RANGE = re.compile(rb"[\x80-\x9f]")
_MAX_CONTROL_SHARE = 0.001


@dataclass(frozen=True, slots=True)
class Decoded:
    """The outcome of decoding one file: text and encoding, or a quarantine reason."""

    text: str | None
    encoding: str | None
    reason: Reason | None = None
    detail: str | None = None


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    chunk = error.object[error.start : error.end]
    return bytes(chunk).decode("cp1252", errors="replace"), error.end


codecs.register_error("newsflow-cp1252", _cp1252_fallback)


def _guess_utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text without a BOM shows NULs in every other byte for ASCII-range text."""
    if len(raw) < 4 or len(raw) % 2:
        return None
    even_nuls = raw[0::2].count(0)
    odd_nuls = raw[1::2].count(0)
    half = len(raw) // 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _decode_text(raw: bytes) -> tuple[str, str] | Decoded:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                return Decoded(
                    None, None, Reason.BINARY, f"{encoding} byte-order mark but invalid {encoding}: {exc.reason}"
                )
    for magic, what in _SIGNATURES:
        if raw.startswith(magic):
            return Decoded(None, None, Reason.BINARY, what)
    if b"\x00" in raw:
        utf16 = _guess_utf16_without_bom(raw)
        if utf16 is not None:
            try:
                return raw.decode(utf16), utf16
            except UnicodeDecodeError:
                pass
        return Decoded(None, None, Reason.BINARY, f"NUL byte at offset {raw.index(0)}")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(raw):
        return raw.decode("utf-8", errors="newsflow-cp1252"), "utf-8+cp1252"
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "iso-8859-1"
    # Without bytes 0x80-0x9f the two code pages agree; name the narrower one.
    return text, "cp1252" if _C1_RANGE.search(raw) else "iso-8859-1"


def decode_bytes(raw: bytes) -> Decoded:
    """Decode one file's bytes. Never raises; bad input yields a quarantine reason."""
    if not raw:
        return Decoded(None, None, Reason.EMPTY, "file has zero bytes")
    outcome = _decode_text(raw)
    if isinstance(outcome, Decoded):
        return outcome
    text, encoding = outcome
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return Decoded(None, encoding, Reason.WHITESPACE_ONLY, f"{len(raw)} bytes of whitespace")
    controls = len(_CONTROL.findall(text))
    if controls > _MAX_CONTROL_SHARE * len(text):
        return Decoded(None, encoding, Reason.BINARY, f"{controls} control characters in {len(text)} characters")
    return Decoded(text, encoding)
