"""Process plumbing every long-running process of the server shares (hosts, the local stack)."""

import os
import select
import signal
import threading
import time
from collections.abc import Callable

POLL_SECONDS = 1.0  # without pidfds (not Linux): how often a watched process is looked for


def when_gone(pid: int, callback: Callable[[], None]) -> None:
    """Call `callback` (on a daemon thread) once process `pid` has exited, or at once when it
    already has. A pidfd becomes readable when its process exits, reaped or not: `os.kill(pid,
    0)` still finds a zombie, so a process killed outright whose parent does not reap it (a
    test runner, a shell in the background) would look alive to its children forever."""
    if not hasattr(os, "pidfd_open"):  # not Linux: poll, which a zombie fools
        watch, args = _poll_until_gone, (pid, callback)
    else:
        try:
            watch, args = _wait_until_gone, (os.pidfd_open(pid), callback)
        except ProcessLookupError:
            callback()
            return
    threading.Thread(target=watch, args=args, name=f"when-gone-{pid}", daemon=True).start()


def _wait_until_gone(pidfd: int, callback: Callable[[], None]) -> None:
    select.select([pidfd], [], [])
    os.close(pidfd)
    callback()


def _poll_until_gone(pid: int, callback: Callable[[], None]) -> None:
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return callback()
        except PermissionError:
            pass  # alive, only not ours
        time.sleep(POLL_SECONDS)


class StopSignals:
    """SIGINT/SIGTERM as a flag. The handler only assigns: taking a lock in a signal handler can
    deadlock the thread it interrupts (Event.set while that thread is inside Event.wait)."""

    def __init__(self) -> None:
        self.received = False
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._handle)

    def _handle(self, *_: object) -> None:
        self.received = True
