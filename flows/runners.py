"""Where a run's shard tasks execute: threads in the flow's process (default) or a Dask cluster."""

from __future__ import annotations

from typing import Any


class RunnerError(ValueError):
    """Contradictory or invalid execution options."""


def dask_task_runner(*, address: str | None = None, workers: int | None = None) -> Any:
    """A ``prefect_dask.DaskTaskRunner`` for an existing cluster (``address``) or a local one of ``workers`` processes.

    Returns None when neither is given (the flow's own thread pool). Workers of a cluster
    at ``address`` need ``PREFECT_API_URL`` set to the server's API in their environment. A local cluster
    has one thread per worker process: Polars already uses every core of a process,
    so threads would only contend for them. It starts with the run and stops with it.
    """
    if address and workers:
        raise RunnerError("give either a Dask scheduler address or a number of local workers, not both")
    if workers is not None and workers < 1:
        raise RunnerError(f"dask workers must be >= 1, got {workers}")
    if not address and not workers:
        return None
    from prefect.client.orchestration import get_client
    from prefect_dask.task_runners import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    # Worker processes must report their task runs to this run's server (a temporary one has no
    # PREFECT_API_URL setting, only the client knows it); without it each would start a server of its own.
    with get_client(sync_client=True) as client:
        env = {"PREFECT_API_URL": str(client.api_url).rstrip("/")}
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
            "env": env,
        },
    )


def scheduler_address() -> str | None:
    """The scheduler address of the Dask cluster the current flow run's tasks run on; None off Dask (threads).

    The global steps send their pieces there too (``tasks.dedup.deduplicate``). prefect-dask's own
    ``get_dask_client`` reads the runner's client the same way.
    """
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    client = getattr(context.task_runner, "_client", None) if context else None
    return None if client is None else str(client.scheduler.address)
