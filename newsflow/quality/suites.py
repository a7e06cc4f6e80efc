"""The stored expectation suites: one JSON file per curated table, in Great Expectations' own serialization.

They live in the repository's ``expectations/`` folder and ship inside the wheel as
``newsflow/_expectations`` (``pyproject.toml``), so an installed newsflow finds them
wherever it runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any


class SuiteError(ValueError):
    """An expectation suite file is missing or invalid."""


def _bundled() -> Path:
    """The suites: inside an installed package, else the checkout's ``expectations/``."""
    packaged = Path(str(resources.files("newsflow"))) / "_expectations"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "expectations"


EXPECTATIONS_DIR = _bundled()


def load_suite(table: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    path = directory / f"{table}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SuiteError(f"cannot read expectation suite {path}: {exc}") from exc
    if data.get("name") != table or not isinstance(data.get("expectations"), list):
        raise SuiteError(f"{path}: expected a suite named {table!r} with a list of expectations")
    return data


def referenced_columns(suite: Mapping[str, Any]) -> set[str]:
    columns: set[str] = set()
    for expectation in suite["expectations"]:
        kwargs = expectation.get("kwargs", {})
        columns.update(str(kwargs[k]) for k in ("column", "column_A", "column_B") if k in kwargs)
        columns.update(kwargs.get("column_list", []))
    return columns
