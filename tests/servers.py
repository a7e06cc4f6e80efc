"""Real processes for integration tests: a Prefect server, a throwaway PostgreSQL cluster, the CLI.

Each helper starts a real program, waits until it answers and stops it again:

- :func:`prefect_server`: ``prefect server start`` (SQLite under its home, or PostgreSQL);
- :func:`postgres_cluster`: ``initdb`` + ``pg_ctl`` from Debian's ``postgresql`` package;
- :func:`run_newsflow`: ``python -m newsflow.cli ...`` against a server;
- :func:`flow_runs`, :func:`artifacts`: what a server holds, read over its REST API.

A missing system program (PostgreSQL, Chromium) skips the test locally, but fails it
in CI (``CI`` set), where ``.ci/run`` installs it: see :func:`require`.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PREFECT = Path(sys.executable).parent / "prefect"
SERVER_STARTUP_SECONDS = 120.0


def require(what: str) -> NoReturn:
    """Skip the test for want of a system program; in CI, where ``.ci/run`` installs it, fail."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI must provide it: .ci/run installs it with apt-get)", pytrace=False)
    pytest.skip(what)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no log: {exc})"


def _stop_group(process: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """SIGTERM the process group led by ``process``, then SIGKILL it after ``grace`` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass(frozen=True)
class PrefectServer:
    """A running ``prefect server start``: its API, its UI and its log file."""

    api_url: str
    ui_url: str
    log: Path
    home: Path
    """Its ``PREFECT_HOME``: a run given it as its own finds the server's report address there."""


@contextmanager
def prefect_server(home: Path, *, database_url: str | None = None, port: int | None = None) -> Iterator[PrefectServer]:
    """Run ``newsflow server`` (``prefect server start``) on 127.0.0.1 until the block ends.

    ``home`` becomes its ``PREFECT_HOME``: its SQLite database (unless ``database_url``,
    a SQLAlchemy URL, names another one) and ``server.log`` (stdout and stderr) live there.
    The server runs in its own process group, with no ``PREFECT_*`` setting inherited
    from this process, so a test's ``PREFECT_API_URL`` cannot point it elsewhere.
    """
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # another server on the port would answer the health check below in this one's place
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is already in use on 127.0.0.1")
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(home)
    if database_url:
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = database_url
    server = PrefectServer(f"http://127.0.0.1:{port}/api", f"http://127.0.0.1:{port}", home / "server.log", home)
    # The project's own command: it also points the UI at this port (see newsflow.cli._server).
    command = [sys.executable, "-m", "newsflow.cli", "server", "--host", "127.0.0.1", "--port", str(port)]
    with server.log.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=home, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVER_STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"prefect server exited with {process.returncode}:\n{_tail(server.log)}")
            with suppress(httpx.HTTPError):
                if httpx.get(f"{server.api_url}/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"prefect server not healthy after {SERVER_STARTUP_SECONDS:.0f} s:\n{_tail(server.log)}"
                )
            time.sleep(0.25)
        yield server
    finally:
        _stop_group(process)


def postgres_bindir() -> Path | None:
    """The folder of PostgreSQL's server programs (``initdb``, ``pg_ctl``), newest version first."""
    candidates: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        with suppress(subprocess.SubprocessError, OSError):
            bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10)
            candidates.append(Path(bindir.stdout.strip()))
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(versions, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).parent)
    return next((c for c in candidates if (c / "initdb").is_file() and (c / "pg_ctl").is_file()), None)


