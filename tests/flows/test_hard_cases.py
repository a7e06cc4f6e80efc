"""The hard-case corpus (``tests/hard_cases``) through the real flow: every case curated with the headline,
paragraph roles and texts, language and article fields it must have, read back with DuckDB."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.ingest import ingest
from tests.flows.test_ingest import rows
from tests.hard_cases.corpus import CASES, write

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hard-cases")
    write(root / "in")
    summary = ingest(source=str(root / "in"), output=str(root / "out"))
    assert summary["validation"] == "passed" and summary["published"]
    assert summary["curated"] == len(CASES) and summary["quarantined_total"] == 0
    return root / "out"


def test_there_are_at_least_forty_cases_of_every_kind() -> None:
    kinds = {case.kind for case in CASES}
    assert len(CASES) >= 40
    assert {"unicode", "cjk", "hyphen", "reflow", "table", "repeats", "headline", "parts", "html", "language"} <= kinds


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case_comes_out_as_it_went_in(case: object, published: Path) -> None:
    from tests.hard_cases.corpus import Case

    assert isinstance(case, Case)
    (article,) = rows(
        published,
        "articles",
        "select article_id, headline, language, byline, dateline, cast(published as varchar), "
        f"repeated_paragraphs_removed, summary, standfirst from t where source_path = '{case.name}.txt'",
    )
    article_id, headline, language, byline, dateline, date, repeats, summary, standfirst = article
    assert headline == case.headline
    paragraphs = rows(
        published, "paragraphs", f"select role, text from t where article_id = '{article_id}' order by position"
    )
    assert paragraphs == case.paragraphs
    assert language == case.language
    assert repeats == case.repeats
    for name, value in {"byline": byline, "dateline": dateline, "published": date}.items():
        if getattr(case, name) is not None:
            assert value == getattr(case, name), name
    for name, value in {"summary": summary, "standfirst": standfirst}.items():
        if name in case.extra:
            assert value == case.extra[name], name
