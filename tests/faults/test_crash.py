"""SIGKILL ``newsflow run`` and a rebuild (``newsflow retract``) mid-flight: the published tables stay whole
and the next run converges.

CI runs one kill per phase (7 of a run, 5 of a rebuild); the full count runs with
``uv run python -m tests.faults.crash --kills 24`` (or ``NEWSFLOW_CRASH_KILLS=24`` here).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.faults.crash import PHASES, REBUILD_PHASES, run_harness

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_kills_leave_whole_tables_and_runs_converge(tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    kills = int(os.environ.get("NEWSFLOW_CRASH_KILLS", len(PHASES)))
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    rebuild_kills = len(REBUILD_PHASES)
    records = run_harness(tmp_path, env, kills=kills, files=3000, seed=11, rebuild_kills=rebuild_kills)
    assert len(records) == kills + rebuild_kills
    for record in records[:kills]:
        assert record.state in {"before", "after"}, record
    for record in records[kills:]:
        assert record.state in {"after", "retracted"}, record
    for record in records:
        assert record.converged, record
        assert not record.leftovers, record
    # The kills did land in the phases they aimed at, from reading to publishing.
    assert {"read+decode", "stage", "validate", "publish"} <= {record.phase_seen for record in records[:kills]}
    assert {"rebuild", "validate", "publish"} <= {record.phase_seen for record in records[kills:]}
