"""Bytes to text: encoding detection with a recorded outcome, never an exception.

Codec detection is per file (``decode_bytes``). A shard (``decoded_columns``) decodes its
files as UTF-8 in C and checks the texts in Polars; only the files that may take another
branch (a byte-order mark, a signature, a NUL, invalid UTF-8, controls, markup, nothing
visible) go through ``decode_bytes``, which gives them the same outcome it gives any file.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from newsflow.extract.markup import MARKUP_HINT, html_to_text, looks_like_html
from newsflow.reasons import Reason

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAGIC: tuple[tuple[bytes, bytes, str], ...] = (
    # (leading bytes, the rest of the signature as a regex, what the file is)
    (b"\x1f\x8b", b"", "gzip archive"),
    (b"PK\x03\x04", b"", "zip archive"),
    (b"%PDF-", b"", "PDF document"),
    (b"\x89PNG", b"", "PNG image"),
    (b"\xff\xd8\xff", b"", "JPEG image"),
    # "BZh" alone starts words; a stream goes on with the block size and a block or end marker.
    (b"BZh", rb"[1-9](?:1AY&SY|\x17rE8P\x90)", "bzip2 archive"),
    (b"\xfd7zXZ\x00", b"", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", b"", "7z archive"),
)
_SIGNATURES: tuple[tuple[re.Pattern[bytes], str], ...] = tuple(
    (re.compile(re.escape(lead) + rest), what) for lead, rest, what in _MAGIC
)
_NOT_PLAIN_STARTS = tuple(bom for bom, _ in _BOMS) + tuple(lead for lead, _, _ in _MAGIC)
"""Leading bytes under which ``decode_bytes`` may take another branch than plain UTF-8."""
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
PYTHON_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""The characters ``str.isspace`` accepts, which ``str.strip`` removes (a test checks every code point)."""
_VISIBLE = f"[^{PYTHON_WHITESPACE}{_INVISIBLE.pattern[1:-1]}]"
"""A character that shows: the text is more than whitespace and invisible characters."""


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


def _plain_utf8(raw: bytes | None) -> str | None:
    """``raw`` decoded as UTF-8 where ``decode_bytes`` can only do that or reject the text; else None."""
    if not raw or raw.startswith(_NOT_PLAIN_STARTS) or b"\x00" in raw:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decoded_columns(raws: Sequence[bytes | None]) -> dict[str, list[str | None]]:
    """``text``, ``encoding``, ``reason`` and ``detail`` of each of ``raws`` (None: a file not read, all four
    null), as ``decode_bytes`` gives them; plain UTF-8 prose is checked in Polars, not file by file."""
    plain = [_plain_utf8(raw) for raw in raws]
    text = pl.col("text")
    suspect = (
        pl.Series("text", plain, dtype=pl.String)
        .to_frame()
        .select(
            text.is_null()
            | ~text.str.contains(_VISIBLE)
            | text.str.contains(_CONTROL.pattern)
            | text.str.contains(MARKUP_HINT)
        )
        .to_series()
    )
    columns: dict[str, list[str | None]] = {
        "text": plain,
        "encoding": [None if value is None else "utf-8" for value in plain],
        "reason": [None] * len(plain),
        "detail": [None] * len(plain),
    }
    for row in suspect.arg_true().to_list():
        raw = raws[row]
        decoded = decode_bytes(raw) if raw is not None else Decoded(None, None)
        columns["text"][row], columns["encoding"][row] = decoded.text, decoded.encoding
        columns["reason"][row] = str(decoded.reason) if decoded.reason else None
        columns["detail"][row] = decoded.detail
    return columns
