"""The wheel is all a worker needs: built, installed into a clean venv, run outside the repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import ROOT, SEEDS
from tests.servers import PrefectServer


def _uv() -> str:
    uv = shutil.which("uv")
    if uv is None:
        if os.environ.get("CI"):
            pytest.fail("uv is not on PATH; .ci/run installs it")
        pytest.skip("uv is not on PATH")
    return uv


def test_installed_wheel_runs_the_seeds_outside_the_repository(tmp_path: Path, prefect_api: PrefectServer) -> None:
    uv = _uv()
    # Same versions as the lockfile, so the cache serves them and the test checks what CI ships.
    requirements = tmp_path / "requirements.txt"
    export = [uv, "export", "--locked", "--no-dev", "--no-hashes", "--no-emit-project", "-o", str(requirements)]
    subprocess.run([*export, "--quiet"], cwd=ROOT, check=True)
    subprocess.run([uv, "build", "--wheel", "--out-dir", str(tmp_path / "dist"), "--quiet"], cwd=ROOT, check=True)
    (wheel,) = (tmp_path / "dist").glob("newsflow-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    install = [uv, "pip", "install", "--quiet", "--python", str(python), "-r", str(requirements), str(wheel)]
    subprocess.run(install, check=True)

    work = tmp_path / "elsewhere"
    shutil.copytree(SEEDS, work / "in")
    environment = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    environment["PREFECT_API_URL"] = prefect_api.api_url
    done = subprocess.run(
        [str(venv / "bin" / "newsflow"), "run", "--source", "in", "--output", "out"],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (report,) = (work / "out" / "reports").glob("*.json")
    summary = json.loads(report.read_text())
    assert summary["validation"] == "passed" and summary["published"]
    articles = pl.read_parquet(work / "out" / "curated" / "articles" / "**" / "*.parquet")
    assert articles.height == summary["curated"] == len(list(SEEDS.glob("*.txt")))
    # The installed package, not this checkout, ran: its suites are the ones inside the wheel.
    located = subprocess.run(
        [str(python), "-c", "from newsflow.quality.suites import EXPECTATIONS_DIR; print(EXPECTATIONS_DIR)"],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(located.stdout.strip()).is_relative_to(venv)
