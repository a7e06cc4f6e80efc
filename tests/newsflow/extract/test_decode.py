from __future__ import annotations

import codecs
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsflow.extract.decode import PYTHON_WHITESPACE, Decoded, decode_bytes, decoded_columns
from newsflow.reasons import Reason

TEXT = "Caf\u00e9 \u00a3400 \u201cquoted\u201d \u2014 na\u00efve"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_decodes_text_in_common_encodings(raw: bytes, encoding: str) -> None:
    assert decode_bytes(raw) == Decoded(TEXT, encoding)


def test_latin1_without_c1_bytes_is_named_iso_8859_1() -> None:
    assert decode_bytes("Caf\u00e9 \u00a3400".encode("latin-1")) == Decoded("Caf\u00e9 \u00a3400", "iso-8859-1")


def test_mixed_utf8_and_cp1252_decodes_both_parts() -> None:
    raw = "Caf\u00e9 ".encode() + "\u00a3400".encode("cp1252")
    assert decode_bytes(raw) == Decoded("Caf\u00e9 \u00a3400", "utf-8+cp1252")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", Reason.EMPTY),
        (b"  \n\t\r\n ", Reason.WHITESPACE_ONLY),
        (b"\x1f\x8b\x08\x00rest", Reason.BINARY),
        (b"PK\x03\x04rest", Reason.BINARY),
        (b"text\x00with a NUL byte", Reason.BINARY),
        (bytes(range(1, 32)) * 10, Reason.BINARY),
    ],
)
def test_bad_input_is_quarantined_with_a_reason(raw: bytes, reason: Reason) -> None:
    decoded = decode_bytes(raw)
    assert (decoded.text, decoded.reason) == (None, reason)
    assert decoded.detail


@given(st.binary(max_size=2048))
def test_never_raises_and_text_xor_reason(raw: bytes) -> None:
    decoded = decode_bytes(raw)
    assert (decoded.text is None) != (decoded.reason is None)
    assert decoded == decode_bytes(raw)


def test_utf32_with_bom_decodes() -> None:
    raw = codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le")
    assert decode_bytes(raw) == Decoded(TEXT, "utf-32-le")


@pytest.mark.parametrize(
    ("raw", "reason", "detail"),
    [
        (codecs.BOM_UTF8, Reason.EMPTY, "nothing but a utf-8-sig byte-order mark"),
        (codecs.BOM_UTF16_LE, Reason.EMPTY, "nothing but a utf-16-le byte-order mark"),
        (
            "\u200b\u200c\u00a0\n\u2060\n".encode(),
            Reason.WHITESPACE_ONLY,
            "13 bytes of whitespace or invisible characters",
        ),
        (
            b"<html><body><p> </p><script>x</script></body></html>",
            Reason.WHITESPACE_ONLY,
            "an HTML document without text",
        ),
    ],
)
def test_files_without_text(raw: bytes, reason: Reason, detail: str) -> None:
    assert decode_bytes(raw) == Decoded(None, decode_bytes(raw).encoding, reason, detail)


def test_html_export_is_converted_and_recorded() -> None:
    raw = b"<!DOCTYPE html><html><head><title>T</title></head><body><h1>Big &amp; Bold</h1><p>One.</p></body></html>"
    assert decode_bytes(raw) == Decoded("Big & Bold\n\nOne.\n", "utf-8+html")
    assert decode_bytes(raw.decode().encode("utf-16")).encoding == "utf-16-le+html"


def test_plain_text_mentioning_tags_is_not_html() -> None:
    raw = b"Tags explained\n\nA page uses <p> to open a paragraph and </p> to close it.\n\nMore prose.\n"
    assert decode_bytes(raw) == Decoded(raw.decode(), "utf-8")


@pytest.mark.parametrize(
    "raw",
    [
        codecs.BOM_UTF8 + b"a" * 999 + b"\x00",
        codecs.BOM_UTF16_LE + ("a" * 999 + "\x00").encode("utf-16-le"),
        ("a" * 999 + "\x00").encode("utf-16-le"),
    ],
)
def test_a_nul_character_is_binary_whatever_the_encoding(raw: bytes) -> None:
    decoded = decode_bytes(raw)
    assert (decoded.text, decoded.reason) == (None, Reason.BINARY)
    assert decoded.detail is not None and decoded.detail.startswith("NUL character at offset 999")


