"""Golden tests on the seeds and the layouts the parser must understand."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.config import Settings
from newsflow.extract.decode import decode_bytes
from newsflow.transform.articles import parse_articles
from newsflow.transform.normalize import canonical_form
from newsflow.transform.parse import assign_roles, lines_to_paragraphs, split_lines
from tests.conftest import SEEDS


def parse(*texts: str) -> pl.DataFrame:
    docs = pl.DataFrame({"doc": range(len(texts)), "text": list(texts)}, schema={"doc": pl.UInt32, "text": pl.String})
    return parse_articles(docs, Settings()).articles


def seed(name: str) -> dict[str, object]:
    (path,) = SEEDS.glob(f"{name}_*.txt")
    text = decode_bytes(path.read_bytes()).text
    assert text is not None
    return parse(text).row(0, named=True)


def test_seed_000() -> None:
    article = seed("000")
    first_line = (next(SEEDS.glob("000_*.txt"))).read_text(encoding="utf-8").splitlines()[0]
    assert article["headline"] == "Mexico Firmly Denounces Potential US Military Action Against Drug Cartels"
    assert article["summary"] == first_line
    assert article["standfirst"] == (
        "President Claudia Sheinbaum assures that US military intervention in Mexico over drug cartels "
        "is not on the table following reports of a military directive from Trump."
    )
    assert article["paragraph_count"] == 6
    assert article["repeated_paragraphs_removed"] == 0
    assert article["reason"] is None


def test_seed_001_bold_headline_and_repeated_run() -> None:
    article = seed("001")
    assert article["headline"] == "Mexico Reaffirms Sovereignty Amid Reports of US Military Plans Against Drug Cartels"
    assert article["paragraph_count"] == 6
    assert article["repeated_paragraphs_removed"] == 5
    body = str(article["body"]).split("\n\n")
    assert len(body) == len(set(body)) == 6
    assert "*" not in str(article["headline"])


def test_blank_line_layout() -> None:
    article = parse("Ad sales boost profit\n\nFirst paragraph.\n\nSecond paragraph.\n").row(0, named=True)
    assert (article["headline"], article["summary"], article["standfirst"]) == ("Ad sales boost profit", None, None)
    assert article["body"] == "First paragraph.\n\nSecond paragraph."


def test_wire_copy_is_reflowed() -> None:
    wire = (
        "Stocks Rally on Rate Hopes\n\n"
        "    Shares rose sharply on Tuesday as investors bet that the central\n"
        "bank would cut interest rates, with the benchmark index up 2 per\n"
        "cent by the close.\n"
        "    Analysts said the move, while widely expected, was well co-\n"
        "ordinated with the finance ministry and other big lenders.\n"
    )
    article = parse(wire).row(0, named=True)
    assert article["body"].split("\n\n") == [
        "Shares rose sharply on Tuesday as investors bet that the central bank would cut interest rates, "
        "with the benchmark index up 2 per cent by the close.",
        "Analysts said the move, while widely expected, was well co-ordinated with the finance ministry "
        "and other big lenders.",
    ]


def test_crlf_and_cr_endings_parse_alike() -> None:
    text = "Headline here\n\nOne paragraph.\n\nTwo paragraph.\n"
    frames = parse(text, text.replace("\n", "\r\n"), text.replace("\n", "\r"))
    assert frames.get_column("article_id").n_unique() == 1
    assert frames.get_column("paragraph_count").to_list() == [2, 2, 2]


def test_markdown_heading_marks_the_headline_after_a_summary() -> None:
    article = parse("A summary that runs long enough.\n# The Headline\nThe standfirst.\nBody one.\nBody two.\n")
    row = article.row(0, named=True)
    assert (row["summary"], row["headline"], row["standfirst"]) == (
        "A summary that runs long enough.",
        "The Headline",
        "The standfirst.",
    )
    assert row["paragraph_count"] == 2


def test_headline_repeated_in_body_is_not_body() -> None:
    row = parse("Big News\n\nBig News\n\nThe body.\n").row(0, named=True)
    assert (row["headline"], row["body"]) == ("Big News", "The body.")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x" * 400 + "\n", "missing_headline"),
        ("Only a headline\n", "empty_body"),
        ("Only a headline\n\nOnly a headline\n", "empty_body"),
    ],
)
def test_rules_reject_with_reason(text: str, reason: str) -> None:
    row = parse(text).row(0, named=True)
    assert row["reason"] == reason
    assert row["detail"]


def test_article_id_ignores_case_punctuation_and_markdown() -> None:
    a = parse("**Big News!**\n\nShe said \u201cno\u201d.\n", 'Big news\n\nShe said "No"\n')
    assert a.get_column("article_id").n_unique() == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=300), min_size=1, max_size=5))
def test_parsing_arbitrary_text_never_raises_and_is_deterministic(texts: list[str]) -> None:
    first, second = parse(*texts), parse(*texts)
    assert first.equals(second)
    assert first.height == len(texts)
    # every document is either an article or carries a reason
    assert first.filter(pl.col("reason").is_null() == pl.col("article_id").is_null()).height == 0


@pytest.mark.parametrize("text", ["# \n\n***\n\n---\n\n** **\n\n- \n\n___\n", "\u201c\u201d \u2014 !!! ...\n\n?\n"])
def test_no_words_at_all_is_missing_headline_with_a_precise_detail(text: str) -> None:
    row = parse(text).row(0, named=True)
    assert (row["reason"], row["detail"]) == (
        "missing_headline",
        "no words: only markup, punctuation or invisible characters",
    )


def test_hostile_text_shapes_parse() -> None:
    rows = parse(
        "Giant Word\n\n" + "x" * 100_000 + "\n",
        "Same Again\n\n" + "\n\n".join(["The same long paragraph, over and over. " * 8] * 50) + "\n",
        "Form Feeds\x0cFirst paragraph here.\u2029Second paragraph here.\x0c\x0cThird paragraph.\n",
        "Endings Mixed\r\rFirst paragraph.\r\n\r\nSecond paragraph.\n\rThird paragraph.\r",
    ).select("headline", "paragraph_count", "repeated_paragraphs_removed", "reason")
    assert rows.rows() == [
        ("Giant Word", 1, 0, None),
        ("Same Again", 1, 49, None),
        ("Form Feeds", 3, 0, None),
        ("Endings Mixed", 3, 0, None),
    ]


def test_far_too_many_blocks_are_rejected_without_parsing() -> None:
    settings = Settings(max_paragraphs=10)
    docs = pl.DataFrame(
        {"doc": [0, 1], "text": ["Headline\n\n" + "\n\n".join(f"Para {n}." for n in range(21)), "Fine\n\nBody.\n"]},
        schema={"doc": pl.UInt32, "text": pl.String},
    )
    parsed = parse_articles(docs, settings)
    assert parsed.articles.select("reason", "detail").rows() == [
        ("too_many_paragraphs", "22 blocks of text, over 2 x the limit of 10 paragraphs: not parsed"),
        (None, None),
    ]
    assert parsed.paragraphs.get_column("doc").to_list() == [1]


def test_just_over_the_paragraph_limit_is_parsed_and_counted() -> None:
    text = "Headline\n\n" + "\n\n".join(f"Paragraph number {n}." for n in range(11)) + "\n"
    docs = pl.DataFrame({"doc": [0], "text": [text]}, schema={"doc": pl.UInt32, "text": pl.String})
    row = parse_articles(docs, Settings(max_paragraphs=10)).articles.row(0, named=True)
    assert (row["reason"], row["detail"]) == ("too_many_paragraphs", "11 body paragraphs, limit 10")


def test_the_parse_plan_runs_no_python_function() -> None:
    # A Python function inside a plan runs on Polars' threads; one that calls Polars there (as Series methods
    # do) deadlocked a run whose other threads were collecting at the same time.
    docs = pl.LazyFrame(
        {"doc": [0], "text": ["Headline\n\nA paragraph."]}, schema={"doc": pl.UInt32, "text": pl.String}
    )
    config = Settings()
    plan = assign_roles(lines_to_paragraphs(split_lines(docs), config), config)
    assert "python" not in plan.explain()
    assert "python" not in pl.LazyFrame({"t": ["x"]}).select(canonical_form(pl.col("t"))).explain()
