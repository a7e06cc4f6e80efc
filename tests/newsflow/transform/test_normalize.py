from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_series_equal

from newsflow.transform.normalize import (
    UnicodeForm,
    canonical_form,
    collapse_whitespace,
    display_form,
    unicode_normalize,
)


def display(text: str) -> str:
    return str(display_form(pl.DataFrame({"raw": [text]}), "raw", into="display").get_column("display").item())


def canonical(text: str) -> str:
    return str(pl.select(canonical_form(pl.lit(display(text)))).item())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("**Bold headline**", "Bold headline"),
        ("# Heading ##", "Heading"),
        ("an *emphasised* and _underlined_ word", "an emphasised and underlined word"),
        ("snake_case and 2*3*4 stay", "snake_case and 2*3*4 stay"),
        ("[the link](https://example.org) text", "the link text"),
        ("  spaced\t\tout \u00a0 text  ", "spaced out text"),
        ("zero\u200bwidth soft\u00adhyphen", "zerowidth softhyphen"),
        ("Cafe\u0301", "Caf\u00e9"),  # NFC composes
        ("\u00b2 and \ufb01", "\u00b2 and \ufb01"),  # display keeps compatibility characters
    ],
)
def test_display_form(raw: str, expected: str) -> None:
    assert display(raw) == expected


def test_canonical_form_unifies_quotes_case_dashes_and_compatibility_forms() -> None:
    assert canonical("\u201cNo,\u201d she said \u2014 \u2018twice\u2019") == canonical("\"no\" She said - 'twice'")
    assert canonical("co\u2011operate") == canonical("co-operate") == "co operate"
    assert canonical("\ufb01ne \u00b2") == "fine 2"


@given(st.text(max_size=200))
def test_forms_are_idempotent(text: str) -> None:
    once = display(text)
    assert display(once) == once
    assert canonical(once) == str(pl.select(canonical_form(pl.lit(canonical(once)))).item())


def test_canonical_form_ignores_bidi_marks_and_joiners() -> None:
    assert canonical("\u200f\u0627\u0644\u062d\u0643\u0648\u0645\u0629\u200e") == canonical(
        "\u0627\u0644\u062d\u0643\u0648\u0645\u0629"
    )
    assert canonical("a\u202bb\u202c \U0001f468\u200d\U0001f469") == canonical("ab \U0001f468\U0001f469")


_MIXED = st.lists(
    st.text(min_size=0, max_size=30) | st.sampled_from(["plain ascii", "  two\t\tgaps ", ""]), max_size=20
)


@given(_MIXED)
def test_whitespace_collapses_as_one_space_per_run(texts: list[str]) -> None:
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    plain = pl.col("text").str.replace_all(r"\s+", " ").str.strip_chars()
    assert_series_equal(frame.select(collapse_whitespace(pl.col("text"))).to_series(), frame.select(plain).to_series())


@given(_MIXED, st.sampled_from(["NFC", "NFKC"]))
def test_normalizing_only_non_ascii_text_changes_nothing(texts: list[str | None], form: UnicodeForm) -> None:
    frame = pl.DataFrame({"text": [*texts, None]}, schema={"text": pl.String})
    assert_series_equal(
        frame.select(unicode_normalize(pl.col("text"), form)).to_series(),
        frame.select(pl.col("text").str.normalize(form)).to_series(),
    )


# Letters of several scripts, combining marks, the joiners, emoji, the removable characters and whitespace;
# no markdown markup (its stripping is documented and tested above).
_FIDELITY_ALPHABET = (
    "abcXYZ éüñ"
    "\u0645\u06cc\u062e\u0648\u0627\u0647\u062f"  # Persian
    "\u0915\u094d\u0937\u0939\u093f"  # Devanagari, with virama
    "\u05e9\u05dc\u05d5\u05dd"  # Hebrew
    "\u4e2d\u6587\u3042\u30a2"  # Han, kana
    "\u0301\u0308\u0327"  # combining marks
    "\u200d\u200c"  # joiners: kept
    "\U0001f46e\u2640\ufe0f\U0001f468\U0001f469\U0001f467\U0001f3f3\U0001f308"  # emoji and variation selector
    "\u200b\u2060\ufeff\u00ad"  # removable
    " \t\n\u00a0\u3000"
)


def _expected_display(text: str) -> str:
    """The documented display form of text without markup: NFC, removable characters gone, whitespace
    collapsed and trimmed, NFC again."""
    import re
    import unicodedata

    from newsflow.extract.decode import REMOVABLE

    cleaned = re.sub(REMOVABLE, "", unicodedata.normalize("NFC", text))
    return unicodedata.normalize("NFC", " ".join(cleaned.split()))


@given(st.text(alphabet=_FIDELITY_ALPHABET, max_size=60))
def test_display_keeps_everything_but_whitespace_runs_and_removable_characters(text: str) -> None:
    assert display(text) == _expected_display(text)


_SEQUENCES = st.sampled_from(
    [
        "\U0001f46e\u200d\u2640\ufe0f",  # police officer, woman
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # family
        "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u062f",  # Persian "mi-khahad", with its non-joiner
        "\u0915\u094d\u200d\u0937",  # Devanagari half form with a joiner
        "e\u0301\u0327",  # combining marks (NFC composes the first; both survive)
    ]
)


@given(st.lists(st.tuples(st.sampled_from([" ", ", ", " \u200b", "\u00ad "]), _SEQUENCES), min_size=1, max_size=5))
def test_joiner_sequences_and_combining_marks_survive_byte_for_byte(parts: list[tuple[str, str]]) -> None:
    import unicodedata

    text = "".join(glue + sequence for glue, sequence in parts)
    shown = display(text)
    for _, sequence in parts:
        assert unicodedata.normalize("NFC", sequence) in shown
    assert shown.count("\u200d") == text.count("\u200d") and shown.count("\u200c") == text.count("\u200c")
