"""Shared fixtures. Prefect's test harness is session-scoped: it costs ~20 s to start."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.servers import PrefectServer
from tests.servers import prefect_server as start_prefect_server

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
# Tasks called directly in tests have no flow run to send their logs to.
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
# CI replays a fixed set of examples so a run is reproducible; locally they are random. A CI failure
# prints a blob for @reproduce_failure, since there is no example database to carry it to a laptop.
# tests/newsflow/test_fuzz.py reads the profile name: full example counts (10,000+) under "ci", 1/20 under "dev".
settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
BBC = ROOT.parent / "shared" / "corpora" / "bbc"


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """A real, temporary Prefect API server with its own SQLite database, for the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """A real ``prefect server start`` process (SQLite under its own home), shared by the session.

    Unlike ``prefect_server`` it is a separate process serving the API and the UI on a
    free port; pass ``prefect_api.api_url`` to a subprocess as ``PREFECT_API_URL``
    (``tests.servers.run_newsflow`` does). Its log is ``prefect_api.log``.
    """
    with start_prefect_server(tmp_path_factory.mktemp("prefect-api")) as server:
        yield server


@pytest.fixture(scope="session")
def bbc() -> Path:
    if not BBC.is_dir():
        pytest.skip(f"BBC corpus not found at {BBC}")
    return BBC
