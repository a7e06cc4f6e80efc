"""Reading the registry: Polars schemas, conforming frames, the data dictionary."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from newsflow.reasons import MEANINGS, DuplicateKind, Reason, Status
from newsflow.tables.registry import CURATED, LOGS, TABLES
from newsflow.tables.schemas import DATE, STRING, TIMESTAMP
from newsflow.transform.roles import BODY_ROLES
from newsflow.transform.roles import MEANINGS as ROLE_MEANINGS

_POLARS_TYPES: dict[pa.DataType, pl.DataType] = {
    STRING: pl.String(),
    TIMESTAMP: pl.Datetime("us", "UTC"),
    DATE: pl.Date(),
    pa.bool_(): pl.Boolean(),
    pa.float64(): pl.Float64(),
    pa.int32(): pl.Int32(),
    pa.int64(): pl.Int64(),
    pa.uint8(): pl.UInt8(),
    pa.uint64(): pl.UInt64(),
    pa.large_list(pa.uint64()): pl.List(pl.UInt64),
    pa.large_list(STRING): pl.List(pl.String),
}
"""The Polars type of each Arrow type the schemas use. ``pl.from_arrow`` would do, but it imports
pandas, which a run with nothing new has no other use for."""


_CODES = (
    ("Statuses", "files.status", tuple(Status)),
    ("Quarantine reasons", "quarantine.reason", tuple(Reason)),
    ("Duplicate kinds", "duplicates.kind", tuple(DuplicateKind)),
)


def polars_schema(table: str) -> pl.Schema:
    """The Polars schema matching the table's Arrow schema."""
    return pl.Schema({field.name: _POLARS_TYPES[field.type] for field in TABLES[table].schema})


def conform(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """``frame`` with exactly the table's columns, order and types.

    Raises ``KeyError`` naming the missing columns, so a wiring mistake is obvious.
    """
    schema = polars_schema(table)
    missing = [name for name in schema.names() if name not in frame.columns]
    if missing:
        raise KeyError(f"{table}: frame lacks column(s) {', '.join(missing)}")
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


def empty(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(table))


def data_dictionary() -> str:
    """The data dictionary, as markdown, generated from the registry."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from `newsflow/tables/` by `newsflow docs`; do not edit by hand.",
        "Every column's description is also stored in the Parquet files' Arrow schema metadata.",
        "",
    ]
    for name in (*CURATED, *LOGS):
        table = TABLES[name]
        lines += [f"## `{name}`", "", table.description, ""]
        lines += [f"Key: {', '.join(f'`{c}`' for c in table.key)}; {table.writes}.", ""]
        lines += ["| column | type | nullable | description |", "| --- | --- | --- | --- |"]
        for field in table.schema:
            about = (field.metadata or {}).get(b"description", b"").decode()
            lines.append(f"| `{field.name}` | {field.type} | {'yes' if field.nullable else 'no'} | {about} |")
        lines.append("")
    for title, column, codes in _CODES:
        lines += [f"## {title} (`{column}`)", "", "| code | meaning |", "| --- | --- |"]
        lines += [f"| `{code.value}` | {MEANINGS[code]} |" for code in codes]
        lines.append("")
    lines += ["## Paragraph roles (`paragraphs.role`)", "", f"In `articles.body`: {', '.join(BODY_ROLES)}.", ""]
    lines += ["| role | what |", "| --- | --- |", *(f"| `{role}` | {what} |" for role, what in ROLE_MEANINGS.items())]
    lines.append("")
    return "\n".join(lines)
