"""newsflow's local Prefect server: found, started in the background, stopped.

``newsflow run`` with no ``PREFECT_API_URL`` uses the server recorded in
``$PREFECT_HOME/newsflow-server.json`` when it answers, and otherwise starts one in the
background and waits for it (Prefect's own temporary server gives up after 20 s, which a
2-core machine does not always meet, and costs every run its start-up). The server keeps
running for later runs until ``newsflow server stop``. ``newsflow server`` in a terminal
records itself the same way, so runs use it too.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from newsflow.server import files

STARTUP_SECONDS = 180.0
"""How long a run waits for the background server to answer (it needs about 20 s on 2 cores)."""

STOP_SECONDS = 20.0


class ServerError(RuntimeError):
    """The local server could not be started or does not answer."""


@dataclass(frozen=True, kw_only=True)
class ServerInfo:
    """A running local server, as recorded in its state file."""

    pid: int
    api_url: str
    ui_url: str
    reports_url: str
    log: str


def prefect_home() -> Path:
    """Prefect's home folder (``PREFECT_HOME``, default ``~/.prefect``): the server's database lives there."""
    from prefect.settings import PREFECT_HOME

    home = Path(PREFECT_HOME.value()).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def state_file(home: Path) -> Path:
    return home / "newsflow-server.json"


def registry_file(home: Path) -> Path:
    """The output folders whose reports the server serves (``newsflow.server.files``)."""
    return home / "newsflow-outputs.json"


def log_file(home: Path) -> Path:
    return home / "newsflow-server.log"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def healthy(api_url: str, *, timeout: float = 5.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as response:
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recorded(home: Path) -> ServerInfo | None:
    """The server recorded in ``home``, if its process is alive (it may still be starting)."""
    try:
        info = ServerInfo(**json.loads(state_file(home).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return info if _alive(info.pid) else None


def current(home: Path) -> ServerInfo | None:
    """The server recorded in ``home`` if it is alive and answers."""
    info = recorded(home)
    return info if info is not None and healthy(info.api_url) else None


def record(home: Path, info: ServerInfo) -> None:
    scratch = state_file(home).with_suffix(".tmp")
    scratch.write_text(json.dumps(asdict(info), indent=1), encoding="utf-8")
    scratch.replace(state_file(home))


def forget(home: Path, pid: int) -> None:
    """Remove the state file if it still records the process ``pid``."""
    info = recorded(home)
    if info is None or info.pid == pid:
        with contextlib.suppress(FileNotFoundError):
            state_file(home).unlink()


@contextlib.contextmanager
def _starting(home: Path) -> Iterator[None]:
    """One starter at a time: two runs starting at once share one server."""
    with (home / "newsflow-server.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_running(home: Path, *, timeout: float = STARTUP_SECONDS) -> tuple[ServerInfo, bool]:
    """The local server, started in the background if none answers; returns it and whether it was started now."""
    with _starting(home):
        if (info := current(home)) is not None:
            return info, False
        port = free_port()
        log = log_file(home)
        command = [sys.executable, "-m", "newsflow.cli", "server", "--host", "127.0.0.1", "--port", str(port)]
        env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_API_KEY")}
        env["PREFECT_HOME"] = str(home)
        with log.open("ab") as out:
            process = subprocess.Popen(
                command, cwd=home, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServerError(f"the local Prefect server exited with {process.returncode}; its log: {log}")
            info = recorded(home)
            if info is not None and info.pid == process.pid and healthy(info.api_url, timeout=2):
                return info, True
            time.sleep(0.25)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        raise ServerError(f"the local Prefect server did not answer within {timeout:.0f} s; its log: {log}")


def stop(home: Path) -> ServerInfo | None:
    """Stop the recorded server (SIGTERM, then SIGKILL); returns what was stopped, None if nothing ran."""
    info = recorded(home)
    if info is None:
        with contextlib.suppress(FileNotFoundError):
            state_file(home).unlink()
        return None
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            # SIGKILL takes the Prefect child too when the server leads its own group (a background one)
            leads = sig == signal.SIGKILL and os.getpgid(info.pid) == info.pid
            os.killpg(info.pid, sig) if leads else os.kill(info.pid, sig)
        deadline = time.monotonic() + STOP_SECONDS
        while time.monotonic() < deadline and _alive(info.pid):
            time.sleep(0.1)
        if not _alive(info.pid):
            break
    forget(home, info.pid)
    return info


def served_url(output: Path, path: Path, *, api_url: str | None) -> str | None:
    """The http address of ``path`` (a report under ``output``) on the report server beside newsflow's local
    server, registering ``output`` with it; None when ``api_url`` is another server (``None``: whichever
    local server is recorded), or none is running."""
    home = prefect_home()
    info = recorded(home)
    if info is None or (api_url is not None and info.api_url.rstrip("/") != api_url.rstrip("/")):
        return None
    files.register_output(registry_file(home), output)
    return files.report_url(info.reports_url, output, path.resolve().relative_to(output.resolve()))
