"""Scheduled runs for real: ``newsflow serve`` and ``prefect.yaml`` against a real Prefect server process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import httpx
import polars as pl
import pytest
import yaml

from flows.ingest import ingest
from flows.reprocess import reprocess
from flows.serve import DEPLOYMENT, REPROCESS_DEPLOYMENT, deployment_parameters
from newsflow.config import DEFAULT_INTERVAL_SECONDS
from newsflow.load.storage import DEFAULT_LANDING, Layout
from tests.conftest import ROOT, SEEDS
from tests.flows.gate import failing_gate
from tests.servers import PREFECT, PrefectServer

T = TypeVar("T")
INTERVAL = 10.0


def wait_for(probe: Callable[[], T | None], *, timeout: float, what: str, log: Path | None = None) -> T:
    """Poll ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:]) if log else ""
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")
        time.sleep(1.0)


def api(server: PrefectServer, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = httpx.request(method, f"{server.api_url}{path}", json=body, timeout=30)
    if response.status_code == 404:
        return None
    response.raise_for_status()
    return response.json()


def runs_log(output: Path) -> pl.DataFrame:
    """The ``runs`` table: one row per (run, step, metric); empty before the first run."""
    if not any(Layout(output).runs.glob("**/*.parquet")):
        return pl.DataFrame()
    return pl.read_parquet(Layout(output).runs_glob())


def run_seconds(output: Path, outcome: str) -> dict[str, float]:
    """Flow runs that ended with ``outcome``: their id and wall-clock seconds."""
    log = runs_log(output)
    if log.is_empty():
        return {}
    rows = log.filter(outcome=outcome, step="run", metric="seconds").select("run_id", "value")
    return dict(rows.iter_rows())


def completed(server: PrefectServer, run_id: str) -> dict[str, Any] | None:
    """The flow run, once it is COMPLETED; None while it runs. Fails on any other final state."""
    run: dict[str, Any] = api(server, "GET", f"/flow_runs/{run_id}")
    assert run["state_type"] in {"COMPLETED", "RUNNING", "PENDING", "SCHEDULED"}, run["state"]
    return run if run["state_type"] == "COMPLETED" else None


def cli(*args: str, server: PrefectServer, cwd: Path = ROOT) -> str:
    env = {**os.environ, "PREFECT_API_URL": server.api_url, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_prefect_yaml_declares_the_served_deployment() -> None:
    """``prefect.yaml`` and ``newsflow serve`` describe the same deployments: same flows, parameters and schedule."""
    from prefect.flows import load_flow_from_entrypoint

    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    deployment, on_demand = spec["deployments"]
    assert (deployment["name"], on_demand["name"]) == (DEPLOYMENT, REPROCESS_DEPLOYMENT)
    again = load_flow_from_entrypoint(str(ROOT / on_demand["entrypoint"]))
    assert again.name == reprocess.name and "schedules" not in on_demand
    assert on_demand["parameters"].keys() == reprocess.parameters.properties.keys()
    flow = load_flow_from_entrypoint(str(ROOT / deployment["entrypoint"]))
    assert flow.name == ingest.name
    served = deployment_parameters(DEFAULT_LANDING, Path("data"))
    assert deployment["parameters"].keys() == served.keys() == ingest.parameters.properties.keys()
    assert Path(deployment["parameters"]["source"]) == DEFAULT_LANDING
    assert {k: v for k, v in deployment["parameters"].items() if k not in ("source", "output")} == {
        k: v for k, v in served.items() if k not in ("source", "output")
    }
    assert [s["interval"] for s in deployment["schedules"]] == [DEFAULT_INTERVAL_SECONDS]


def test_serve_without_a_server_is_a_usage_error(tmp_path: Path) -> None:
    env = {**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api"}  # the discard port: nothing answers
    folders = ["--source", str(tmp_path), "--output", str(tmp_path / "o")]
    command = [sys.executable, "-m", "newsflow.cli", "serve", *folders]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "no Prefect server answers at http://127.0.0.1:9/api" in done.stderr and "newsflow server" in done.stderr
    bad_cron = subprocess.run([*command, "--cron", "every minute"], env=env, capture_output=True, text=True)
    assert bad_cron.returncode == 2 and "cron" in bad_cron.stderr.lower()


def test_served_deployment_curates_what_lands_then_idles(prefect_api: PrefectServer, tmp_path: Path) -> None:
    landing, output, log = tmp_path / "landing", tmp_path / "out", tmp_path / "serve.log"
    landing.mkdir()
    command = [sys.executable, "-m", "newsflow.cli", "serve", "--source", str(landing), "--output", str(output)]
    env = {**os.environ, "PREFECT_API_URL": prefect_api.api_url}
    with log.open("w") as sink:
        serving = subprocess.Popen(
            [*command, "--interval", str(INTERVAL)],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deployment = wait_for(
            lambda: api(prefect_api, "GET", f"/deployments/name/ingest/{DEPLOYMENT}"),
            timeout=120,
            what="the served deployment",
            log=log,
        )
        assert deployment["parameters"] == deployment_parameters(landing, output)
        # serve registers its deployments one after the other: the on-demand one may come a moment later.
        on_demand = wait_for(
            lambda: api(prefect_api, "GET", f"/deployments/name/reprocess/{REPROCESS_DEPLOYMENT}"),
            timeout=60,
            what="the on-demand reprocess deployment",
            log=log,
        )
        assert on_demand["parameters"]["output"] == str(output.absolute()) and not on_demand["schedules"]
        assert [s["schedule"]["interval"] for s in deployment["schedules"]] == [INTERVAL]

        dropped = datetime.now(UTC)
        for seed in SEEDS.glob("*.txt"):
            shutil.copy(seed, landing)
        published = wait_for(
            lambda: run_seconds(output, "published"), timeout=8 * INTERVAL + 60, what="a publishing run", log=log
        )
        (run_id,) = published
        # The runs table is written by the report task, a moment before the flow run ends.
        run = wait_for(lambda: completed(prefect_api, run_id), timeout=60, what="the publishing run to complete")
        assert run["deployment_id"] == deployment["id"] and run["auto_scheduled"], "a scheduled run of the deployment"
        due = datetime.fromisoformat(run["expected_start_time"])
        # Scheduled within two intervals of the drop (a run due before it may have found the files too).
        assert due - dropped <= timedelta(seconds=2 * INTERVAL), (due, dropped)
        headlines = duckdb.sql(f"select count(*) from read_parquet('{Layout(output).table_glob('articles')}')")
        assert headlines.fetchall() == [(2,)]

        # Then nothing new: later runs are fast no-ops.
        def later_noops() -> dict[str, float]:
            started = runs_log(output).filter(outcome="nothing_new", started_at=pl.col("started_at").max())
            return run_seconds(output, "nothing_new") if not started.is_empty() else {}

        noops = wait_for(later_noops, timeout=6 * INTERVAL + 60, what="a no-op run after publishing", log=log)
        assert max(noops.values()) < 5.0, noops
        for noop_id in noops:
            wait_for(lambda: completed(prefect_api, noop_id), timeout=60, what="the no-op run to complete")  # noqa: B023
    finally:
        os.killpg(serving.pid, signal.SIGINT)  # Ctrl-C, as a person stops it
        serving.wait(timeout=60)
    # Stopping `newsflow serve` pauses the schedule, so no run piles up while nobody serves it.
    assert api(prefect_api, "GET", f"/deployments/{deployment['id']}")["paused"] is True


def test_prefect_yaml_on_a_work_pool_and_the_failure_automation(prefect_api: PrefectServer, tmp_path: Path) -> None:
    """``prefect deploy`` of prefect.yaml, a process worker running it, and the documented automation."""
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    deployment_spec = spec["deployments"][0]
    spec["deployments"] = [deployment_spec]
    # Its own name, so it never meets the served deployment of the test above; no schedule, so the
    # worker runs only what this test asks for.
    deployment_spec["name"] = "ingest-on-a-pool"
    deployment_spec.pop("schedules")
    prefect_file = tmp_path / "prefect.yaml"
    prefect_file.write_text(yaml.safe_dump(spec))

    cli(str(PREFECT), "work-pool", "create", "newsflow", "--type", "process", "--overwrite", server=prefect_api)
    cli(str(PREFECT), "--no-prompt", "deploy", "--all", "--prefect-file", str(prefect_file), server=prefect_api)
    cli(str(PREFECT), "automation", "create", "--from-file", "docs/automations/ingest-failed.yaml", server=prefect_api)
    deployment = api(prefect_api, "GET", "/deployments/name/ingest/ingest-on-a-pool")
    assert deployment["work_pool_name"] == "newsflow"
    assert deployment["parameters"] == {**deployment_spec["parameters"], "source": "data/landing", "output": "data"}

    source, output, suites = tmp_path / "landing", tmp_path / "out", tmp_path / "suites"
    shutil.copytree(SEEDS, source)

    def run_on_worker(parameters: dict[str, Any]) -> dict[str, Any]:
        path = f"/deployments/{deployment['id']}/create_flow_run"
        created = api(prefect_api, "POST", path, {"parameters": parameters})
        cli(str(PREFECT), "worker", "start", "--pool", "newsflow", "--run-once", server=prefect_api)

        def finished() -> dict[str, Any] | None:
            run: dict[str, Any] = api(prefect_api, "GET", f"/flow_runs/{created['id']}")
            return run if run["state_type"] in {"COMPLETED", "FAILED", "CRASHED"} else None

        return wait_for(finished, timeout=120, what="the worker's flow run to finish")

    done = run_on_worker({"source": str(source), "output": str(output)})
    assert done["state_type"] == "COMPLETED"
    assert duckdb.sql(f"select count(*) from read_parquet('{Layout(output).table_glob('articles')}')").fetchall() == [
        (2,)
    ]

    # A quality gate that fails: the run fails, its event fires the automation, which pauses the deployment.
    strict = failing_gate(source, suites, max_words=5)
    failed = run_on_worker({"source": str(source), "output": str(output), "settings": strict})
    assert failed["state_type"] == "FAILED"
    wait_for(
        lambda: api(prefect_api, "GET", f"/deployments/{deployment['id']}")["paused"],
        timeout=60,
        what="the automation to pause the deployment",
        log=prefect_api.log,
    )
