"""SIGKILL ``newsflow run`` mid-flight: the published tables stay whole and the next run converges.

CI runs one kill per phase (7); the full count runs with
``uv run python -m tests.faults.crash --kills 24`` (or ``NEWSFLOW_CRASH_KILLS=24`` here).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.faults.crash import PHASES, run_harness

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_kills_leave_whole_tables_and_runs_converge(tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    kills = int(os.environ.get("NEWSFLOW_CRASH_KILLS", len(PHASES)))
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    records = run_harness(tmp_path, env, kills=kills, files=3000, seed=11)
    assert len(records) == kills
    for record in records:
        assert record.state in {"before", "after"}, record
        assert record.converged, record
        assert not record.leftovers, record
    # The kills did land in the phases they aimed at, from reading to publishing.
    assert {"read+decode", "stage", "validate", "publish"} <= {record.phase_seen for record in records}
