"""Corrections, retractions and reprocessing through the real flows: the current tables stay true."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.ingest import ingest
from flows.reprocess import reprocess
from newsflow.cli import EXIT_USAGE, main
from newsflow.load.storage import Layout
from tests.conftest import SEEDS
from tests.faults.crash import build_corpus
from tests.flows.test_dedup_stories import explain_text, outcomes
from tests.flows.test_ingest import rows

pytestmark = pytest.mark.usefixtures("prefect_server")

CORRECTION = ("Sheinbaum", "Sheinbaum Pardo")


def landing(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of the seeds, the output folder, and the first seed (the file the tests change)."""
    source = tmp_path / "in"
    shutil.copytree(SEEDS, source)
    return source, tmp_path / "out", next(source.glob("000_*.txt"))


def correct(path: Path, old: str, new: str) -> None:
    """Change ``old`` to ``new`` in the body (every line after the headline block), as an editor would."""
    lines = path.read_text(encoding="utf-8").split("\n")
    body = [line.replace(old, new) for line in lines[5:]]
    assert body != lines[5:], f"{old!r} is not in the body of {path.name}"
    path.write_text("\n".join(lines[:5] + body), encoding="utf-8")


def test_a_corrected_file_replaces_its_article_and_keeps_the_old_text(tmp_path: Path) -> None:
    source, output, seed = landing(tmp_path)
    ingest(source=str(source), output=str(output))
    ((old_id, old_body),) = rows(
        output, "articles", f"select article_id, body from t where source_path = '{seed.name}'"
    )
    correct(seed, *CORRECTION)
    (source / "empty.txt").write_bytes(b"")  # quarantined in the same run

    summary = ingest(source=str(source), output=str(output))
    assert summary["curated"] == 1 and summary["counters"]["versions"]["corrected"] == 1
    assert summary["quarantined"] == {"empty": 1}
    assert rows(output, "quarantine", "select source_path, reason from t") == [("empty.txt", "empty")]
    current = rows(output, "articles", f"select article_id, body, story_id from t where source_path = '{seed.name}'")
    ((new_id, new_body, story),) = current  # exactly one row for the file: the new text only
    assert new_id != old_id and "Sheinbaum Pardo" in new_body and new_body != old_body
    assert rows(output, "article_versions", "select article_id, change, superseded_by, body from t") == [
        (old_id, "corrected", new_id, old_body)
    ]
    statuses = rows(output, "files", f"select status from t where source_path = '{seed.name}' order by ingested_at")
    assert statuses == [("superseded",), ("curated",)]
    told = explain_text(output, seed.name)
    assert "version 1," in told and "superseded by a later version" in told and old_id in told
    assert "version 2," in told and f"curated as article {new_id}" in told
    assert rows(output, "paragraphs", f"select count(*) from t where article_id = '{old_id}'") == [(0,)]
    # The two seeds still tell one story, now named after the corrected text, which founded it.
    assert {s for (s,) in rows(output, "articles", "select story_id from t")} == {story}
    assert rows(output, "stories", "select story_id, article_count from t") == [(story, 2)]


def test_a_correction_that_copies_an_earlier_article_is_its_duplicate(tmp_path: Path) -> None:
    source, output, seed = landing(tmp_path)
    ingest(source=str(source), output=str(output))
    later = next(source.glob("001_*.txt"))
    later.write_bytes(seed.read_bytes() + b"\n")  # now the text of the file that arrived before it
    summary = ingest(source=str(source), output=str(output))
    assert summary["duplicates"] == 1 and summary["curated"] == 0
    assert rows(output, "articles", "select source_path from t") == [(seed.name,)]
    ((duplicate_of,),) = rows(output, "duplicates", f"select duplicate_of from t where source_path = '{later.name}'")
    assert rows(output, "articles", "select article_id from t") == [(duplicate_of,)]
    assert rows(output, "article_versions", "select source_path, change from t") == [(later.name, "corrected")]


def test_retract_and_restore_survive_a_rerun_of_the_same_bytes(tmp_path: Path) -> None:
    source, output, seed = landing(tmp_path)
    ingest(source=str(source), output=str(output))
    ((article_id,),) = rows(output, "articles", f"select article_id from t where source_path = '{seed.name}'")

    changed = reprocess(output=str(output), retract=[seed.name], reason="legal: court order 12/34")
    assert changed["retracted"] == 1 and changed["curated_after"] == 1
    assert rows(output, "articles", f"select count(*) from t where article_id = '{article_id}'") == [(0,)]
    assert rows(output, "retractions", "select article_id, source_path, action, reason from t") == [
        (article_id, seed.name, "retract", "legal: court order 12/34")
    ]
    assert rows(output, "article_versions", "select article_id, change from t") == [(article_id, "retracted")]

    # The same bytes again, touched and under another path: never curated again.
    seed.touch()
    shutil.copy(seed, source / "again.txt")
    summary = ingest(source=str(source), output=str(output))
    assert summary["retracted"] == 1 and summary["curated"] == 0
    assert rows(output, "files", "select status from t where source_path = 'again.txt'") == [("retracted",)]
    assert "legal: court order 12/34" in explain_text(output, "again.txt")
    assert rows(output, "articles", f"select count(*) from t where article_id = '{article_id}'") == [(0,)]
    with pytest.raises(LookupError, match="already retracted"):
        reprocess(output=str(output), retract=[article_id], reason="twice")

    restored = reprocess(output=str(output), restore=[article_id], reason="order lifted")
    assert restored["restored"] == 1 and restored["curated_after"] == 2
    assert rows(output, "articles", f"select source_path from t where article_id = '{article_id}'") == [(seed.name,)]
    # The copy that arrived while it was retracted is now its exact duplicate.
    assert rows(output, "duplicates", "select source_path, duplicate_of, kind from t") == [
        ("again.txt", article_id, "exact")
    ]
    actions = rows(output, "retractions", "select action from t order by ingested_at")
    assert actions == [("retract",), ("restore",)]


