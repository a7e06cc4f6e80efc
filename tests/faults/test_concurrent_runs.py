"""Two ``newsflow run`` processes on one output: the second waits (or, configured so, refuses)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import duckdb
import pytest

from newsflow.load.storage import Layout
from tests.checksums import content_checksums
from tests.faults.crash import build_corpus, start_run

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture
def env() -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}


def test_runs_started_together_publish_once(tmp_path: Path, env: dict[str, str]) -> None:
    source, output = tmp_path / "in", tmp_path / "out"
    build_corpus(source, files=400, seed=3)
    first, second = start_run(source, output, env), start_run(source, output, env)
    codes = [first.process.wait(timeout=300), second.process.wait(timeout=300)]
    time.sleep(0.1)  # let the log readers drain
    assert codes == [0, 0]
    logs = "".join(first.lines + second.lines)
    assert logs.count("is in use by run") == 1, "exactly one run waited, and said so"

    reports = [json.loads(path.read_text()) for path in Layout(output).reports.glob("*.json")]
    assert sorted(report["files_new"] for report in reports) == [0, 400]
    assert sorted(report["published"] for report in reports) == [False, True]
    glob = Layout(output).table_glob("files")
    paths = duckdb.sql(f"select count(*), count(distinct source_path) from read_parquet('{glob}')").fetchall()
    assert paths == [(400, 400)]
    assert len(list(Layout(output).snapshots.iterdir())) == 1


def test_configured_to_refuse_the_second_run_exits_4_and_touches_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    source, output, config = tmp_path / "in", tmp_path / "out", tmp_path / "config"
    build_corpus(source, files=400, seed=5)
    config.mkdir()
    (config / "newsflow.toml").write_text("lock_wait_seconds = 0\n")
    first = start_run(source, output, env, cwd=config)
    while not any("discovered" in line for line in first.lines):  # it holds the lock from before discovery
        assert first.process.poll() is None, "".join(first.lines)
        time.sleep(0.05)
    second = start_run(source, output, env, cwd=config)
    assert second.process.wait(timeout=300) == 4
    time.sleep(0.1)
    assert any("is in use by run" in line and "gave up" in line for line in second.lines), second.lines
    assert first.process.wait(timeout=300) == 0
    assert len(list(Layout(output).reports.glob("*.json"))) == 1
    assert content_checksums(Layout(output))["files"].startswith("400:")
