"""A run on a real Dask cluster (``distributed.LocalCluster``, 2 worker processes) publishes what threads do: its
shard tasks (each article's fingerprint and story evidence with them) and the pieces of its global steps (LSH
band groups, pair products) run on the workers."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from prefect.settings import PREFECT_API_URL

from flows.ingest import ingest
from flows.runners import RunnerError, dask_task_runner
from newsflow.load.storage import Layout
from tests.checksums import content_checksums
from tests.faults.crash import build_corpus

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_local_dask_cluster_publishes_the_same_tables_as_threads(tmp_path: Path) -> None:
    source = tmp_path / "in"
    build_corpus(source, files=600, seed=7)
    small_shards = {"shard_size": 100}  # six shards, spread over both workers

    threads = ingest(source=str(source), output=str(tmp_path / "threads"), settings=small_shards)
    dask = ingest(source=str(source), output=str(tmp_path / "dask"), settings=small_shards, dask_workers=2)

    assert threads["files_seen"] == dask["files_seen"] == 600
    assert threads["duplicates_by_kind"] == dask["duplicates_by_kind"] and dask["duplicates"] > 0
    assert threads["quarantined"] == dask["quarantined"] and dask["quarantined_total"] > 0
    assert content_checksums(Layout(tmp_path / "dask")) == content_checksums(Layout(tmp_path / "threads"))

    # The shard tasks ran in the workers, reporting to this server as task runs of the Dask subflow.
    response = httpx.post(
        f"{PREFECT_API_URL.value()}/task_runs/filter",
        json={"flow_runs": {"id": {"any_": [dask["run_id"]]}}, "limit": 200},
    )
    response.raise_for_status()
    names = [run["name"].rsplit("-", 1)[0] for run in response.json() if run["state_type"] == "COMPLETED"]
    assert names.count("read-shard") == names.count("parse-shard") == 6

    # The global steps sent their pieces to both workers (the deduplicate task logs how many).
    assert re.fullmatch(
        r"global steps: [1-9][0-9]* piece\(s\) on 2 Dask worker thread\(s\)", _log(dask["run_id"], "global steps")
    )


def _log(run_id: str, start: str) -> str:
    """The first log line of the flow run that starts with ``start`` (logs reach the server in batches)."""
    deadline = time.monotonic() + 30
    while True:
        response = httpx.post(
            f"{PREFECT_API_URL.value()}/logs/filter",
            json={"logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200},
        )
        response.raise_for_status()
        lines = [entry["message"] for entry in response.json() if entry["message"].startswith(start)]
        if lines or time.monotonic() > deadline:
            assert lines, f"no log line of run {run_id} starts with {start!r}"
            return str(lines[0])
        time.sleep(0.5)


def test_contradictory_dask_options_are_refused() -> None:
    with pytest.raises(RunnerError, match="not both"):
        dask_task_runner(address="tcp://127.0.0.1:8786", workers=2)
    with pytest.raises(RunnerError, match=">= 1"):
        dask_task_runner(workers=0)
    assert dask_task_runner() is None
