"""The README's first command, as a newcomer runs it: a fresh copy of the project and a fresh Prefect home.

It must succeed on the first try (newsflow starts its own local Prefect server and waits for
it), and a second run must reuse that server rather than start another.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsflow.server import local
from tests.conftest import ROOT


def _readme_command(section: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    body = readme.split(f"## {section}\n", 1)[1]
    match = re.search(r"```bash\n(.+?)\n```", body, re.DOTALL)
    assert match, f"no bash block under '## {section}' in README.md"
    return match.group(1).strip()


def _fresh_copy(target: Path) -> None:
    """The project's files as a clone has them (tracked and new, not ignored ones such as .venv or data/)."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def test_the_first_command_succeeds_with_a_fresh_prefect_home_and_the_next_reuses_its_server(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the project's git checkout")
    command = _readme_command("Quick start")
    assert command.endswith("uv run --locked newsflow run")
    project, home = tmp_path / "newsflow", tmp_path / "prefect-home"
    _fresh_copy(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "VIRTUAL_ENV", "UV_PROJECT"))}
    env["PREFECT_HOME"] = str(home)
    # a newcomer's shell: the system python3, not this test run's virtual environment
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", command], cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False
        )

    try:
        first = run()
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        assert "starting newsflow's local Prefect server" in first.stderr
        assert re.search(r"^  curated +2$", first.stdout, re.MULTILINE), first.stdout
        assert (project / "data" / "curated" / "articles").is_dir()
        server = local.recorded(home)
        assert server is not None and local.healthy(server.api_url)

        again = run()
        assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
        assert "starting newsflow's local Prefect server" not in again.stderr  # reused
        assert "nothing new" in again.stdout
        assert local.recorded(home) == server
    finally:
        stop = subprocess.run(
            ["bash", "-c", "uv run --locked newsflow server stop"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert stop.returncode == 0, stop.stderr
    assert "stopped the local Prefect server" in stop.stdout
    assert local.recorded(home) is None
