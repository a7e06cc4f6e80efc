"""Language detection: ISO 639-1 codes from the offline CLD2 model, no verdict where there is no language."""

from __future__ import annotations

import pytest

from newsflow.transform.language import detect


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The government approved the budget for next year after a long debate in parliament.", "en"),
        ("Die Regierung hat am Dienstag den Haushalt für das kommende Jahr beschlossen.", "de"),
        ("הממשלה אישרה הלילה את תקציב המדינה לשנה הבאה לאחר דיון ארוך.", "he"),  # CLD2 says "iw"
        ("中国人民银行宣布下调金融机构存款准备金率0.5个百分点，以支持实体经济发展。", "zh"),
        ("日本銀行は金融政策決定会合で、大規模な金融緩和の解除を決めた。", "ja"),
    ],
)
def test_languages_are_named_by_their_iso_639_1_code(text: str, code: str) -> None:
    (found,), (confidence,) = detect([text])
    assert found == code
    assert confidence is not None and 0.5 <= confidence <= 1.0


def test_figures_and_empty_text_get_no_verdict() -> None:
    assert detect(["1,234 5,678 9.01 --", "", None]) == ([None, None, None], [None, None, None])
