from __future__ import annotations

import polars as pl

from newsflow.config import Settings
from newsflow.dedup import near
from newsflow.dedup.facts import fact_lists, first_conflict

LONG = (
    "The council voted on Tuesday to close the old bridge over the river for repairs that will take most of "
    "the summer. Engineers found cracks in two of the supports during an inspection last month, and the "
    "mayor said the town could not wait for the autumn budget. Shops near the bridge fear a loss of trade "
    "while traffic is sent through the industrial estate instead. A ferry will run every half hour from "
    "the quay for people on foot, and buses will add stops on the ring road. The work is paid for by a "
    "grant that the county agreed in the spring after a long campaign by residents."
)


def texts(**articles: tuple[str, list[str]]) -> pl.DataFrame:
    """``compared_texts`` of articles given as (headline, body paragraphs)."""
    heads = pl.DataFrame({"article_id": list(articles), "headline": [h for h, _ in articles.values()]})
    rows = [(key, position, "body", text) for key, (_, body) in articles.items() for position, text in enumerate(body)]
    paragraphs = pl.DataFrame(rows, schema=["article_id", "position", "role", "text"], orient="row")
    return near.compared_texts(heads, paragraphs)


def copies(frame: pl.DataFrame, *pairs: tuple[str, str], same_body: bool = False) -> dict[tuple[str, str], str]:
    candidates = pl.DataFrame(pairs, schema=["key", "other"], orient="row").with_columns(same_body=pl.lit(same_body))
    verified = near.verify(candidates, frame, Settings())
    return {(k, o): rule for k, o, _, rule in verified.iter_rows() if k < o}


def test_facts_of_a_brief() -> None:
    frame = pl.DataFrame(
        {
            "headline": ["PENNWALT CORP <PSM> SETS QUARTERLY"],
            "text": ["Qtly div 55 cts vs 55 cts prior.\nPay April 1 to Shareholders of the Pennwalt Corp."],
        }
    )
    facts = frame.select(**fact_lists(pl.col("text"), pl.col("headline"))).row(0, named=True)
    assert facts["numbers"] == ["1", "55"]
    assert facts["tickers"] == facts["title_tickers"] == ["PSM"]
    # Names from the body (not the capitalised title), as sorted letters: a swapped pair of letters is one name.
    assert facts["names"] == sorted(["adeehhlorrss", "aelnnptw", "copr", "ailpr"])


def test_conflict_needs_a_fact_on_each_side() -> None:
    pairs = pl.DataFrame(
        {"numbers": [["10"], ["10", "12"], ["10"]], "numbers_other": [["12"], ["10"], ["10"]]},
        schema={"numbers": pl.List(pl.String), "numbers_other": pl.List(pl.String)},
    )
    for name in ("tickers", "title_tickers", "names"):
        pairs = pairs.with_columns(
            pl.lit([], pl.List(pl.String)).alias(name), pl.lit([], pl.List(pl.String)).alias(f"{name}_other")
        )
    # Other figures on both sides: two reports. Figures on one side only: a copy with a part cut.
    assert pairs.select(first_conflict()).to_series().to_list() == ["numbers", None, None]


def test_a_copy_with_a_paragraph_cut_is_a_copy_and_other_figures_veto_it() -> None:
    extra = "The bridge first opened in 1884 and was widened in 1962."
    frame = texts(
        a=("Bridge to close for repairs", [LONG, extra]),
        b=("Bridge to close for repairs", [LONG]),
        c=("Bridge to close for repairs", [LONG, extra.replace("1962", "1963")]),
    )
    found = copies(frame, ("a", "b"), ("a", "c"))
    assert list(found) == [("a", "b")]
    assert found[("a", "b")].startswith("shingle Jaccard 0.91 >= 0.75")


def test_short_texts_need_near_identity_and_template_briefs_are_not_copies() -> None:
    frame = texts(
        a=("ROCHESTER GAS <RGS> SETS PAYOUT", ["Qtly div 10 cts vs 10 cts prior", "Pay April 15", "Record March 30"]),
        b=("PEP BOYS <PBY> SETS PAYOUT", ["Qtly div 10 cts vs 10 cts prior", "Pay April 15", "Record March 30"]),
        c=("ROCHESTER GAS <RGS> SETS PAYOUT", ["Qtly div 12 cts vs 12 cts prior", "Pay April 15", "Record March 30"]),
        d=(
            "ROCHESTER GAS <RGS> DECLARES DIVIDEND",
            ["Qtly div 10 cts vs 10 cts prior", "Pay April 15", "Record March 30"],
        ),
    )
    assert copies(frame, ("a", "b"), ("a", "c"), ("a", "d")) == {}
    # The same body under another title naming the same company is a re-transmission.
    retransmitted = copies(frame, ("a", "b"), ("a", "d"), same_body=True)
    assert list(retransmitted) == [("a", "d")]
    assert retransmitted[("a", "d")].startswith("same body")


