"""A quality gate made to fail, for the tests of what a failed gate does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from newsflow.quality.suites import EXPECTATIONS_DIR


def failing_gate(source: Path, suites: Path, *, max_words: int) -> dict[str, str]:
    """Copy the suites to ``suites`` with a word-count cap, and drop a longer article into ``source``.

    Returns the ``settings`` overrides that make a run use those suites (and fail).
    """
    shutil.copytree(EXPECTATIONS_DIR, suites)
    articles_suite = suites / "articles.json"
    suite = json.loads(articles_suite.read_text())
    cap = {"column": "word_count", "max_value": max_words}
    suite["expectations"].append({"type": "expect_column_values_to_be_between", "kwargs": cap, "meta": {}})
    articles_suite.write_text(json.dumps(suite))
    (source / "late.txt").write_text("A Late Headline\n\n" + "Many words in this paragraph. " * 20 + "\n")
    return {"expectations_dir": str(suites)}
