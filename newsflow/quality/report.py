"""The validation result as markdown, for a Prefect artifact."""

from __future__ import annotations

from newsflow.quality.gate import Outcome


def markdown_report(outcome: Outcome | None, *, data_docs: str | None) -> str:
    """The validation result as markdown, for a Prefect artifact; ``data_docs``: the Data Docs' address."""
    if outcome is None:
        return "# Validation\n\nNothing new to validate in this run; the published tables are unchanged.\n"
    verdict = "passed" if outcome.success else "**failed**: nothing was published"
    lines = [f"# Validation {verdict}", "", "| table | result |", "| --- | --- |"]
    lines += [f"| `{table}` | {'passed' if ok else 'FAILED'} |" for table, ok in outcome.tables.items()]
    lines += ["", f"{outcome.evaluated} expectations evaluated."]
    if outcome.failures:
        lines += ["", "## Failed expectations", ""] + [f"- `{f}`" for f in outcome.failures]
    if data_docs:
        lines += ["", f"[Great Expectations Data Docs]({data_docs})"]
    return "\n".join(lines) + "\n"
