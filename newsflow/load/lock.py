"""One run at a time per output folder: an advisory ``flock`` on ``<output>/.lock``.

A file lock rather than a Prefect concurrency limit, because the kernel releases it
when its holder dies, even by SIGKILL: a crashed run can never leave the output
locked, and no server has to be reachable for it to work.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

_POLL_SECONDS = 0.2


class OutputBusyError(RuntimeError):
    """Another run held the output folder's lock for longer than the configured wait."""


def _holder(fd: int) -> str:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"run {data['run_id']} (pid {data['pid']}, since {data['since']})"
    except (OSError, ValueError, KeyError):
        return "another run"


@contextmanager
def output_lock(path: Path, run_id: str, *, wait_seconds: float, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock at ``path`` for the block; wait up to ``wait_seconds`` for a holder to finish.

    ``on_wait`` is told once, with who holds the lock, if this run has to wait.
    Raises ``OutputBusyError`` when the wait runs out (``wait_seconds=0``: refuse at once).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(fd)
                if time.monotonic() >= deadline:
                    raise OutputBusyError(
                        f"{path.parent} is in use by {holder}; gave up after waiting {wait_seconds:g} s "
                        "(setting lock_wait_seconds)"
                    ) from None
                if not told:
                    on_wait(f"{path.parent} is in use by {holder}; waiting up to {wait_seconds:g} s for it to finish")
                    told = True
                time.sleep(_POLL_SECONDS)
        stamp = {"run_id": run_id, "pid": os.getpid(), "since": datetime.now(UTC).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(stamp).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
