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
    return str(pl.select(display_form(pl.lit(text))).item())


def canonical(text: str) -> str:
    return str(pl.select(canonical_form(display_form(pl.lit(text)))).item())


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
