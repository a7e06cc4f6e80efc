"""The process of ``newsflow server``: ``prefect server start`` as a child, and the reports beside it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType

from newsflow.server import local
from newsflow.server.files import reports_server


def serve(*, host: str, port: int, reports_port: int | None = None) -> int:
    """Run the Prefect server (API and UI on ``port``) and the report server until stopped; returns its exit code.

    SIGTERM or SIGINT stop both. The state file in Prefect's home records this process while it runs.
    """
    home = local.prefect_home()
    prefect = shutil.which("prefect", path=str(Path(sys.executable).parent)) or "prefect"
    api = f"http://{host}:{port}/api"
    env = {
        **os.environ,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # `--port` alone is not enough: the UI finds its API through these settings
        # (default port 4200), so on another port it would call a server that is not there.
        "PREFECT_SERVER_API_HOST": host,
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_SERVER_UI_API_URL": api,
    }
    reports = reports_server(host, reports_port or local.free_port(host), local.registry_file(home))
    reports_url = f"http://{host}:{reports.server_address[1]}"
    print(f"Prefect UI: http://{host}:{port}   (point runs at it: export PREFECT_API_URL={api})", flush=True)
    print(f"reports (Data Docs, run reports): {reports_url}", flush=True)
    # The child stays in this process group: a background server (its own session) is stopped as one.
    child = subprocess.Popen([prefect, "server", "start", "--host", host, "--port", str(port)], env=env)

    def stop(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(ProcessLookupError):
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    info = local.ServerInfo(
        pid=os.getpid(),
        api_url=api,
        ui_url=f"http://{host}:{port}",
        reports_url=reports_url,
        log=str(local.log_file(home)),
    )
    local.record(home, info)
    threading.Thread(target=reports.serve_forever, name="reports", daemon=True).start()
    try:
        try:
            code = child.wait()
        except BaseException:
            stop(signal.SIGTERM, None)
            code = child.wait(timeout=local.STOP_SECONDS)
    finally:
        reports.shutdown()
        local.forget(home, os.getpid())
    return code
