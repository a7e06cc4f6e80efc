"""The quality gate: Great Expectations suites (``quality.suites``) run on views of a run's tables (``quality.views``).

Rules GE cannot state on one table directly (positions contiguous, every
``duplicate_of`` known, row counts reconciling across tables) are expressed as
derived columns on a validation view of each table (``validation_views``), which
the stored suites then check like any other column.
"""

from __future__ import annotations

import logging
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from newsflow.quality.docs_site import localize
from newsflow.quality.suites import EXPECTATIONS_DIR, SuiteError, load_suite, referenced_columns
from newsflow.tables.registry import CURATED, TABLES

_SITE = "newsflow"
_SAMPLES = 5


class QualityGateError(RuntimeError):
    """Validation failed; nothing was published. The message names the failed expectations."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of validating one run's tables."""

    success: bool
    evaluated: int
    tables: dict[str, bool]
    failures: list[str] = field(default_factory=list)
    data_docs: Path | None = None

    @classmethod
    def combine(cls, outcomes: Sequence[Outcome]) -> Outcome:
        """One outcome for a run validated window by window: it passes when every window passed."""
        tables: dict[str, bool] = {}
        for outcome in outcomes:
            for table, passed in outcome.tables.items():
                tables[table] = tables.get(table, True) and passed
        return cls(
            success=all(o.success for o in outcomes),
            evaluated=sum(o.evaluated for o in outcomes),
            tables=tables,
            failures=[f for o in outcomes for f in o.failures],
            data_docs=outcomes[-1].data_docs if outcomes else None,
        )

    def message(self) -> str:
        lines = [f"{len(self.failures)} expectation(s) failed:"] + [f"  - {f}" for f in self.failures]
        if self.data_docs:
            lines.append(f"Data Docs: {self.data_docs}")
        return "\n".join(lines)


def _quiet() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logger = logging.getLogger("great_expectations")
    logger.setLevel(logging.ERROR)
    logger.addHandler(logging.NullHandler())
    warnings.filterwarnings("ignore", module=r"great_expectations(\.|$)")


def _plain(value: Any) -> Any:
    """numpy scalars to Python, NaN (pandas' missing string) to None, for messages."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _describe_failure(table: str, result: Any) -> str:
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    details = result.result or {}
    text = f"{table}: {config.type}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
    if details.get("unexpected_count") is not None:
        rows = _plain(details.get("partial_unexpected_index_list") or details.get("partial_unexpected_list") or [])
        text += f": {details['unexpected_count']} unexpected row(s), e.g. {rows[:_SAMPLES]}"
    elif "observed_value" in details:
        text += f": observed {_plain(details['observed_value'])!r}"
    if (result.exception_info or {}).get("raised_exception"):
        text += f" (raised: {result.exception_info.get('exception_message')})"
    return text


class Gate:
    """The quality gate of one run: a Great Expectations context holding the stored suites, built once
    and used by every window.

    Building it costs seconds (importing Great Expectations above all), so a run builds
    it once, not once per window. Data Docs under ``docs_dir``
    then list every window's results, one run name each.
    """

    def __init__(self, *, docs_dir: Path, suites_dir: Path = EXPECTATIONS_DIR) -> None:
        _quiet()
        import great_expectations as gx
        from great_expectations.checkpoint.checkpoint import Checkpoint
        from great_expectations.core.expectation_suite import ExpectationSuite
        from great_expectations.core.validation_definition import ValidationDefinition
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )
        from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

        self.docs_dir = docs_dir.resolve()
        # Views that keep compiled page templates between builds (see ``newsflow.quality.docs_views``).
        view = {"module_name": "newsflow.quality.docs_views", "class_name": "PageView"}
        context = gx.get_context(
            mode="ephemeral",
            project_config=DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                data_docs_sites={
                    _SITE: {
                        "class_name": "SiteBuilder",
                        "show_how_to_buttons": False,
                        "store_backend": {
                            "class_name": "TupleFilesystemStoreBackend",
                            "base_directory": str(self.docs_dir),
                        },
                        "site_index_builder": {
                            "class_name": "DefaultSiteIndexBuilder",
                            "view": {"module_name": "newsflow.quality.docs_views", "class_name": "IndexPageView"},
                        },
                        "site_section_builders": {"expectations": {"view": view}, "validations": {"view": view}},
                    }
                },
                analytics_enabled=False,
                progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
            ),
        )
        # One data asset per table, so Data Docs name the table each result is about.
        source = context.data_sources.add_pandas("newsflow")
        self._context = context
        self._checkpoints: dict[str, tuple[Any, list[str]]] = {}
        # Suite pages are the same for every window: built with the first window's results.
        self._undocumented_suites: list[Any] = []
        for table in CURATED:
            key = list(TABLES[table].key)
            data = load_suite(table, suites_dir)
            suite = ExpectationSuite(**data)
            if len(suite.expectations) != len(data["expectations"]):
                raise SuiteError(f"{suites_dir / f'{table}.json'}: some expectations are invalid (see log)")
            suite = context.suites.add(suite)
            self._undocumented_suites.append(ExpectationSuiteIdentifier(name=suite.name))
            asset = source.add_dataframe_asset(table)
            batch = asset.add_batch_definition_whole_dataframe(f"{table} rows of the window")
            definition = context.validation_definitions.add(ValidationDefinition(name=table, data=batch, suite=suite))
            checkpoint = context.checkpoints.add(
                Checkpoint(
                    name=table,
                    validation_definitions=[definition],
                    result_format={
                        "result_format": "SUMMARY",
                        "partial_unexpected_count": _SAMPLES,
                        "unexpected_index_column_names": key,
                    },
                )
            )
            self._checkpoints[table] = (checkpoint, sorted(referenced_columns(data) | set(key)))

    @property
    def columns(self) -> dict[str, list[str]]:
        """The columns of each table's view that its suite reads (its key included): all that ``validate`` uses."""
        return {table: columns for table, (_, columns) in self._checkpoints.items()}

    def validate(
        self, views: Mapping[str, pl.DataFrame], parameters: Mapping[str, Any], *, run_name: str = "run"
    ) -> Outcome:
        """Validate every table view with its stored suite; ``run_name`` names the results in Data Docs."""
        from great_expectations.core.run_identifier import RunIdentifier

        missing = set(self._checkpoints) - set(views)
        if missing:
            raise ValueError(f"no view of table(s) {', '.join(sorted(missing))} to validate")
        failures: list[str] = []
        verdicts: dict[str, bool] = {}
        evaluated = 0
        documented: list[Any] = []
        for table, (checkpoint, columns) in self._checkpoints.items():
            result = checkpoint.run(
                batch_parameters={"dataframe": views[table].select(columns).to_pandas()},
                expectation_parameters=dict(parameters),
                run_id=RunIdentifier(run_name=run_name),
            )
            verdicts[table] = bool(result.success)
            documented += result.run_results.keys()
            for validation in result.run_results.values():
                evaluated += validation.statistics["evaluated_expectations"]
                failures += [_describe_failure(table, r) for r in validation.results if not r.success]
        # Once per window, not per table (GE's UpdateDataDocsAction): each build renders the index,
        # which loads every result held so far: per-table builds made a window's gate grow with the windows.
        self._context.build_data_docs(site_names=[_SITE], resource_identifiers=documented + self._undocumented_suites)
        self._undocumented_suites = []
        localize(self.docs_dir)
        index = self.docs_dir / "index.html"
        return Outcome(
            success=all(verdicts.values()),
            evaluated=evaluated,
            tables=verdicts,
            failures=failures,
            data_docs=index if index.is_file() else None,
        )
