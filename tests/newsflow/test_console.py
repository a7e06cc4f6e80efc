"""What a terminal shows: progress lines and quiet logs, through a real run of the CLI."""

from __future__ import annotations

import io
import logging
import shutil
from pathlib import Path

import pytest

from newsflow.console import DEFAULT_QUIET_PREFIXES, DropPrefixes, PlainDisplay
from tests.conftest import SEEDS
from tests.servers import PrefectServer, run_newsflow


def test_plain_display_prints_steps_and_progress_with_a_rate() -> None:
    out = io.StringIO()
    shown = PlainDisplay(every=0.0, stream=out)
    shown.files(1200)
    shown.files_done(200)
    shown.status("window: validating")
    shown.files_done(1000)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("newsflow: read and parsed 200 of 1,200 files (") and lines[0].endswith(" files/s)")
    assert lines[1] == "newsflow: window: validating"
    assert lines[2].startswith("newsflow: read and parsed 1,200 of 1,200 files")


def _record(message: str, exc: BaseException | None = None) -> logging.LogRecord:
    info = (type(exc), exc, None) if exc else None
    return logging.LogRecord("prefect.task_runs", logging.INFO, __file__, 1, message, None, info)


def test_quiet_filter_drops_engine_lines_and_the_gate_failure_but_keeps_step_lines() -> None:
    from newsflow.quality.gate import QualityGateError

    quiet = DropPrefixes(DEFAULT_QUIET_PREFIXES)
    assert not quiet.filter(_record("Finished in state Completed()"))
    assert not quiet.filter(_record("Encountered exception", QualityGateError("1 expectation(s) failed")))
    assert not quiet.filter(_record("Finished in state Failed('Flow run encountered an exception: QualityGateError')"))
    assert quiet.filter(_record("deduplicate: 2 article(s), 2 kept"))
    assert quiet.filter(_record("Encountered exception", ValueError("a real error")))


@pytest.mark.parametrize("flag", ["", "--quiet", "--verbose"])
def test_a_run_shows_progress_and_one_line_per_step(flag: str, tmp_path: Path, prefect_api: PrefectServer) -> None:
    source = tmp_path / "in"
    shutil.copytree(SEEDS, source)
    args = ["run", "--source", str(source), "--output", str(tmp_path / "out"), *filter(None, [flag])]
    done = run_newsflow(args, api_url=prefect_api.api_url)
    assert done.returncode == 0, done.stderr
    assert "finished in" in done.stdout  # the summary, whatever the verbosity
    err = done.stderr
    engine = "Finished in state Completed()" in err
    progress = "newsflow: read and parsed 2 of 2 files" in err and "newsflow: publishing" in err
    steps = "deduplicate: 2 article(s), 2 kept, 0 exact and 0 near duplicate(s)" in err
    expected = {"": (False, True, True), "--quiet": (False, False, False), "--verbose": (True, True, True)}
    assert (engine, progress, steps) == expected[flag], err
    assert "{'total'" not in err  # counters are formatted, not Python reprs
