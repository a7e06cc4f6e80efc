"""The quality gate in a process of its own: importing Great Expectations and validating a window run beside
the flow, not in its process.

Both are Python work that holds the GIL for seconds at a time. In the flow's process they
stall the thread that reads and parses the next window, which needs the GIL between its
Polars calls (benchmarks/README.md, "Measured design"). In a child process the import runs on
the core the flow leaves idle while it starts up, and the flow's process only waits.

One child serves every run of the process that started it (``newsflow serve`` runs flows
one after another, a test session many): only the first run pays for the import. It ends
with that process, however it ends: a process killed outright (the out-of-memory killer,
``kill -9``) runs no exit handler, and its child would otherwise wait for work forever.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from types import TracebackType
from typing import Any

import polars as pl

from newsflow.quality.gate import Gate, Outcome
from newsflow.quality.suites import EXPECTATIONS_DIR

_GATES: dict[Path, Gate] = {}
"""The child's gates, one per run (by Data Docs folder)."""

_PARENT_CHECK_SECONDS = 1.0
"""How often the child looks whether the process that started it is still alive."""


def _end_with(parent: int) -> None:
    """In the child: exit as soon as ``parent`` is gone (then the child is another process's, usually init's).
    A parent that exits normally shuts the child down itself (``atexit``); one killed outright cannot."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_SECONDS)
        os._exit(0)  # no clean-up is owed to a parent that is gone, and a validation under way is moot

    threading.Thread(target=watch, name="newsflow-parent-watch", daemon=True).start()


def _warm() -> None:
    import great_expectations  # noqa: F401 (the import is the point: it takes seconds)


def _open(docs_dir: Path, suites_dir: Path) -> dict[str, list[str]]:
    gate = _GATES[docs_dir] = Gate(docs_dir=docs_dir, suites_dir=suites_dir)
    return gate.columns


def _validate(docs_dir: Path, views: dict[str, pl.DataFrame], parameters: dict[str, Any], run_name: str) -> Outcome:
    return _GATES[docs_dir].validate(views, parameters, run_name=run_name)


def _forget(docs_dir: Path) -> None:
    _GATES.pop(docs_dir, None)


_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _child(*, replace: ProcessPoolExecutor | None = None) -> ProcessPoolExecutor:
    """The child process, started (and Great Expectations imported in it) on first use (``preload``), or again
    when ``replace`` is the current one (it died: killed, out of memory). Spawned, not forked: the flow's
    process runs Polars' threads, which a fork would copy in the middle of their work."""
    global _pool  # one child per process, started on demand
    with _lock:
        if _pool is None or _pool is replace:
            _pool = ProcessPoolExecutor(
                max_workers=1, mp_context=get_context("spawn"), initializer=_end_with, initargs=(os.getpid(),)
            )
            _pool.submit(_warm)
            atexit.register(_pool.shutdown, cancel_futures=True)
        return _pool


class GateProcess:
    """A run's ``Gate``, built and used in the child process; the same ``validate``. Built at once in the
    background: ``validate`` waits for it and raises what building raised (``SuiteError``). Close it (or use
    it as a context manager) when the run is done, to free the child's copy."""

    def __init__(self, *, docs_dir: Path, suites_dir: Path = EXPECTATIONS_DIR) -> None:
        self.docs_dir = docs_dir.resolve()
        self._child = _child()
        try:
            self._built: Future[dict[str, list[str]]] = self._child.submit(_open, self.docs_dir, suites_dir)
        except BrokenProcessPool:
            # The child of an earlier run died: a later run (``newsflow serve``) gets a new one.
            self._child = _child(replace=self._child)
            self._built = self._child.submit(_open, self.docs_dir, suites_dir)

    def validate(
        self, views: Mapping[str, pl.DataFrame], parameters: Mapping[str, Any], *, run_name: str = "run"
    ) -> Outcome:
        """``Gate.validate`` in the child. Only the columns the suites read are sent (as Arrow IPC, Polars'
        pickle format): the views also hold article texts."""
        columns = self._built.result()
        # A view missing here is missing there too, and the gate says so.
        sent = {table: views[table].select(names) for table, names in columns.items() if table in views}
        return self._child.submit(_validate, self.docs_dir, sent, dict(parameters), run_name).result()

    def close(self) -> None:
        self._child.submit(_forget, self.docs_dir)

    def __enter__(self) -> GateProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def preload() -> None:
    """Start the child, and its import of Great Expectations, now (while something else waits)."""
    _child()
