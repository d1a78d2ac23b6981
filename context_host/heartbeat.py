"""Tells the contexts table this host is alive, and notices when it should not be.

A beat is conditional on the context incarnation still being live: if the reaper declared this
host dead (or the context was deleted), the beat fails and the host stops itself rather than run
jobs nobody can see. A beat is also a check of the context's engine: a JVM that died or stopped
answering ends the context rather than leave it listed RUNNING with nothing behind it."""

import logging
import threading
from collections.abc import Callable

from infra.errors import Conflict

log = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    def __init__(
        self,
        beat: Callable[[], None],
        interval_seconds: float,
        on_lost: Callable[[str], None],
        on_engine_dead: Callable[[str], None],
    ):
        """`beat` records this host alive in its record, and raises Conflict when that record
        says it should not be (see ContextStore.beat and .beat_spare)."""
        super().__init__(name="heartbeat", daemon=True)
        self._beat = beat
        self._interval = interval_seconds
        self._on_lost = on_lost
        self._on_engine_dead = on_engine_dead
        self._engine_death: Callable[[], str | None] = lambda: None
        self._stopped = threading.Event()

    def beat_for(self, beat: Callable[[], None]) -> None:
        """From now on, beat in another record (a spare host's, once a context adopted it)."""
        self._beat = beat

    def watch_engine(self, death: Callable[[], str | None]) -> None:
        """From now on, check the engine each beat: `death` says why it is dead, or None."""
        self._engine_death = death

    def run(self) -> None:
        while not self._stopped.is_set():
            death = self._engine_death()
            if death and not self._stopped.is_set():
                return self._on_engine_dead(death)
            try:
                self._beat()
            except Conflict:
                return self._on_lost("its record has ended in the contexts table (deleted or declared dead)")
            except Exception:
                log.exception("heartbeat failed; retrying")
            self._stopped.wait(self._interval)

    def stop(self) -> None:
        self._stopped.set()
