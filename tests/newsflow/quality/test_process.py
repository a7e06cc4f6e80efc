"""The gate in its own process gives the verdicts and Data Docs the gate in the flow's process gives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import polars as pl
import pytest

from newsflow.config import Settings
from newsflow.quality.gate import Gate
from newsflow.quality.process import GateProcess, _child
from newsflow.quality.suites import EXPECTATIONS_DIR, SuiteError
from newsflow.quality.views import suite_parameters, validation_views
from tests.newsflow.quality.test_gate import NO_IDS, NONE_RETRACTED, kept_hash


def test_the_child_gives_the_verdicts_of_the_gate_in_process(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    views = validation_views(tables, NO_IDS, kept_hash(tables), retracted=NONE_RETRACTED)
    parameters = suite_parameters(tables, files_seen=3, files_skipped=0, settings=Settings())
    broken = {**views, "paragraphs": views["paragraphs"].with_columns(position=pl.col("position") * 2)}
    here = Gate(docs_dir=tmp_path / "here")
    with GateProcess(docs_dir=tmp_path / "there") as there:
        for run_name, checked in (("window-1", views), ("window-2", broken)):
            expected = here.validate(checked, parameters, run_name=run_name)
            found = there.validate(checked, parameters, run_name=run_name)
            assert (found.success, found.evaluated, found.tables, found.failures) == (
                expected.success,
                expected.evaluated,
                expected.tables,
                expected.failures,
            )
        assert found.data_docs == (tmp_path / "there" / "index.html").resolve()
        assert "window-2" in found.data_docs.read_text(encoding="utf-8")
        with pytest.raises(ValueError, match="no view of table"):
            there.validate({k: v for k, v in views.items() if k != "files"}, parameters)
    # Not the flow's process, and the same one for every gate of the process.
    child = _child().submit(os.getpid).result()
    assert child != os.getpid()
    with GateProcess(docs_dir=tmp_path / "again") as again:
        assert again.validate(views, parameters).success
    assert _child().submit(os.getpid).result() == child


def test_a_broken_suite_is_raised_when_the_gate_is_used(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    suites.mkdir()
    for path in EXPECTATIONS_DIR.glob("*.json"):
        (suites / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    articles = json.loads((suites / "articles.json").read_text(encoding="utf-8"))
    articles["expectations"].append({"type": "expect_no_such_thing", "kwargs": {}})
    (suites / "articles.json").write_text(json.dumps(articles), encoding="utf-8")
    gate = GateProcess(docs_dir=tmp_path / "docs", suites_dir=suites)
    with pytest.raises(SuiteError, match=r"articles\.json"):
        gate.validate({}, {})
    gate.close()


def test_a_run_after_the_child_died_gets_a_new_one(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    views = validation_views(tables, NO_IDS, kept_hash(tables), retracted=NONE_RETRACTED)
    parameters = suite_parameters(tables, files_seen=3, files_skipped=0, settings=Settings())
    old = _child()
    os.kill(old.submit(os.getpid).result(), signal.SIGKILL)
    with pytest.raises(BrokenProcessPool):
        old.submit(os.getpid).result(timeout=60)
    with GateProcess(docs_dir=tmp_path / "docs") as gate:
        assert gate.validate(views, parameters).success
    assert _child() is not old


_STARTS_A_CHILD = """
import os, sys, time
from newsflow.quality.process import _child
print(_child().submit(os.getpid).result(), flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs: an exited process not yet reaped (a zombie) does not."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_the_child_ends_when_its_parent_is_killed_outright() -> None:
    # The out-of-memory killer or kill -9 runs no exit handler in the parent: the child must notice alone.
    parent = subprocess.Popen([sys.executable, "-c", _STARTS_A_CHILD], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert _alive(child)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 30
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.2)
    orphaned = _alive(child)
    if orphaned:
        os.kill(child, signal.SIGKILL)  # not left behind by a failing run
    assert not orphaned
