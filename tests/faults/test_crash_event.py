"""An interrupted run tells the server: the ``newsflow.ingest.crashed`` event an automation can act on."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from newsflow.asset_keys import asset_key
from tests.faults.crash import build_corpus, start_run
from tests.servers import PrefectServer


def test_terminated_run_emits_crashed_event(prefect_api: PrefectServer, tmp_path: Path) -> None:
    source, output = tmp_path / "in", tmp_path / "out"
    build_corpus(source, files=1500, seed=3)
    env = {**os.environ, "PREFECT_API_URL": prefect_api.api_url}
    watched = start_run(source, output, env)
    deadline = time.monotonic() + 120
    while not any(task == "read-shard" for task, _ in watched.finished):
        assert watched.process.poll() is None and time.monotonic() < deadline, "".join(watched.lines[-20:])
        time.sleep(0.1)
    watched.process.send_signal(signal.SIGTERM)  # as a supervisor stops a process
    assert watched.process.wait(timeout=120) != 0

    resource = f"newsflow.output.{asset_key(output)}"
    event_filter = {"event": {"prefix": ["newsflow.ingest."]}, "resource": {"id": [resource]}}
    deadline = time.monotonic() + 30
    while True:
        response = httpx.post(f"{prefect_api.api_url}/events/filter", json={"filter": event_filter, "limit": 10})
        response.raise_for_status()
        events = response.json()["events"]
        if events or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert [e["event"] for e in events] == ["newsflow.ingest.crashed"], "".join(watched.lines[-30:])
    assert events[0]["payload"]["state"] == "Crashed"
