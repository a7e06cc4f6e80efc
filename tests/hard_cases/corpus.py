# ruff: noqa: E501 - the cases are literal texts; wrapping them would hide what a case is.
"""Hard cases for faithful parsing: real-news shapes the BBC corpus does not have, each with what must come out.

    uv run python -m tests.hard_cases.corpus OUT_DIR     # writes the files, one per case, and expected.json

Kinds: characters that carry meaning (joiners in emoji and in Persian, Hindi), characters
that carry nothing (zero-width space, soft hyphen, directional marks at a headline's
edges), wrapped Chinese, Japanese and Thai, hyphenated compounds across a line break,
wire reflow (a short first line, continuation lines that look like list items), tables
(wire columns, markdown, repeated headers and rows), long headlines, and page furniture
(bylines, datelines, captions, links, credits, adverts, sign-offs, subheadings, lists),
in several languages and scripts, in the house, blank-line, wire and HTML layouts.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

ZWJ, ZWNJ, ZWSP, SHY, RLM, LRM = "\u200d", "\u200c", "\u200b", "\u00ad", "\u200f", "\u200e"


@dataclass(frozen=True)
class Case:
    """A file and what parsing it must give: its headline, and each paragraph after it as (role, text)."""

    name: str
    text: str
    headline: str
    paragraphs: list[tuple[str, str]]
    language: str | None = None
    byline: str | None = None
    dateline: str | None = None
    published: str | None = None
    repeats: int = 0
    kind: str = ""
    encoding: str = "utf-8"
    extra: dict[str, str] = field(default_factory=dict)


def wire(title: str, *paragraphs: str) -> str:
    """Wire layout: the title, a blank line, paragraphs whose first line is indented (already wrapped)."""
    return title + "\n\n" + "\n".join(paragraphs) + "\n"


B = "body"
CASES: list[Case] = [
    # --- characters that carry meaning, and characters that carry nothing
    Case(
        "emoji-zwj",
        f"Police officer 👮{ZWJ}♀️ honoured\n\nThe officer 👮{ZWJ}♀️ was honoured with her family 👨{ZWJ}👩{ZWJ}👧 present.\n\n"
        f"The rainbow flag 🏳️{ZWJ}🌈 flew over the town hall all week.\n",
        f"Police officer 👮{ZWJ}♀️ honoured",
        [
            (B, f"The officer 👮{ZWJ}♀️ was honoured with her family 👨{ZWJ}👩{ZWJ}👧 present."),
            (B, f"The rainbow flag 🏳️{ZWJ}🌈 flew over the town hall all week."),
        ],
        language="en",
        kind="unicode",
    ),
    Case(
        "persian-zwnj",
        f"دولت می{ZWNJ}خواهد مالیات را کاهش دهد\n\nدولت ایران می{ZWNJ}خواهد مالیات بر درآمد را در سال آینده کاهش دهد.\n\n"
        f"وزیر اقتصاد گفت این تصمیم به نفع خانواده{ZWNJ}ها خواهد بود.\n",
        f"دولت می{ZWNJ}خواهد مالیات را کاهش دهد",
        [
            (B, f"دولت ایران می{ZWNJ}خواهد مالیات بر درآمد را در سال آینده کاهش دهد."),
            (B, f"وزیر اقتصاد گفت این تصمیم به نفع خانواده{ZWNJ}ها خواهد بود."),
        ],
        language="fa",
        kind="unicode",
    ),
    Case(
        "hindi-zwj",
        f"सरकार ने नई योजना की घोषणा की\n\nसरकार ने आज किसानों के लिए नई योजना की घोषणा की, जिसमें क्{ZWJ}ष छूट शामिल है।\n\n"
        "मंत्री ने कहा कि योजना अगले महीने से लागू होगी और लाखों लोगों को लाभ मिलेगा।\n",
        "सरकार ने नई योजना की घोषणा की",
        [
            (B, f"सरकार ने आज किसानों के लिए नई योजना की घोषणा की, जिसमें क्{ZWJ}ष छूट शामिल है।"),
            (B, "मंत्री ने कहा कि योजना अगले महीने से लागू होगी और लाखों लोगों को लाभ मिलेगा।"),
        ],
        language="hi",
        kind="unicode",
    ),
    Case(
        "arabic-edge-marks",
        f"{RLM}الحكومة تعلن خطة جديدة{RLM}\n\nأعلنت الحكومة اليوم خطة جديدة لدعم الاقتصاد الوطني وخلق فرص العمل.\n\n"
        "وقال الوزير إن الخطة ستبدأ في الشهر المقبل وستشمل جميع المحافظات.\n",
        "الحكومة تعلن خطة جديدة",
        [
            (B, "أعلنت الحكومة اليوم خطة جديدة لدعم الاقتصاد الوطني وخلق فرص العمل."),
            (B, "وقال الوزير إن الخطة ستبدأ في الشهر المقبل وستشمل جميع المحافظات."),
        ],
        language="ar",
        kind="unicode",
    ),
    Case(
        "hebrew-edge-marks",
        f"{LRM}הממשלה אישרה את התקציב{LRM}\n\nהממשלה אישרה הלילה את תקציב המדינה לשנה הבאה לאחר דיון ארוך.\n\n"
        "שר האוצר אמר כי התקציב יתמוך בצמיחה ויקטין את הגירעון.\n",
        "הממשלה אישרה את התקציב",
        [
            (B, "הממשלה אישרה הלילה את תקציב המדינה לשנה הבאה לאחר דיון ארוך."),
            (B, "שר האוצר אמר כי התקציב יתמוך בצמיחה ויקטין את הגירעון."),
        ],
        language="he",
        kind="unicode",
    ),
    Case(
        "zero-width-space-and-soft-hyphen",
        f"Parlia{SHY}ment votes on the budget\n\nThe par{SHY}liament{ZWSP} voted on the budget late on Tuesday night.\n\n"
        "The opposition said it would challenge the result in court next week.\n",
        "Parliament votes on the budget",
        [
            (B, "The parliament voted on the budget late on Tuesday night."),
            (B, "The opposition said it would challenge the result in court next week."),
        ],
        language="en",
        kind="unicode",
    ),
    # --- scripts written without spaces, wrapped
    Case(
        "chinese-wrapped",
        wire(
            "中国人民银行下调存款准备金率",
            "    中国人民银行宣布下调金融机构存款准备金率0.5个百分点，",
            "以支持实体经济发展，这是今年以来第六个月",
            "增长放缓后的又一举措。",
            "    分析人士认为，此举将释放长期资金约一万亿元。",
        ),
        "中国人民银行下调存款准备金率",
        [
            (
                B,
                "中国人民银行宣布下调金融机构存款准备金率0.5个百分点，以支持实体经济发展，这是今年以来第六个月增长放缓后的又一举措。",
            ),
            (B, "分析人士认为，此举将释放长期资金约一万亿元。"),
        ],
        language="zh",
        kind="cjk",
    ),
    Case(
        "japanese-wrapped",
        wire(
            "日銀が金融緩和の解除を決定",
            "    日本銀行は金融政策決定会合で、大規模な金融緩和の解除を",
            "決めた。マイナス金利政策は終了する。",
            "    市場では円高が進み、株価は下落した。",
        ),
        "日銀が金融緩和の解除を決定",
        [
            (B, "日本銀行は金融政策決定会合で、大規模な金融緩和の解除を決めた。マイナス金利政策は終了する。"),
            (B, "市場では円高が進み、株価は下落した。"),
        ],
        language="ja",
        kind="cjk",
    ),
    Case(
        "thai-wrapped",
        wire(
            "รัฐบาลประกาศมาตรการใหม่",
            "    รัฐบาลประกาศมาตรการกระตุ้นเศรษฐกิจชุดใหม่เพื่อช่วยเหลือประชาชน",
            "ที่ได้รับผลกระทบจากราคาน้ำมันที่สูงขึ้น",
            "    นายกรัฐมนตรีกล่าวว่ามาตรการจะเริ่มในเดือนหน้า",
        ),
        "รัฐบาลประกาศมาตรการใหม่",
        [
            (B, "รัฐบาลประกาศมาตรการกระตุ้นเศรษฐกิจชุดใหม่เพื่อช่วยเหลือประชาชนที่ได้รับผลกระทบจากราคาน้ำมันที่สูงขึ้น"),
            (B, "นายกรัฐมนตรีกล่าวว่ามาตรการจะเริ่มในเดือนหน้า"),
        ],
        language="th",
        kind="cjk",
    ),
    Case(
        "korean-wrapped-keeps-spaces",
        wire(
            "정부 새 경제 대책 발표",
            "    정부는 오늘 물가 상승에 대응하기 위한 새로운 경제",
            "대책을 발표했다고 밝혔다.",
            "    대책은 다음 달부터 시행된다.",
        ),
        "정부 새 경제 대책 발표",
        [
            (B, "정부는 오늘 물가 상승에 대응하기 위한 새로운 경제 대책을 발표했다고 밝혔다."),
            (B, "대책은 다음 달부터 시행된다."),
        ],
        language="ko",
        kind="cjk",
    ),
    # --- hyphenated compounds across a line break
    Case(
        "hyphen-compounds",
        wire(
            "TALKS RESUME ON TRADE PACT",
            "    The British-",
            "Soviet talks resumed in end-",
            "January, said Rep. Jim Wright, D-",
            "Texas, after a long break.",
            "    Officials expect co-",
            "operation to improve this year.",
        ),
        "TALKS RESUME ON TRADE PACT",
        [
            (B, "The British-Soviet talks resumed in end-January, said Rep. Jim Wright, D-Texas, after a long break."),
            (B, "Officials expect co-operation to improve this year."),
        ],
        language="en",
        kind="hyphen",
    ),
    Case(
        "soft-hyphen-at-line-end",
        wire(
            "CENTRAL BANK HOLDS RATES",
            f"    The central bank held its benchmark rate, citing the deter{SHY}",
            "mination of the government to cut spending.",
        ),
        "CENTRAL BANK HOLDS RATES",
        [(B, "The central bank held its benchmark rate, citing the determination of the government to cut spending.")],
        language="en",
        kind="hyphen",
    ),
    # --- wire reflow
    Case(
        "wire-short-first-line",
        wire(
            "DATAPRODUCTS <DPC>, PACKARD <HWP> IN AGREEMENT",
            "Dataproducts Corp said",
            "it agreed to market Hewlett-Packard's line of matrix printers",
            "through its domestic and international distribution network.",
        ),
        "DATAPRODUCTS <DPC>, PACKARD <HWP> IN AGREEMENT",
        [
            (
                B,
                "Dataproducts Corp said it agreed to market Hewlett-Packard's line of matrix printers through its "
                "domestic and international distribution network.",
            )
        ],
        language="en",
        kind="reflow",
    ),
    Case(
        "wire-first-line-ends-with-bracket",
        wire(
            "ACME <ACM> TO BUY WIDGET MAKER",
            "Acme Corp (ACM)",
            "said it agreed to buy Widget Co for 120 mln dlrs in cash,",
            "subject to regulatory approval.",
            "    The deal is expected to close in the second quarter.",
        ),
        "ACME <ACM> TO BUY WIDGET MAKER",
        [
            (
                B,
                "Acme Corp (ACM) said it agreed to buy Widget Co for 120 mln dlrs in cash, subject to regulatory approval.",
            ),
            (B, "The deal is expected to close in the second quarter."),
        ],
        language="en",
        kind="reflow",
    ),
    Case(
        "wire-list-looking-continuations",
        wire(
            "EXIM BANK UNVEILS NEW PROGRAMS",
            "    He said the Exim will operate four broad programs after May",
            "1. They are short-term insurance and a direct loan program for",
            "- and this is new - medium-term transactions.",
            "    The bank will also raise its coverage to 98 pct.",
        ),
        "EXIM BANK UNVEILS NEW PROGRAMS",
        [
            (
                B,
                "He said the Exim will operate four broad programs after May 1. They are short-term insurance and a "
                "direct loan program for - and this is new - medium-term transactions.",
            ),
            (B, "The bank will also raise its coverage to 98 pct."),
        ],
        language="en",
        kind="reflow",
    ),
    Case(
        "wire-signoff",
        wire(
            "COFFEE TALKS END WITHOUT AGREEMENT",
            "    Coffee producers and consumers ended their talks in London",
            "without agreeing on export quotas, delegates said.",
            " REUTER",
        ),
        "COFFEE TALKS END WITHOUT AGREEMENT",
        [
            (
                B,
                "Coffee producers and consumers ended their talks in London without agreeing on export quotas, delegates said.",
            ),
            ("signoff", "REUTER"),
        ],
        language="en",
        kind="parts",
    ),
    Case(
        "wire-signoff-run-in",
        wire(
            "BRITAIN TO MINT GOLD BULLION COIN",
            "    Britain will mint a new bullion coin, a Treasury official",
            "said.",
            "    The smaller coins will be in denominations of a half ounce,",
            "a quarter ounce and a tenth of an ounce. REUTER",
        ),
        "BRITAIN TO MINT GOLD BULLION COIN",
        [
            (B, "Britain will mint a new bullion coin, a Treasury official said."),
            (B, "The smaller coins will be in denominations of a half ounce, a quarter ounce and a tenth of an ounce."),
            ("signoff", "REUTER"),
        ],
        language="en",
        kind="parts",
    ),
    # --- tables
    Case(
        "wire-table-own-block",
        wire(
            "GRAIN PRICES AT TERMINALS",
            "    Prices per bushel, in U.S. dollars.",
            "",
            "     WHEAT     HRW   HRS    SRW",
            " Chicago       --    3.04   2.98",
            " Toledo        --    3.04   2.98",
            " Baltimore/",
            " Norf./Phil.   --    --     3.06",
            "",
            "    Sorghum is priced per CWT.",
        ),
        "GRAIN PRICES AT TERMINALS",
        [
            (B, "Prices per bushel, in U.S. dollars."),
            (
                "table",
                "    WHEAT     HRW   HRS    SRW\nChicago       --    3.04   2.98\nToledo        --    3.04   2.98\n"
                "Baltimore/\nNorf./Phil.   --    --     3.06",
            ),
            (B, "Sorghum is priced per CWT."),
        ],
        language="en",
        kind="table",
    ),
    Case(
        "wire-table-inside-wrapped-block",
        wire(
            "SUGAR IMPORTS DETAILED",
            "The Agriculture Department said cumulative sugar imports",
            "were as follows, in short tons --",
            "            CUMULATIVE     QUOTA 1987",
            "              IMPORTS     ALLOCATIONS",
            " ARGENTINA        nil          39,130",
            " AUSTRALIA        nil          75,530",
            "    The quota year began January 1.",
        ),
        "SUGAR IMPORTS DETAILED",
        [
            (B, "The Agriculture Department said cumulative sugar imports were as follows, in short tons --"),
            (
                "table",
                "           CUMULATIVE     QUOTA 1987\n             IMPORTS     ALLOCATIONS\n"
                "ARGENTINA        nil          39,130\nAUSTRALIA        nil          75,530",
            ),
            (B, "The quota year began January 1."),
        ],
        language="en",
        kind="table",
    ),
    Case(
        "markdown-table",
        "Quarterly results at a glance\n\nThe company reported higher sales in every region this quarter.\n\n"
        "| Region | Sales | Change |\n|---|---:|---:|\n| Europe | 1,200 | +4% |\n| Asia | 980 | +7% |\n\n"
        "Analysts had expected weaker growth in Asia.\n",
        "Quarterly results at a glance",
        [
            (B, "The company reported higher sales in every region this quarter."),
            ("table", "| Region | Sales | Change |\n|---|---:|---:|\n| Europe | 1,200 | +4% |\n| Asia | 980 | +7% |"),
            (B, "Analysts had expected weaker growth in Asia."),
        ],
        language="en",
        kind="table",
    ),
    Case(
        "repeated-rows-stay",
        wire(
            "BROWN-FORMAN INC <BFD> 4TH QTR NET",
            "Shr nil vs nil",
            "    Net 12.6 mln vs 15.8 mln",
            "    Nine mths",
            "    Shr nil vs nil",
            "    Net 66 mln vs 66.2 mln",
        ),
        "BROWN-FORMAN INC <BFD> 4TH QTR NET",
        [
            (B, "Shr nil vs nil"),
            (B, "Net 12.6 mln vs 15.8 mln"),
            (B, "Nine mths"),
            (B, "Shr nil vs nil"),
            (B, "Net 66 mln vs 66.2 mln"),
        ],
        language="en",
        kind="repeats",
    ),
    Case(
        "repeated-table-header-stays",
        wire(
            "OPEC OUTPUT BY COUNTRY",
            "    It gave this breakdown, in mln bpd",
            "                 JAN 1987  FEB 1987",
            "    SAUDI ARABIA    3.7       3.8",
            "    IRAN            2.2       1.9",
            "                 JAN 1987  FEB 1987",
            "    ALGERIA         0.6       0.6",
        ),
        "OPEC OUTPUT BY COUNTRY",
        [
            (B, "It gave this breakdown, in mln bpd"),
            (
                "table",
                "             JAN 1987  FEB 1987\nSAUDI ARABIA    3.7       3.8\nIRAN            2.2       1.9\n"
                "             JAN 1987  FEB 1987\nALGERIA         0.6       0.6",
            ),
        ],
        language="en",
        kind="table",
    ),
    Case(
        "repeated-prose-goes",
        "Storm closes schools\n\nA storm closed every school in the county on Monday.\n\n"
        "Officials said the roads were too dangerous for buses.\n\nA storm closed every school in the county on Monday.\n",
        "Storm closes schools",
        [
            (B, "A storm closed every school in the county on Monday."),
            (B, "Officials said the roads were too dangerous for buses."),
        ],
        language="en",
        repeats=1,
        kind="repeats",
    ),
    # --- long headlines
    Case(
        "long-headline",
        "Parliament approves sweeping overhaul of pension rules that will raise the retirement age for millions of "
        "workers over the next two decades, cut early-exit incentives and tie future payouts to life expectancy "
        "after a marathon overnight session\n\n"
        "The bill passed by a narrow margin after the government agreed to last-minute concessions.\n\n"
        "Unions have called a general strike for next week.\n",
        "Parliament approves sweeping overhaul of pension rules that will raise the retirement age for millions of "
        "workers over the next two decades, cut early-exit incentives and tie future payouts to life expectancy "
        "after a marathon overnight session",
        [
            (B, "The bill passed by a narrow margin after the government agreed to last-minute concessions."),
            (B, "Unions have called a general strike for next week."),
        ],
        language="en",
        kind="headline",
    ),
    # --- page furniture
    Case(
        "byline-dateline-credit",
        "Oil jumps as supply fears grow\n\nBy Jane Doe and John Smith, Reuters\n\n"
        "LONDON (Reuters) - Oil prices jumped on Monday as supply fears grew after the pipeline outage.\n\n"
        "Brent crude rose 3 percent to its highest level in a month.\n\n"
        "Reporting by Jane Doe; Editing by John Smith\n",
        "Oil jumps as supply fears grow",
        [
            ("byline", "By Jane Doe and John Smith, Reuters"),
            ("dateline", "LONDON (Reuters) -"),
            (B, "Oil prices jumped on Monday as supply fears grew after the pipeline outage."),
            (B, "Brent crude rose 3 percent to its highest level in a month."),
            ("credit", "Reporting by Jane Doe; Editing by John Smith"),
        ],
        language="en",
        byline="Jane Doe and John Smith",
        dateline="LONDON",
        kind="parts",
    ),
    Case(
        "dateline-with-date",
        "Stocks slide on rate worries\n\n"
        "NEW YORK, March 3, 2021 (Reuters) - Stocks fell sharply as investors worried about rising rates.\n\n"
        "The Nasdaq lost 2.7 percent, its worst day in a month.\n",
        "Stocks slide on rate worries",
        [
            ("dateline", "NEW YORK, March 3, 2021 (Reuters) -"),
            (B, "Stocks fell sharply as investors worried about rising rates."),
            (B, "The Nasdaq lost 2.7 percent, its worst day in a month."),
        ],
        language="en",
        dateline="NEW YORK, March 3, 2021",
        published="2021-03-03",
        kind="parts",
    ),
    Case(
        "captions-links-adverts",
        "Museum reopens after renovation\n\nPublished: 12 March 2021 Updated: 13 March 2021\n\n"
        "The city museum reopened on Saturday after a two-year renovation.\n\n"
        "Photo: Visitors queue outside the museum on Saturday.\n\nAdvertisement\n\n"
        "More than 5,000 people visited on the first day, organisers said.\n\n"
        "Read more: https://example.org/museum-history\n\nShare this article\n",
        "Museum reopens after renovation",
        [
            ("dateline", "Published: 12 March 2021 Updated: 13 March 2021"),
            (B, "The city museum reopened on Saturday after a two-year renovation."),
            ("caption", "Photo: Visitors queue outside the museum on Saturday."),
            ("advert", "Advertisement"),
            (B, "More than 5,000 people visited on the first day, organisers said."),
            ("link", "Read more: https://example.org/museum-history"),
            ("link", "Share this article"),
        ],
        language="en",
        published="2021-03-12",
        kind="parts",
    ),
    Case(
        "subheadings-and-lists",
        "How the new rules work\n\nThe new rules take effect in January and apply to every employer.\n\n"
        "## What changes\n\nEmployers must publish pay ranges in job adverts.\n\n"
        "- Pay ranges must be realistic.\n- Bonuses must be listed.\n\nWho is exempt\n\n"
        "Firms with fewer than ten staff are exempt from the rules.\n",
        "How the new rules work",
        [
            (B, "The new rules take effect in January and apply to every employer."),
            ("subheading", "What changes"),
            (B, "Employers must publish pay ranges in job adverts."),
            ("list_item", "- Pay ranges must be realistic."),
            ("list_item", "- Bonuses must be listed."),
            ("subheading", "Who is exempt"),
            (B, "Firms with fewer than ten staff are exempt from the rules."),
        ],
        language="en",
        kind="parts",
    ),
    Case(
        "house-layout-with-byline",
        "A summary line of the story, as the house layout prints it first.\n**Rail strike called off**\n\n"
        "**Rail strike called off**\nUnions and operators reached a deal late on Sunday.\n"
        "By Amira Khan\nThe strike planned for Monday will not go ahead, the union said.\n"
        "Talks will resume next month on the remaining issues.\n",
        "Rail strike called off",
        [
            ("byline", "By Amira Khan"),
            (B, "The strike planned for Monday will not go ahead, the union said."),
            (B, "Talks will resume next month on the remaining issues."),
        ],
        language="en",
        byline="Amira Khan",
        kind="parts",
        extra={
            "summary": "A summary line of the story, as the house layout prints it first.",
            "standfirst": "Unions and operators reached a deal late on Sunday.",
        },
    ),
    Case(
        "html-figure-caption",
        "<!DOCTYPE html><html><head><title>Bridge opens</title></head><body><h1>Bridge opens to traffic</h1>"
        "<p>The new bridge opened to traffic on Friday after four years of work.</p>"
        "<figure><img src='b.jpg'><figcaption>Photo: The bridge at dawn on Friday.</figcaption></figure>"
        "<p>Officials expect 40,000 vehicles a day to use it.</p></body></html>",
        "Bridge opens to traffic",
        [
            (B, "The new bridge opened to traffic on Friday after four years of work."),
            ("caption", "Photo: The bridge at dawn on Friday."),
            (B, "Officials expect 40,000 vehicles a day to use it."),
        ],
        language="en",
        kind="html",
    ),
    Case(
        "end-marks",
        "Ceasefire holds for a second day\n\nThe ceasefire held for a second day on Tuesday, officials said.\n\n"
        "Aid convoys reached the city for the first time in weeks.\n\n(END)\n",
        "Ceasefire holds for a second day",
        [
            (B, "The ceasefire held for a second day on Tuesday, officials said."),
            (B, "Aid convoys reached the city for the first time in weeks."),
            ("signoff", "(END)"),
        ],
        language="en",
        kind="parts",
    ),
]

_LANGUAGES = [
    (
        "spanish",
        "es",
        "El Gobierno aprueba el presupuesto",
        "El Gobierno aprobó este martes el presupuesto para el próximo año tras un largo debate.",
        "La oposición anunció que recurrirá la decisión ante los tribunales.",
    ),
    (
        "french",
        "fr",
        "Le gouvernement adopte le budget",
        "Le gouvernement a adopté mardi le budget de l'année prochaine après un long débat.",
        "L'opposition a annoncé qu'elle contesterait la décision devant les tribunaux.",
    ),
    (
        "german",
        "de",
        "Regierung beschließt den Haushalt",
        "Die Regierung hat am Dienstag den Haushalt für das kommende Jahr nach langer Debatte beschlossen.",
        "Die Opposition kündigte an, gegen die Entscheidung vor Gericht zu ziehen.",
    ),
    (
        "russian",
        "ru",
        "Правительство утвердило бюджет",
        "Правительство во вторник утвердило бюджет на следующий год после долгих обсуждений в парламенте.",
        "Оппозиция заявила, что обжалует это решение в суде в ближайшие недели.",
    ),
    (
        "greek",
        "el",
        "Η κυβέρνηση ενέκρινε τον προϋπολογισμό",
        "Η κυβέρνηση ενέκρινε την Τρίτη τον προϋπολογισμό του επόμενου έτους μετά από μακρά συζήτηση.",
        "Η αντιπολίτευση ανακοίνωσε ότι θα προσφύγει στα δικαστήρια κατά της απόφασης.",
    ),
    (
        "portuguese",
        "pt",
        "Governo aprova o orçamento",
        "O governo aprovou nesta terça-feira o orçamento para o próximo ano depois de um longo debate.",
        "A oposição anunciou que vai recorrer da decisão nos tribunais.",
    ),
    (
        "italian",
        "it",
        "Il governo approva il bilancio",
        "Il governo ha approvato martedì il bilancio per il prossimo anno dopo un lungo dibattito.",
        "L'opposizione ha annunciato che impugnerà la decisione in tribunale.",
    ),
    (
        "turkish",
        "tr",
        "Hükümet bütçeyi onayladı",
        "Hükümet salı günü uzun bir tartışmanın ardından gelecek yılın bütçesini onayladı.",
        "Muhalefet, karara karşı mahkemeye başvuracağını açıkladı.",
    ),
    (
        "indonesian",
        "id",
        "Pemerintah menyetujui anggaran",
        "Pemerintah pada hari Selasa menyetujui anggaran untuk tahun depan setelah perdebatan panjang.",
        "Pihak oposisi mengumumkan akan menggugat keputusan itu ke pengadilan.",
    ),
    (
        "ukrainian",
        "uk",
        "Уряд затвердив бюджет",
        "Уряд у вівторок затвердив бюджет на наступний рік після тривалого обговорення у парламенті.",
        "Опозиція заявила, що оскаржить це рішення в суді найближчими тижнями.",
    ),
]
CASES += [
    Case(
        f"language-{name}",
        f"{headline}\n\n{first}\n\n{second}\n",
        headline,
        [(B, first), (B, second)],
        language=code,
        kind="language",
    )
    for name, code, headline, first, second in _LANGUAGES
]


def write(folder: Path) -> list[Case]:
    """Write every case as ``<name>.txt`` (UTF-8) under ``folder`` and ``expected.json`` beside them."""
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        (folder / f"{case.name}.txt").write_bytes(case.text.encode(case.encoding))
    (folder / "expected.json").write_text(json.dumps([asdict(c) for c in CASES], ensure_ascii=False, indent=1))
    return CASES


if __name__ == "__main__":
    written = write(Path(sys.argv[1]))
    print(f"{len(written)} cases written to {sys.argv[1]}")
