"""Shard tasks on a real Dask cluster (``distributed.LocalCluster``, 2 worker processes) publish what threads do."""

from __future__ import annotations

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


def test_contradictory_dask_options_are_refused() -> None:
    with pytest.raises(RunnerError, match="not both"):
        dask_task_runner(address="tcp://127.0.0.1:8786", workers=2)
    with pytest.raises(RunnerError, match=">= 1"):
        dask_task_runner(workers=0)
    assert dask_task_runner() is None
