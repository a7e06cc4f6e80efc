"""What a person running ``newsflow`` in a terminal sees: a live progress display and quiet logs.

The flow reports progress to the current ``Display`` (``display()``); ``newsflow run`` installs a
live one (a terminal), a plain one (output piped to a file or CI: a line every few seconds) or
none (``--quiet``). A run started by a deployment has none: its progress is the Prefect
progress artifact. The live display draws through the same rich console as Prefect's log
handler, so log lines print above the bars instead of breaking them.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ENGINE_NOISE = ("Finished in state Completed", "Created task run", "Executing '", "Created subflow run")
"""Prefect's own per-task lines: one per task, and they say nothing a step line does not."""

DEFAULT_QUIET_PREFIXES = (*ENGINE_NOISE, "shard ", "expectation failed:", "Running hook", "Hook ")
"""Dropped from the terminal by default (``--verbose`` shows them; the Prefect UI always has them): engine
lines, per-shard lines (the progress display replaces them), and failed expectations (the CLI lists them
once, below the log)."""


class Display:
    """Progress of a run as it goes. This base class shows nothing."""

    def files(self, total: int) -> None:
        """``total`` files are to be read and parsed."""

    def files_done(self, count: int) -> None:
        """``count`` more files were read and parsed."""

    def status(self, text: str) -> None:
        """What the run does now (a step of a window, validation, publishing)."""

    def close(self) -> None:
        """The run ended."""


class PlainDisplay(Display):
    """For output that is not a terminal: a line when the step changes, and a progress line every ``every`` s."""

    def __init__(self, *, every: float = 10.0, stream: Any = None) -> None:
        self.every, self.stream = every, stream or sys.stderr
        self.total = self.done = 0
        self.started = self.last = time.monotonic()

    def _print(self, text: str) -> None:
        print(f"newsflow: {text}", file=self.stream, flush=True)

    def files(self, total: int) -> None:
        self.total, self.started = total, time.monotonic()

    def files_done(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.last >= self.every or self.done == self.total:
            self.last = now
            rate = self.done / max(now - self.started, 1e-9)
            self._print(f"read and parsed {self.done:,} of {self.total:,} files ({rate:,.0f} files/s)")

    def status(self, text: str) -> None:
        self._print(text)


class LiveDisplay(Display):
    """A terminal: a bar of files read and parsed (count, rate, time left) and a line for the current step."""

    def __init__(self, console: Any) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        # Prefect's console has a theme of its own (inherit=False): lend it rich's styles for bars.
        from rich.default_styles import DEFAULT_STYLES
        from rich.theme import Theme

        self.console = console
        bars = {name: style for name, style in DEFAULT_STYLES.items() if name.startswith(("bar.", "progress."))}
        console.push_theme(Theme(bars, inherit=False))
        self.reading = self.progress.add_task("read + parse", total=None, rate="", visible=False)
        self.step = self.progress.add_task("starting", total=None, rate="", visible=True)
        self.started = time.monotonic()
        self.progress.start()

    def files(self, total: int) -> None:
        self.started = time.monotonic()
        self.progress.update(self.reading, total=total, visible=total > 0)

    def files_done(self, count: int) -> None:
        self.progress.advance(self.reading, count)
        done = self.progress.tasks[self.reading].completed
        rate = done / max(time.monotonic() - self.started, 1e-9)
        self.progress.update(self.reading, rate=f"{rate:,.0f} files/s")

    def status(self, text: str) -> None:
        self.progress.update(self.step, description=text)

    def close(self) -> None:
        self.progress.update(self.step, visible=False)
        self.progress.stop()
        self.console.pop_theme()


_current: Display = Display()


def display() -> Display:
    """The display progress is reported to (one that shows nothing unless the CLI installed another)."""
    return _current


@contextmanager
def showing(chosen: Display) -> Iterator[Display]:
    """Report progress to ``chosen`` for the duration of the block."""
    global _current
    previous, _current = _current, chosen
    try:
        yield chosen
    finally:
        chosen.close()
        _current = previous


class DropPrefixes(logging.Filter):
    """Drops log records whose message starts with one of ``prefixes``, or that carry a ``QualityGateError``
    (the CLI explains a failed gate once, below the log)."""

    def __init__(self, prefixes: tuple[str, ...]) -> None:
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "QualityGateError" in message:
            return False
        if record.exc_info and type(record.exc_info[1]).__name__ == "QualityGateError":
            return False
        return not message.startswith(self.prefixes)


def console_handlers() -> list[logging.Handler]:
    """Prefect's console log handlers (on the root logger once Prefect has configured logging)."""
    from prefect.logging.handlers import PrefectConsoleHandler

    return [handler for handler in logging.getLogger().handlers if isinstance(handler, PrefectConsoleHandler)]


@contextmanager
def terminal(*, verbosity: int, stream: Any = None) -> Iterator[Display]:
    """Logs and progress for a run in this process: ``verbosity`` -1 (``--quiet``: warnings and errors only,
    no progress), 0 (default: step lines and progress), 1 (``--verbose``: every Prefect log line too)."""
    stream = stream or sys.stderr
    handlers = console_handlers()
    quiet = DropPrefixes(DEFAULT_QUIET_PREFIXES)
    levels = [handler.level for handler in handlers]
    for handler in handlers:
        if verbosity < 0:
            handler.setLevel(logging.WARNING)
        if verbosity <= 0:
            handler.addFilter(quiet)
    chosen: Display
    if verbosity < 0:
        chosen = Display()
    elif stream.isatty() and handlers:
        chosen = LiveDisplay(handlers[0].console)  # type: ignore[attr-defined]
    else:
        chosen = PlainDisplay(stream=stream)
    try:
        with showing(chosen) as shown:
            yield shown
    finally:
        for handler, level in zip(handlers, levels, strict=True):
            handler.setLevel(level)
            handler.removeFilter(quiet)