def test_reprocess_applies_a_new_threshold_and_then_changes_nothing(tmp_path: Path) -> None:
    source, output, seed = landing(tmp_path)
    near = seed.read_text(encoding="utf-8").replace("firmly rejected", "firmly rejcted")
    (source / "copy.txt").write_text(near + "\nCopyright 2025 Wire Service. All rights reserved.\n", encoding="utf-8")
    ingest(source=str(source), output=str(output))
    assert rows(output, "duplicates", "select source_path, kind from t") == [("copy.txt", "near")]

    strict = {
        "near_duplicate_threshold": 0.99,
        "near_duplicate_containment": 0.999,
        "near_duplicate_bigram_jaccard": 0.999,
        "near_duplicate_bigram_containment": 0.999,
        "near_duplicate_edited_bigram_containment": 0.999,
        "near_duplicate_edited_containment": 0.999,
    }
    changed = reprocess(output=str(output), settings=strict)
    assert (changed["stopped_being_duplicates"], changed["became_duplicates"]) == (1, 0)
    assert changed["curated_after"] == changed["curated_before"] + 1
    assert rows(output, "duplicates", "select count(*) from t") == [(0,)]
    assert rows(output, "files", "select status from t where source_path = 'copy.txt'") == [("curated",)]
    before = outcomes(output)

    again = reprocess(output=str(output), settings=strict)
    assert not again["changed"] and outcomes(output) == before
    back = reprocess(output=str(output))
    assert back["became_duplicates"] == 1 and rows(output, "duplicates", "select source_path from t") == [("copy.txt",)]


def test_retracting_what_does_not_exist_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, output, _ = landing(tmp_path)
    ingest(source=str(source), output=str(output))
    code = main(["retract", "no-such-file.txt", "--reason", "test", "--output", str(output)])
    assert code == EXIT_USAGE and "no-such-file.txt" in capsys.readouterr().err
    assert main(["retract", "x", "--reason", "test", "--output", str(tmp_path / "empty")]) == EXIT_USAGE


def test_bbc_in_ten_runs_with_corrections_and_retractions_ends_as_one_run_over_the_final_files(
    bbc: Path, tmp_path: Path
) -> None:
    """Ten runs each adding the next tenth of the files, with files corrected (one of them an exact copy of
    another file, so the correction breaks a duplicate) and articles retracted in between, end with the
    same current tables as one run over the final files with the same retractions."""
    files = sorted(path.relative_to(bbc).as_posix() for path in bbc.rglob("*.txt"))
    tenth = -(-len(files) // 10)
    chunks = [files[start : start + tenth] for start in range(0, len(files), tenth)]
    by_bytes: dict[bytes, list[str]] = {}
    for name in files:
        by_bytes.setdefault((bbc / name).read_bytes(), []).append(name)
    copied = next(names[0] for names in by_bytes.values() if len(names) > 1 and names[0] in chunks[0])
    corrections = {2: [chunks[0][0], copied], 6: [chunks[3][5]]}
    retractions = {4: [chunks[1][7]], 7: [chunks[2][3]]}
    landing, output = tmp_path / "landing", tmp_path / "ten"

    def correct_file(name: str) -> None:
        path = landing / name
        text = path.read_text(encoding="latin-1")
        path.write_text(
            text.rstrip("\n") + f"\n\nCorrection: an earlier version of this report ({name}) misstated a figure.\n",
            encoding="latin-1",
        )

    for number, chunk in enumerate(chunks):
        for name in chunk:
            (landing / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(bbc / name, landing / name)
        for name in corrections.get(number, []):
            correct_file(name)
        ingest(source=str(landing), output=str(output))
        for name in retractions.get(number, []):
            reprocess(output=str(output), retract=[name], reason="test")
    retracted = [name for names in retractions.values() for name in names]
    assert rows(output, "article_versions", "select change, count(*) from t group by change order by change") == [
        ("corrected", 3),
        ("retracted", 2),
    ]

    once = tmp_path / "once"
    ingest(source=str(landing), output=str(once))
    for name in retracted:
        reprocess(output=str(once), retract=[name], reason="test")
    assert outcomes(output) == outcomes(once)
    assert rows(output, "articles", "select count(*) from t") == rows(once, "articles", "select count(*) from t")
    for name in retracted:
        assert rows(output, "articles", f"select count(*) from t where source_path = '{name}'") == [(0,)]


def test_a_run_on_tables_published_before_a_state_table_existed_rebuilds_them(tmp_path: Path) -> None:
    """A snapshot of an older newsflow lacks a state table the steps now read (here ``term_postings``): the
    next run with new files rebuilds every table, and ends as one run over all the files would."""
    source, output, seed = landing(tmp_path)
    build_corpus(source / "desk", files=40, seed=4)
    ingest(source=str(source), output=str(output))
    shutil.rmtree(Layout(output).table("term_postings"))  # as an older newsflow published it
    late = source / "zz" / "late.txt"  # last in path order, as in a single run
    late.parent.mkdir()
    late.write_text(seed.read_text(encoding="utf-8").replace("firmly rejected", "rejected"), encoding="utf-8")

    summary = ingest(source=str(source), output=str(output))
    once = tmp_path / "once"
    ingest(source=str(source), output=str(once))
    assert summary["outcome"] == "published" and summary["counters"]["versions"]["corrected"] == 0
    assert outcomes(output) == outcomes(once)
    postings = "select article_id, term, weight from t order by all"
    assert rows(output, "term_postings", postings) == rows(once, "term_postings", postings) != []
