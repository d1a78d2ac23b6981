"""Waiting on a record to reach a state: an async submit until its job leaves STARTED, a context
until it is usable or has stopped. (Sync jobs sleep on a reply queue instead; see jobs.py.)

Polls the strongly consistent record: every 5 ms for the first half second, then backing off to
100 ms so long waits cost few reads."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

FAST_INTERVAL = 0.005
FAST_PERIOD = 0.5
MAX_INTERVAL = 0.1


def wait_until(fetch: Callable[[], T], done: Callable[[T], bool], timeout: float) -> tuple[T, bool]:
    """(last value, whether `done` held) after at most `timeout` seconds."""
    start = time.monotonic()
    interval = FAST_INTERVAL
    while True:
        value = fetch()
        if done(value):
            return value, True
        elapsed = time.monotonic() - start
        if elapsed >= timeout:
            return value, False
        if elapsed > FAST_PERIOD:
            interval = min(interval * 1.5, MAX_INTERVAL)
        time.sleep(min(interval, max(timeout - elapsed, 0)))