@contextmanager
def postgres_cluster(root: Path) -> Iterator[str]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 with a database ``prefect``, until the block ends.

    Yields the database's SQLAlchemy URL, ``postgresql+asyncpg://postgres@127.0.0.1:PORT/prefect``
    (trust authentication: no password). The server log is ``root/postgres.log``.

    PostgreSQL refuses to run as root: as root, ``initdb`` and ``pg_ctl`` run as the
    ``postgres`` user (made by Debian's package) through ``runuser``, and the cluster
    lives in a fresh folder under the system temporary folder, since ``postgres``
    cannot enter pytest's private (mode 0700) temporary folders; that folder is removed
    on exit. Otherwise the cluster lives in ``root/pgdata``.
    """
    bindir = postgres_bindir()
    if bindir is None:
        require("PostgreSQL server programs (initdb, pg_ctl) not found: apt-get install postgresql")
    root.mkdir(parents=True, exist_ok=True)
    as_user: list[str] = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            require("running as root, but there is no 'postgres' user to run PostgreSQL as")
        if not (runuser := shutil.which("runuser")):
            require("running as root, but runuser (util-linux) is missing to run PostgreSQL as 'postgres'")
        as_user = [runuser, "-u", "postgres", "--"]
        base = Path(tempfile.mkdtemp(prefix="newsflow-pg-"))
        os.chown(base, owner.pw_uid, owner.pw_gid)
    else:
        base = root
    data, log = base / "pgdata", base / "postgres.log"
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")} | {"LC_ALL": "C"}

    def run(*command: str | Path) -> None:
        done = subprocess.run(
            [*as_user, *map(str, command)], cwd=base, env=env, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}\n{_tail(log)}")

    started = False
    try:
        run(bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "-N")
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{base}'\n"
                # a test database: durability is not worth the disk flushes
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        run(bindir / "pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "start")
        started = True
        run(bindir / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "prefect")
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/prefect"
    finally:
        if started:
            with suppress(RuntimeError, subprocess.TimeoutExpired):
                run(bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
        if as_user:  # the private folder: keep the log for a failing test to show, drop the rest
            if log.exists():
                shutil.copyfile(log, root / "postgres.log")
            shutil.rmtree(base, ignore_errors=True)


def psql(database_url: str, sql: str) -> list[list[str]]:
    """Rows of ``sql`` run by ``psql`` on the database of a :func:`postgres_cluster` URL, as text."""
    bindir = postgres_bindir()
    if bindir is None:
        require("PostgreSQL client psql not found: apt-get install postgresql")
    url = urlsplit(database_url)
    command = [str(bindir / "psql"), "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1"]
    command += ["-h", url.hostname or "127.0.0.1", "-p", str(url.port), "-U", url.username or "postgres"]
    command += ["-d", url.path.lstrip("/"), "-c", sql]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"psql failed ({done.returncode}): {done.stderr}")
    return [line.split("\t") for line in done.stdout.splitlines()]


def run_newsflow(
    args: Sequence[str],
    *,
    api_url: str,
    cwd: Path = ROOT,
    timeout: float = 300,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``newsflow ARGS`` (``python -m newsflow.cli``) against the Prefect API at ``api_url``.

    Output is captured as text; the exit code is not checked (see ``newsflow/cli.py``).
    """
    environment = {**os.environ, **(env or {}), "PREFECT_API_URL": api_url}
    command = [sys.executable, "-m", "newsflow.cli", *args]
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout)


def _post(url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = httpx.post(url, json=body, timeout=30)
    response.raise_for_status()
    found: list[dict[str, Any]] = response.json()
    return found


def flow_runs(api_url: str, flow_name: str | None = None) -> list[dict[str, Any]]:
    """Flow runs on the server (of the flow ``flow_name`` if given), newest first, as the API returns them.

    Each has among others ``id``, ``name``, ``state_type`` (``"COMPLETED"``, ...) and ``state_name``.
    """
    body: dict[str, Any] = {"sort": "START_TIME_DESC", "limit": 200, "offset": 0}
    if flow_name is not None:
        body["flows"] = {"name": {"any_": [flow_name]}}
    return _post(f"{api_url}/flow_runs/filter", body)


def artifacts(api_url: str, flow_run_id: str) -> list[dict[str, Any]]:
    """Artifacts of a flow run, newest first: ``key``, ``type`` (``"table"``, ``"markdown"``), ``data``..."""
    body = {"flow_runs": {"id": {"any_": [flow_run_id]}}, "sort": "CREATED_DESC", "limit": 200, "offset": 0}
    return _post(f"{api_url}/artifacts/filter", body)
