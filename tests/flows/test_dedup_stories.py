"""Near duplicates, boilerplate and stories through the real flow, across runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.ingest import ingest
from newsflow.explain import NoTablesError, explain
from newsflow.load import publish
from newsflow.load.storage import Layout
from tests.conftest import SEEDS
from tests.flows.test_ingest import rows

pytestmark = pytest.mark.usefixtures("prefect_server")

FOOTER = (
    "Follow our live coverage of the campaign on our website and in the app, and sign up for the morning "
    "briefing to get the day's top stories delivered to your inbox before breakfast every weekday."
)


def explain_text(output: Path, key: str) -> str:
    layout = Layout(output)
    return explain(lambda table: publish.scan(layout, table), key)


def test_seeds_share_a_story_and_both_stay(tmp_path: Path) -> None:
    output = tmp_path / "out"
    summary = ingest(source=str(SEEDS), output=str(output))
    assert summary["curated"] == 2 and summary["stories"] == 1
    (story,) = rows(output, "stories", "select story_id, article_count from t")
    assert story[1] == 2
    assert {s for (s,) in rows(output, "articles", "select story_id from t")} == {story[0]}


def test_near_copy_in_a_later_run_is_caught_and_explained(tmp_path: Path) -> None:
    source, output = tmp_path / "in", tmp_path / "out"
    shutil.copytree(SEEDS, source)
    ingest(source=str(source), output=str(output))
    original = next(source.glob("000_*.txt")).read_text(encoding="utf-8")
    near = (
        original.replace("firmly rejected", "firmly rejcted") + "\nCopyright 2025 Wire Service. All rights reserved.\n"
    )
    (source / "late" / "copy.txt").parent.mkdir()
    (source / "late" / "copy.txt").write_text(near, encoding="utf-8")

    summary = ingest(source=str(source), output=str(output))
    assert summary["duplicates_by_kind"] == {"near": 1} and summary["curated"] == 0
    ((kind, duplicate_of, similarity),) = rows(
        output, "duplicates", "select kind, duplicate_of, similarity from t where source_path = 'late/copy.txt'"
    )
    ((seed_id,),) = rows(output, "articles", "select article_id from t where source_path like '000_%'")
    assert (kind, duplicate_of) == ("near", seed_id) and 0.75 <= similarity < 1
    text = explain_text(output, "late/copy.txt")
    assert "near duplicate of article" in text and seed_id in text and "Jaccard" in text


def test_boilerplate_is_flagged_and_does_not_make_duplicates(tmp_path: Path) -> None:
    source, output = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    topics = ["rail strike", "harbour bridge", "school meals", "city budget", "river flood", "museum reopening"]
    for i, topic in enumerate(topics):
        body = f"Officials gave an update on the {topic} on day {i}, with more details expected later."
        (source / f"{i}.txt").write_text(f"News about the {topic}\n\n{body}\n\n{FOOTER}\n", encoding="utf-8")
    summary = ingest(source=str(source), output=str(output))
    assert summary["curated"] == len(topics) and summary["duplicates"] == 0
    assert summary["boilerplate_paragraphs"] == len(topics)
    flagged = rows(output, "paragraphs", "select distinct text from t where is_boilerplate")
    assert flagged == [(FOOTER,)]


def test_explain_exact_duplicate_and_quarantine(tmp_path: Path) -> None:
    source, output = tmp_path / "in", tmp_path / "out"
    shutil.copytree(SEEDS, source)
    seed = next(source.glob("001_*.txt"))
    shutil.copy(seed, source / "zz-copy.txt")
    (source / "zz-empty.txt").write_bytes(b"")
    with pytest.raises(NoTablesError, match="no published tables here"):
        explain_text(output, "zz-copy.txt")
    ingest(source=str(source), output=str(output))
    copy = explain_text(output, "zz-copy.txt")
    assert "exact duplicate of article" in copy and "rule that fired" in copy
    assert explain_text(output, str(source / "zz-copy.txt")) == copy  # a path to the file, as a shell completes it
    empty = explain_text(output, "zz-empty.txt")
    assert "reason empty" in empty and "None" not in empty
    with pytest.raises(LookupError):
        explain_text(output, "missing.txt")

    # every version of a changed file, oldest first
    seed.write_text(seed.read_text(encoding="utf-8") + "\nA paragraph added later, in a second version.\n")
    ingest(source=str(source), output=str(output))
    versions = explain_text(output, seed.name)
    assert f"{seed.name}: 2 version(s) ingested" in versions
    assert "version 1," in versions and "version 2," in versions


def outcomes(output: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    stories = rows(output, "articles", "select source_path, article_id, story_id from t order by source_path")
    copies = rows(output, "duplicates", "select source_path, duplicate_of, kind, rule from t order by source_path")
    return stories, copies


def test_bbc_gives_the_same_duplicates_and_stories_in_one_run_in_windows_and_in_ten_runs(
    bbc: Path, tmp_path: Path
) -> None:
    """Files arriving in path order: one run, one run in windows of 200 files, and ten consecutive runs
    each adding the next tenth of the files make the same duplicates and stories, ids included."""
    ingest(source=str(bbc), output=str(tmp_path / "one"))
    once = outcomes(tmp_path / "one")
    assert len({story for _, _, story in once[0]}) < len(once[0])  # some stories have several articles
    ingest(source=str(bbc), output=str(tmp_path / "windows"), settings={"window_files": 200})
    assert outcomes(tmp_path / "windows") == once

    files = sorted(path.relative_to(bbc).as_posix() for path in bbc.rglob("*.txt"))
    landing = tmp_path / "landing"
    tenth = -(-len(files) // 10)
    for start in range(0, len(files), tenth):
        for name in files[start : start + tenth]:
            (landing / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(bbc / name, landing / name)
        ingest(source=str(landing), output=str(tmp_path / "ten"))
    assert outcomes(tmp_path / "ten") == once
