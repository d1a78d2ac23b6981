"""Process plumbing of the local stack.

A terminal's Ctrl-C reaches the whole foreground process group. The stack's own children (moto,
function workers) ignore it so the stack can stop things in order (hosts first, while moto still
answers), and they die with the stack if it is killed outright (Linux's parent-death signal)."""

import contextlib
import ctypes
import os
import signal
import sys
import time

_PR_SET_PDEATHSIG = 1


def follow_parent() -> None:
    """Run in a child: ignore Ctrl-C, and get SIGTERM when the parent dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


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
