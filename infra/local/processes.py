"""Process plumbing of the local stack.

A terminal's Ctrl-C reaches the whole foreground process group. The stack stops what it started
itself, in order (HTTP first, then hosts while moto still answers, then moto), so its children
either ignore Ctrl-C or run in a process group of their own; and each child exits when the process
that started it is gone, even if that one was killed outright."""

import contextlib
import os
import signal
import time

from infra.processes import when_gone


def ignore_ctrl_c() -> None:
    """Run in a child of the stack's process group: the stack, not the terminal, stops it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def exit_with(pid: int) -> None:
    """Run in a child: SIGTERM to itself once process `pid` (the one that started it) has exited.

    Linux's parent-death signal (prctl PR_SET_PDEATHSIG) does not fit: it fires when the *thread*
    that created the child ends, so a worker started from a short-lived thread died with that
    thread. when_gone watches the process itself."""
    when_gone(pid, lambda: os.kill(os.getpid(), signal.SIGTERM))


def signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signum)


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def wait_groups_gone(groups: list[int], timeout: float) -> list[int]:
    """Wait for process groups to exit; returns those still there after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (alive := [g for g in groups if group_alive(g)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive
