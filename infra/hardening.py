"""Keeping a trusted process's secrets from other processes of the same user.

Job code runs as a user of its own when the host runs as root (context_host/sandbox.py); when it
cannot, it runs as the same user as the server, and then the one thing between it and the
server's credentials is the kernel's rule that another process's environment and memory
(/proc/<pid>/environ, /proc/<pid>/mem, ptrace) are closed to same-user processes when the
process is not dumpable. Every trusted process (the local stack, its function workers, the
context hosts) calls `conceal()` first thing."""

import ctypes
import sys

_PR_SET_DUMPABLE = 4


def conceal() -> None:
    """Make this process non-dumpable (Linux); a no-op elsewhere. execve resets it, so each
    process calls it itself."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
