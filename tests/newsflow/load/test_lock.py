from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from newsflow.load.lock import OutputBusyError, output_lock

HOLD = """
import sys, time
from pathlib import Path
from newsflow.load.lock import output_lock
with output_lock(Path(sys.argv[1]), "holder-run", wait_seconds=0, on_wait=print):
    print("held", flush=True)
    time.sleep(60)
"""


def hold_in_process(lock: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(lock)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_second_holder_is_refused_with_who_holds_it(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    holder = hold_in_process(lock)
    try:
        with (
            pytest.raises(OutputBusyError, match=r"in use by run holder-run \(pid \d+"),
            output_lock(lock, "second", wait_seconds=0, on_wait=print),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_waiter_says_so_once_and_gets_the_lock_when_released(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    released = threading.Event()
    told: list[str] = []

    def first() -> None:
        with output_lock(lock, "first", wait_seconds=0, on_wait=told.append):
            released.wait(5)

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.2)
    threading.Timer(0.5, released.set).start()
    clock = time.monotonic()
    with output_lock(lock, "second", wait_seconds=10, on_wait=told.append):
        waited = time.monotonic() - clock
    thread.join()
    assert 0.3 < waited < 5
    assert len(told) == 1 and "in use by run first" in told[0] and "waiting up to 10 s" in told[0]


def test_a_killed_holder_never_leaves_the_output_locked(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    holder = hold_in_process(lock)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with output_lock(lock, "next", wait_seconds=0, on_wait=print):
        assert "next" in lock.read_text()
