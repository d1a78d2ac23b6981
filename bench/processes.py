"""Proof that the suite leaves no process behind.

The suite makes itself a child subreaper (Linux prctl), so whatever its children start and orphan
(the Spark Connect JVM once its launcher shell is gone, a context host's JVM, spark-submit's Python
driver) is re-parented to the suite instead of to PID 1. After every system is closed, `sweep()`
lists the suite's remaining descendants, ends them by pid (they are all ours), and reaps the dead
ones, which PID 1 on some container/VM inits never does."""

import contextlib
import ctypes
import os
import signal
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """True when orphans of our children will now come to us (Linux only)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _table() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, state) for every process we can see."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces or ')'
        table[int(entry.name)] = (int(fields[1]), fields[0])
    return table


def _command(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:160]
    except OSError:
        return "?"


def live_descendants(root: int | None = None) -> dict[int, str]:
    """Our descendants that are still running (not zombies): pid → command line."""
    table, found, frontier = _table(), {}, [root or os.getpid()]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, state) in table.items():
            if ppid == parent and pid not in found:
                found[pid] = state
                frontier.append(pid)
    return {pid: _command(pid) for pid, state in found.items() if state != "Z"}


def reap() -> None:
    """Collect every exited child of ours (orphans adopted as subreaper included)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def sweep(grace: float = 10.0) -> dict[int, str]:
    """End whatever the suite left running; returns what had to be ended (empty when all was clean)."""
    left = live_descendants()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in list(live_descendants()) if sig == signal.SIGKILL else list(left):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while live_descendants() and time.monotonic() < deadline:
            reap()
            time.sleep(0.1)
        if not live_descendants():
            break
    reap()
    return left
