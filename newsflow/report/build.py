"""Reads what the report shows from an output folder and writes the page (the I/O of ``newsflow report``)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from newsflow.load import publish
from newsflow.load.atomic import write_atomically
from newsflow.load.compaction import read_log
from newsflow.load.storage import Layout
from newsflow.report import data, page

TOP_STORIES = 15


def build_report(layout: Layout, destination: Path) -> Path:
    """Write the report of the output ``layout`` to ``destination`` (atomically); returns it."""
    runs = read_log(layout.runs, "runs").lazy()
    counts = {
        name: int(publish.scan(layout, table).select(pl.len()).collect().item())
        for name, table in [
            ("articles", "articles"),
            ("stories", "stories"),
            ("duplicates", "duplicates"),
            ("quarantined", "quarantine"),
        ]
    }
    html = page.render(
        output=str(layout.root.resolve()),
        counts=counts,
        runs=data.runs_over_time(runs),
        steps=data.step_seconds(runs),
        stories=data.largest_stories(publish.scan(layout, "stories"), top=TOP_STORIES),
        reasons=data.quarantine_reasons(publish.scan(layout, "quarantine")),
    )
    write_atomically(destination, lambda partial: partial.write_text(html, encoding="utf-8"))
    return destination
