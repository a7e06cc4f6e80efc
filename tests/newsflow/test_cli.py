from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsflow.cli import EXIT_USAGE, main


def test_missing_source_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--source", str(tmp_path / "nope"), "--output", str(tmp_path / "out")]) == EXIT_USAGE
    assert "does not exist" in capsys.readouterr().err


def test_unwritable_output_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["run", "--source", str(tmp_path), "--output", str(blocker / "out")]) == EXIT_USAGE
    assert "not writable" in capsys.readouterr().err


def test_bad_configuration_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "newsflow.toml").write_text("shard_size = -1\n")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--source", str(tmp_path), "--output", str(tmp_path / "out")]) == EXIT_USAGE
    assert "shard_size" in capsys.readouterr().err


def test_unknown_command_exits_2() -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])
    assert exit_.value.code == 2


def test_console_script_end_to_end(tmp_path: Path) -> None:
    """The installed ``newsflow`` command, as a user runs it: the local server it starts in a Prefect home."""
    import os
    import shutil
    import subprocess

    from tests.conftest import ROOT, SEEDS

    source, output, suites = tmp_path / "in", tmp_path / "out", tmp_path / "suites"
    shutil.copytree(SEEDS, source)
    shutil.copytree(ROOT / "expectations", suites)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")  # newsflow starts its local server there
    newsflow = shutil.which("newsflow") or "newsflow"
    command = [newsflow, "run", "--source", str(source), "--output", str(output)]
    try:
        _gate_fails_after_success(command, tmp_path, env, source, suites)
    finally:
        stopped = subprocess.run([newsflow, "server", "stop"], env=env, capture_output=True, text=True, timeout=120)
    assert "stopped the local Prefect server" in stopped.stdout, stopped.stdout + stopped.stderr


def _gate_fails_after_success(
    command: list[str], tmp_path: Path, env: dict[str, str], source: Path, suites: Path
) -> None:
    import json
    import subprocess

    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "curated                      2" in done.stdout and "validation              passed" in done.stdout

    suite = json.loads((suites / "files.json").read_text())
    suite["expectations"].append({"type": "expect_table_row_count_to_equal", "kwargs": {"value": 99}, "meta": {}})
    (suites / "files.json").write_text(json.dumps(suite))
    (tmp_path / "newsflow.toml").write_text(f"expectations_dir = {str(suites)!r}\n")
    (source / "new.txt").write_text("New Headline\n\nNew body.\n")
    failed = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1, failed.stderr[-2000:]
    assert "quality gate failed" in failed.stderr and "expect_table_row_count_to_equal" in failed.stderr


@pytest.mark.parametrize("flag", ["--source", "--output"])
def test_a_url_that_is_not_a_local_path_is_refused_before_anything_is_created(
    flag: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    args = {"--source": "in", "--output": "out"} | {flag: "s3://bucket/x"}
    assert main(["run", *[part for pair in args.items() for part in pair]]) == EXIT_USAGE
    assert "s3:// URL" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # no s3: folder, no output


def test_a_file_url_is_a_local_path() -> None:
    from newsflow.cli import local_path

    assert local_path("file:///tmp/a%20b/%23c", what="--source") == Path("/tmp/a b/#c")
    assert local_path("relative/dir", what="--source") == Path("relative/dir")


def test_version_names_newsflow_and_its_parts(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert re.match(r"newsflow \d+\.\d+\.\d+ \(prefect 3\.8\.\d+, polars [\d.]+, .*; Python 3\.\d+\.\d+\)\n$", out), out


@pytest.mark.parametrize(
    ("argv", "hint"),
    [(["rn"], "did you mean run?"), (["servr", "stop"], "did you mean server?"), (["run", "--sorce", "x"], "--source")],
)
def test_a_mistyped_command_or_option_gets_a_suggestion(
    argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == EXIT_USAGE
    assert hint in capsys.readouterr().err


def test_no_internal_name_in_a_bad_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--dask-workers", "two"])
    err = capsys.readouterr().err
    assert "must be a whole number, got 'two'" in err and "_positive_int" not in err


def test_set_overrides_are_checked_and_named_as_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--source", str(tmp_path), "--set", "shard_siz=3"]) == EXIT_USAGE
    assert "setting override: unknown setting(s) shard_siz (did you mean shard_size?)" in capsys.readouterr().err
    assert main(["run", "--source", str(tmp_path), "--set", "shard_size=0"]) == EXIT_USAGE
    assert "shard_size must be >= 1" in capsys.readouterr().err


def test_source_and_output_can_come_from_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsflow.toml").write_text('source = "landing here"\noutput = "tables"\n')
    assert main(["run"]) == EXIT_USAGE  # the configured source does not exist yet
    assert "source folder 'landing here' does not exist" in capsys.readouterr().err
    assert main(["run", "--set", 'source="elsewhere"']) == EXIT_USAGE
    assert "source folder 'elsewhere' does not exist" in capsys.readouterr().err


def test_reading_commands_use_the_output_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsflow.toml").write_text('output = "tables"\n')
    assert main(["snapshots"]) == 0
    assert "no snapshots in tables:" in capsys.readouterr().out
    assert main(["report"]) == EXIT_USAGE
    assert "output folder 'tables' does not exist" in capsys.readouterr().err
    assert main(["snapshots", "--output", "given"]) == 0  # the option still wins
    assert "no snapshots in given:" in capsys.readouterr().out


@pytest.mark.usefixtures("prefect_server")
def test_a_source_with_no_matching_file_says_so_and_names_what_is_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for name in ("a.TXT", "b.TXT", "c.md", "d.gz"):
        (source / name).write_text("Headline\n\nBody.\n")
    assert main(["run", "--source", str(source), "--output", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert f"nothing found: no file in {source} matches source_glob '**/*.txt'" in out
    assert "other files there: 2 .TXT, 1 .gz, 1 .md" in out
    assert "already ingested" not in out and "tables                none yet" in out