def test_bzip2_needs_its_whole_stream_header() -> None:
    assert decode_bytes(b"BZh") == Decoded("BZh", "utf-8")
    assert decode_bytes(b"BZhang reports\n") == Decoded("BZhang reports\n", "utf-8")
    assert decode_bytes(b"BZh91AY&SY\x00\x01").detail == "bzip2 archive"


def test_every_leading_byte_order_mark_is_removed() -> None:
    assert decode_bytes(codecs.BOM_UTF8 * 3 + b"news") == Decoded("news", "utf-8-sig")
    assert decode_bytes(codecs.BOM_UTF16_LE * 2 + "news".encode("utf-16-le")) == Decoded("news", "utf-16-le")


def test_python_whitespace_is_what_str_isspace_accepts() -> None:
    assert set(PYTHON_WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


def _one_by_one(raws: list[bytes | None]) -> dict[str, list[str | None]]:
    decoded = [decode_bytes(raw) if raw is not None else Decoded(None, None) for raw in raws]
    return {
        "text": [d.text for d in decoded],
        "encoding": [d.encoding for d in decoded],
        "reason": [str(d.reason) if d.reason else None for d in decoded],
        "detail": [d.detail for d in decoded],
    }


# Pieces that steer decode_bytes into each of its branches, and prose around them.
_PIECES = st.sampled_from(
    [
        b"",
        b"Plain prose. ",
        "Caf\u00e9 \u201cquoted\u201d ".encode(),
        "Caf\u00e9".encode("cp1252"),
        b"\x93smart\x94",
        b"\x00",
        b"\x07\x1b",
        b"\x1c",
        b" \n\t",
        "\u00a0\u3000\u2028".encode(),
        "\u200b\u200c\u2060\ufeff\u00ad".encode(),
        codecs.BOM_UTF8,
        codecs.BOM_UTF16_LE,
        codecs.BOM_UTF32_LE,
        b"\x1f\x8b",
        b"%PDF-",
        b"BZh",
        b"BZh91AY&SY",
        b"<p>One</p>\n",
        b"<P>Two<BR>\n",
        b"</div>\n",
        b"<!DOCTYPE html>",
        b"<html><body>",
        b"<?xml version='1.0'?>",
        b"Pitney Bowes Inc <PBI> said",
        b"BankAmerica <BAC> and <HTX>",
        b"<p\xc3\xa9>",
        b"<p",
        b"<p>",
        b"<Br/>",
        b"</dIV>",
        "</d\u0131v>".encode(),
        b"\n\n",
    ]
)


@given(st.lists(st.one_of(st.none(), st.binary(max_size=64), st.lists(_PIECES, max_size=8).map(b"".join))))
def test_a_shard_decodes_every_file_as_decode_bytes_does(raws: list[bytes | None]) -> None:
    assert decoded_columns(raws) == _one_by_one(raws)


def test_a_shard_of_plain_files_and_every_kind_of_bad_one() -> None:
    raws: list[bytes | None] = [
        TEXT.encode(),
        None,
        b"",
        b" \n",
        b"PK\x03\x04rest",
        TEXT.encode("cp1252"),
        b"<p>One.</p><p>Two.</p>",
        b"text\x07" + b"x" * 10,
        b"Pitney Bowes Inc <PBI> said",
        b"One<br>\nTwo<BR>\n",
        b"<html><body>Hi</body></html>",
        b"A</div>\nB</div>\n",
        b"<!DOCTYPE html>Hello",
        b"<P>One.<p>Two.",
    ]
    columns = decoded_columns(raws)
    assert columns == _one_by_one(raws)
    plain, html = "utf-8", "utf-8+html"
    assert columns["reason"] == [None, None, "empty", "whitespace_only", "binary", None, None, "binary", *[None] * 6]
    assert columns["encoding"] == [plain, None, None, plain, None, "cp1252", html, plain, plain, *[html] * 5]
