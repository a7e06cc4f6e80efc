"""When a task is tried again."""

from __future__ import annotations

from typing import Any


def transient_io_error(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only I/O errors; a bug or bad data fails the same way every time."""
    return isinstance(state.result(raise_on_failure=False), OSError)