def test_an_article_whose_body_is_all_boilerplate_is_still_compared() -> None:
    frame = texts(a=("Notice", ["Markets closed for the holiday."]), b=("Notice", ["Markets closed for the holiday."]))
    assert frame.get_column("text").to_list() == ["notice markets closed for the holiday"] * 2


CHINESE = (
    "市议会周二投票决定关闭河上的老桥进行维修，工程将持续整个夏天。工程师上个月检查时发现两根支柱出现裂缝，"
    "市长表示全镇不能等到秋季预算。桥附近的商店担心交通改道工业区后生意会受影响。码头每半小时开出一班渡轮供行人使用，"
    "公交车将在环路上增加站点。这项工程由县政府在春季批准的拨款支付，此前居民进行了长期的争取。"
)


def test_chinese_is_compared_in_words() -> None:
    cut = CHINESE.rsplit("。", 2)[0] + "。"
    frame = texts(
        a=("老桥关闭维修", [CHINESE]),
        b=("老桥关闭维修", [cut]),
        c=("新学校开学", ["新学校周一开学，学生们在操场上举行了开学典礼，校长表示学校将增加科学课程。"]),
    )
    assert len(frame.filter(pl.col("key") == "a").get_column("text").item().split()) > 60
    assert list(copies(frame, ("a", "b"), ("a", "c"))) == [("a", "b")]


def test_a_misspelt_name_is_a_typo_but_another_short_name_is_another_report() -> None:
    said = "The work started in September, said Hargreaves, and the Ferrybridge quay stays open."
    frame = texts(
        a=("Bridge to close for repairs", [LONG, said]),
        # One letter dropped from a long name: a typo, the same report.
        b=("Bridge to close for repairs", [LONG, said.replace("September", "Sepember")]),
        # Long names that differ by more than a letter: another report.
        c=("Bridge to close for repairs", [LONG, said.replace("Hargreaves", "Hargrove")]),
        # A name shorter than TYPO_LETTERS one letter away is another name, not a typo.
        d=("Bridge to close for repairs", [LONG + " The grant went through Amex bank.", said]),
        e=("Bridge to close for repairs", [LONG + " The grant went through Amax bank.", said]),
    )
    found = copies(frame, ("a", "b"), ("a", "c"), ("d", "e"))
    assert list(found) == [("a", "b")]


def test_number_words_are_figures() -> None:
    frame = pl.DataFrame(
        {"headline": ["Fed adds reserves"], "text": ["It added Two billion dlrs, its eighth operation, and 2 more."]}
    )
    facts = frame.select(**fact_lists(pl.col("text"), pl.col("headline"))).row(0, named=True)
    assert facts["numbers"] == ["2", "8"]
    # A figure written out in one copy and in digits in the other is the same figure, not a conflict.
    written = "The talks were held on March eight in the capital, officials said."
    frame = texts(
        a=("Bridge to close for repairs", [LONG, written.replace("eight", "8")]),
        b=("Bridge to close for repairs", [LONG, written]),
        c=("Bridge to close for repairs", [LONG, written.replace("eight", "nine")]),
    )
    assert list(copies(frame, ("a", "b"), ("a", "c"))) == [("a", "b")]


BRIEF = ["Shr 12 cts vs 19 cts", "Net 1,158,000 vs 1,523,000", "Revs 14.2 mln vs 15.1 mln"]


def test_a_short_brief_edited_is_a_copy_only_with_the_same_facts() -> None:
    frame = texts(
        a=("HARPER INTERNATIONAL <HNT> 3RD QTR JAN 31", BRIEF),
        # Re-titled, a line added that restates the title: the same facts, the same report.
        b=("HARPER INTERNATIONAL <HNT> 3RD QTR NET", ["Qtr ended Jan 31", *BRIEF]),
        # The same lines naming a fund the other does not: another report, though no fact conflicts.
        c=("HARPER INTERNATIONAL <HNT> 3RD QTR JAN 31", [*BRIEF, "Figures for the High-Yield fund"]),
    )
    found = copies(frame, ("a", "b"), ("a", "c"))
    assert list(found) == [("a", "b")]
    assert found[("a", "b")].startswith("short texts stating the same facts, word-pair Jaccard")


def test_a_copy_edited_throughout_is_a_copy_but_not_a_correction_of_it() -> None:
    sentences = LONG.split(". ")
    # Re-titled, words changed in every other sentence, a sentence added: below every other rule.
    edited = ". ".join(s.replace(" the ", " a ") if i % 2 else s for i, s in enumerate(sentences))
    added = edited + " Residents can comment on the plans until the end of the month."
    frame = texts(
        a=("Bridge to close for repairs", [LONG]),
        b=("Old bridge shut all summer", [added]),
        c=("CORRECTED - Old bridge shut all summer", [added]),
    )
    found = copies(frame, ("a", "b"), ("a", "c"))
    assert list(found) == [("a", "b")]
    assert found[("a", "b")].startswith("edited: 0.883 of the shorter's word pairs and 0.703 of its shingles")
    # A correction under another title with an identical body is a re-transmission.
    assert list(copies(frame, ("b", "c"), same_body=True)) == [("b", "c")]
