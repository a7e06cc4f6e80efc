from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsflow.decode import Decoded, decode_bytes
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
