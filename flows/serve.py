"""The ``ingest`` deployment on a schedule, and ``reprocess`` on demand: what ``newsflow serve`` runs (Prefect's
``serve``).

``prefect.yaml`` declares the same deployment for teams that use work pools
(``prefect deploy`` and ``prefect worker start``); keep the two in step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.types.entrypoint import EntrypointType

from flows.ingest import ingest
from flows.reprocess import reprocess
from newsflow.config import DEFAULT_INTERVAL_SECONDS

DEPLOYMENT = "ingest"
REPROCESS_DEPLOYMENT = "reprocess"


def deployment_parameters(source: Path, output: Path, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Default parameters of the deployment, editable per run in the Prefect UI.

    Paths are made absolute: a run may start in another working directory (a worker's).
    """
    return {
        "source": str(source.absolute()),
        "output": str(output.absolute()),
        "settings": dict(settings or {}),
        "dask_address": None,
        "dask_workers": None,
    }


def serve_ingest(
    *,
    source: Path,
    output: Path,
    settings: dict[str, Any] | None = None,
    cron: str | None = None,
    interval: float | None = None,
) -> None:
    """Serve the deployments until interrupted: ``ingest`` every ``interval`` seconds, or on ``cron``, and
    ``reprocess`` (no schedule: run it from the UI after changing a setting, or to retract an article).

    One run at a time (``limit=1``): a run that falls due while one is going waits
    for it, as the output lock would make it do anyway.
    """
    # The flows are importable wherever newsflow is installed; a file path would tie runs to this checkout's cwd.
    # ``to_deployment`` is sync-compatible (typed as maybe a coroutine); called from sync code it returns the value.
    scheduled = cast(
        RunnerDeployment,
        ingest.to_deployment(
            name=DEPLOYMENT,
            cron=cron,
            interval=None if cron else (interval or DEFAULT_INTERVAL_SECONDS),
            parameters=deployment_parameters(source, output, settings),
            tags=["newsflow"],
            entrypoint_type=EntrypointType.MODULE_PATH,
        ),
    )
    on_demand = cast(
        RunnerDeployment,
        reprocess.to_deployment(
            name=REPROCESS_DEPLOYMENT,
            parameters={"output": str(output.absolute()), "settings": dict(settings or {})},
            tags=["newsflow"],
            entrypoint_type=EntrypointType.MODULE_PATH,
        ),
    )
    serve(scheduled, on_demand, limit=1)
