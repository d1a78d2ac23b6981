"""Process plumbing every long-running process of the server shares (hosts, the local stack)."""

import os
import signal


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, only not ours
    return True


class StopSignals:
    """SIGINT/SIGTERM as a flag. The handler only assigns: taking a lock in a signal handler can
    deadlock the thread it interrupts (Event.set while that thread is inside Event.wait)."""

    def __init__(self) -> None:
        self.received = False
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._handle)

    def _handle(self, *_: object) -> None:
        self.received = True
