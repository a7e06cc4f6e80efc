"""The report as one self-contained HTML page: inline styles and SVG charts, nothing fetched."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

import polars as pl

from newsflow.report import charts

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #1d2329; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; }
.meta { color: #5b6670; } .cards { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1.2rem 0; }
.card { border: 1px solid #d5dbe0; border-radius: 8px; padding: .7rem 1.1rem; min-width: 8rem; }
.card b { display: block; font-size: 1.5rem; } table { border-collapse: collapse; width: 100%; margin-top: .6rem; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #e6eaee; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; } svg { max-width: 100%; height: auto; }
.empty { color: #5b6670; font-style: italic; }
"""


def _cards(counts: dict[str, int]) -> str:
    return "".join(f'<div class="card"><b>{n:,}</b>{escape(name)}</div>' for name, n in counts.items())


def _table(frame: pl.DataFrame, columns: dict[str, str]) -> str:
    head = "".join(
        f'<th class="{"n" if frame.schema[c].is_numeric() else ""}">{escape(label)}</th>'
        for c, label in columns.items()
    )
    rows = []
    for row in frame.select(list(columns)).iter_rows(named=True):
        cells = []
        for column, value in row.items():
            numeric = frame.schema[column].is_numeric()
            text = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else value
            if isinstance(value, datetime):
                text = f"{value:%Y-%m-%d %H:%M}"
            cells.append(f'<td class="{"n" if numeric else ""}">{escape(str(text))}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _section(title: str, body: str, *, empty: str) -> str:
    shown = body or f'<p class="empty">{escape(empty)}</p>'
    return f"<section><h2>{escape(title)}</h2>{shown}</section>"


def render(
    *,
    output: str,
    counts: dict[str, int],
    runs: pl.DataFrame,
    steps: pl.DataFrame,
    stories: pl.DataFrame,
    reasons: pl.DataFrame,
    generated_at: datetime | None = None,
) -> str:
    """The page: headline counts, runs over time, seconds per step, the largest stories, the quarantine."""
    generated = generated_at or datetime.now(UTC)
    recent = runs.reverse().head(20).with_columns(pl.col("outcome").str.replace_all("_", " "))
    sections = [
        _section("Runs over time", charts.outcomes_chart(runs) if runs.height else "", empty="No run yet."),
        _section("Seconds per step", charts.seconds_chart(steps) if steps.height else "", empty="No run yet."),
        _section(
            "Largest stories",
            (
                charts.spans_chart(stories)
                + _table(
                    stories,
                    {
                        "headline": "headline",
                        "article_count": "articles",
                        "first_seen": "first seen",
                        "last_seen": "last seen",
                        "days": "days",
                    },
                )
            )
            if stories.height
            else "",
            empty="No story has more than one article yet.",
        ),
        _section(
            "Quarantine",
            (charts.reasons_chart(reasons) + _table(reasons, {"reason": "reason", "files": "files"}))
            if reasons.height
            else "",
            empty="Nothing quarantined.",
        ),
        _section(
            "Recent runs",
            _table(
                recent,
                {
                    "started_at": "started (UTC)",
                    "outcome": "outcome",
                    "files_new": "new files",
                    "curated": "curated",
                    "duplicates": "duplicates",
                    "quarantined": "quarantined",
                    "seconds": "seconds",
                },
            )
            if recent.height
            else "",
            empty="No run yet.",
        ),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>newsflow report: {escape(output)}</title><style>{STYLE}</style></head><body>"
        f'<h1>newsflow report</h1><p class="meta">{escape(output)} · {runs.height:,} run(s) · '
        f'generated {generated:%Y-%m-%d %H:%M} UTC</p><div class="cards">{_cards(counts)}</div>'
        + "".join(sections)
        + "</body></html>\n"
    )
