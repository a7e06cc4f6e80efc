"""Large runs in windows: new files cut into windows of shards, each window parsed ahead of the global steps.

A window is deduplicated, staged and validated against the published tables plus the
windows staged before it, so peak memory follows the window, not the run. Parts of
the global steps are single-threaded (SciPy, Great Expectations): the next window is
read and parsed in a thread meanwhile, on the core they leave idle. At most two
windows are held in memory, and the tables of the one before them while the quality gate
checks them (``flows/ingest.py``). Nothing here knows Prefect: the caller passes the
function that parses a window (``flows/ingest.py`` passes one that submits tasks).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import polars as pl

Parsed = TypeVar("Parsed")
Shards = list[pl.DataFrame]


def plan_windows(fresh: pl.DataFrame, *, shard_size: int, window_files: int) -> list[Shards]:
    """``fresh`` (in ``source_path`` order) cut into windows of at most ``window_files`` files, each a list
    of shards of at most ``shard_size``. Windows follow path order, so the first copy of an exact
    duplicate is kept whatever the window size."""
    windows = []
    for start in range(0, fresh.height, window_files):
        window = fresh.slice(start, window_files)
        windows.append([window.slice(offset, shard_size) for offset in range(0, window.height, shard_size)])
    return windows


@contextmanager
def parsed_ahead(windows: Sequence[Shards], parse: Callable[[Shards], Parsed]) -> Iterator[Iterator[Parsed]]:
    """Each window's ``parse`` result, in order. Parsing starts on entry, and the next window is parsed in a
    thread while the caller works on this one; on exit (a closed generator included: a failed gate), the
    parse in flight is waited for."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse-ahead") as ahead:

        def start(shards: Shards) -> Future[Parsed]:
            # A copy of the caller's context, so work the thread starts belongs to the caller's flow run.
            return ahead.submit(contextvars.copy_context().run, parse, shards)

        pending = [start(windows[0])] if windows else []

        def in_order() -> Iterator[Parsed]:
            for following in windows[1:]:
                results = pending.pop().result()
                pending.append(start(following))
                yield results
            yield from (future.result() for future in pending)

        yield in_order()
