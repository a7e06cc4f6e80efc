"""Bytes to text: encoding detection with a recorded outcome, never an exception.

Runs per file because codec detection is inherently per file; the work is C-speed
``bytes.decode`` calls, and everything after decoding is vectorized.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from newsflow.extract.markup import html_to_text, looks_like_html
from newsflow.reasons import Reason

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SIGNATURES: tuple[tuple[re.Pattern[bytes], str], ...] = tuple(
    (re.compile(magic), what)
    for magic, what in (
        (rb"\x1f\x8b", "gzip archive"),
        (rb"PK\x03\x04", "zip archive"),
        (rb"%PDF-", "PDF document"),
        (rb"\x89PNG", "PNG image"),
        (rb"\xff\xd8\xff", "JPEG image"),
        # "BZh" alone starts words; a stream goes on with the block size and a block or end marker.
        (rb"BZh[1-9](?:1AY&SY|\x17rE8P\x90)", "bzip2 archive"),
        (rb"\xfd7zXZ\x00", "xz archive"),
        (rb"7z\xbc\xaf\x27\x1c", "7z archive"),
    )
)
# C0 controls other than tab, LF, VT, FF, CR, plus DEL: never in real prose.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Well-formed multi-byte UTF-8 sequences; their presence in a file that is not valid
# UTF-8 as a whole means mixed encodings rather than a single-byte code page.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_C1_RANGE = re.compile(rb"[\x80-\x9f]")
REMOVABLE = "[\u200b\u2060\ufeff\u00ad]"
"""Zero-width space, word joiner, BOM, soft hyphen: characters that carry nothing a reader sees, which the
display form (``transform.normalize``) removes. The zero-width joiner and non-joiner are not among them:
they hold emoji sequences together and spell words in Persian, Hindi and other scripts."""
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
"""Characters that show nothing: a file of only these and whitespace has no text."""
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
        if magic.match(raw):
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
    """Decode one file's bytes. Never raises; bad input yields a quarantine reason.

    An HTML export (``markup.looks_like_html``) is converted to plain text, and its
    encoding is recorded with ``+html`` (``utf-8+html``).
    """
    if not raw:
        return Decoded(None, None, Reason.EMPTY, "file has zero bytes")
    outcome = _decode_text(raw)
    if isinstance(outcome, Decoded):
        return outcome
    text, encoding = outcome
    # An export that prepends its own BOM to text that had one leaves several.
    text = text.lstrip("\ufeff")
    if not text:
        return Decoded(None, encoding, Reason.EMPTY, f"nothing but a {encoding} byte-order mark")
    if "\x00" in text:  # the raw NUL check is skipped for BOM and UTF-16 input; a NUL character is never prose
        return Decoded(
            None, None, Reason.BINARY, f"NUL character at offset {text.index(chr(0))} of the {encoding} text"
        )
    if not _INVISIBLE.sub("", text).strip():
        return Decoded(
            None, encoding, Reason.WHITESPACE_ONLY, f"{len(raw)} bytes of whitespace or invisible characters"
        )
    controls = len(_CONTROL.findall(text))
    if controls > _MAX_CONTROL_SHARE * len(text):
        return Decoded(None, encoding, Reason.BINARY, f"{controls} control characters in {len(text)} characters")
    if looks_like_html(text):
        # Tags and entities are not article text; "+html" records that the text was converted.
        text, encoding = html_to_text(text), f"{encoding}+html"
        if not _INVISIBLE.sub("", text).strip():
            return Decoded(None, encoding, Reason.WHITESPACE_ONLY, "an HTML document without text")
    return Decoded(text, encoding)
