"""Quarantine rules: one list, the first rule that holds gives both the reason and its detail."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from newsflow.config import Settings
from newsflow.transform.rules import RULES, UNPARSED_FACTOR, rejection

SETTINGS = Settings(max_paragraphs=3)
DOCS = st.fixed_dictionaries(
    {
        "blocks": st.integers(1, 10),
        "headline": st.none() | st.just("A headline"),
        "text_paragraphs": st.integers(0, 5),
        "paragraph_count": st.integers(0, 5),
    }
)


@given(st.lists(DOCS, min_size=1, max_size=20))
def test_reason_and_detail_come_from_the_same_first_rule(docs: list[dict[str, object]]) -> None:
    frame = pl.DataFrame(
        docs,
        schema={"blocks": pl.Int64, "headline": pl.String, "text_paragraphs": pl.Int32, "paragraph_count": pl.Int32},
    )
    judged = frame.with_columns(**rejection(SETTINGS))
    firsts = [
        next(
            (
                i
                for i, rule in enumerate(RULES)
                if pl.DataFrame([doc], schema=frame.schema).select(rule.holds(SETTINGS)).item()
            ),
            None,
        )
        for doc in docs
    ]
    for (reason, detail), first, doc in zip(judged.select("reason", "detail").iter_rows(), firsts, docs, strict=True):
        if first is None:
            assert reason is None and detail is None
            continue
        rule = RULES[first]
        expected = pl.DataFrame([doc], schema=frame.schema).select(rule.detail(SETTINGS)).item()
        assert (reason, detail) == (rule.reason.value, expected)


def test_unparsed_documents_name_the_factor() -> None:
    frame = pl.DataFrame(
        {"blocks": [UNPARSED_FACTOR * 3 + 1], "headline": [None], "text_paragraphs": [0], "paragraph_count": [0]}
    )
    judged = frame.with_columns(**rejection(SETTINGS)).row(0, named=True)
    assert judged["reason"] == "too_many_paragraphs" and f"over {UNPARSED_FACTOR} x the limit of 3" in judged["detail"]
