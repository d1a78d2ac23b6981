"""The warm pool: spare context hosts whose SparkSession (default settings), job workers and
endpoint are already started, so an ad-hoc job, or a context whose settings a running session can
take, starts in well under a second instead of a JVM's cold start (~5 s).

A spare is a host started with no context (`python -m context_host --spare ID`) and a record of
its own in the contexts table (`_spare-<id>`, state SPARE, never listed as a context). A new
context claims a ready spare with one conditional write, and its host, told through its
endpoint, takes the context's runtime settings and marks it RUNNING. A new spare starts behind it
(and the reconciler keeps `size` of them). A spare whose host went silent, or that was claimed
and never adopted (its caller died), is dropped and its host stopped."""

import logging
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from events.settings import ContextFlavour, ContextSettings
from infra.clock import now_ms
from infra.launchers import ContextLauncher
from infra.stores.contexts import ContextRecord, ContextStore

log = logging.getLogger(__name__)

_BEHIND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="replenish")  # off the adopting call
RUNTIME_SETTINGS_PREFIX = "spark.sql."  # what a running session can take (the host refuses static ones)


def adoptable(settings: ContextSettings) -> bool:
    """A spare's session can become this context's: the same resources (cores, memory), any
    flavour (told with each job), and only Spark settings a running session takes. Anything else
    (e.g. `spark.executor.*`, a Hive catalog, `hadoop`/`passthrough` settings) starts cold."""
    spare = ContextSettings()
    return (
        settings.numCpuCores == spare.numCpuCores
        and settings.memoryPerNode is None
        and settings.flavour is not ContextFlavour.HIVE_CONTEXT
        and all(key.startswith(RUNTIME_SETTINGS_PREFIX) for key in settings.sparkConf)
    )


@dataclass(frozen=True)
class WarmPool:
    contexts: ContextStore
    launcher: ContextLauncher
    size: int  # spares to keep warm
    heartbeat_timeout_seconds: float
    start_timeout_seconds: float

    def take(self, context: str, settings: ContextSettings) -> ContextRecord | None:
        """A ready spare claimed for `context`, or None (no spare, or settings it cannot take)."""
        if not self.size or not adoptable(settings):
            return None
        ready = [s for s in self.contexts.spares() if s.endpoint and not s.takenBy and not self._stale(s)]
        random.shuffle(ready)  # callers at once try different spares first
        return next((spare for spare in ready if self.contexts.take_spare(spare, context)), None)

    def replenish_behind(self) -> None:
        """Start the spares that are missing, without holding up the caller."""
        _BEHIND.submit(self.replenish)

    def replenish(self) -> list[str]:
        """Start spares until `size` are warm or warming; the ids of those started."""
        unclaimed = [spare for spare in self.contexts.spares() if not spare.takenBy]
        started = []
        for _ in range(self.size - len(unclaimed)):
            spare_id = uuid.uuid4().hex
            self.contexts.add_spare(spare_id, host_id="")
            try:
                self.contexts.set_spare_host(spare_id, self.launcher.launch_spare(spare_id))
            except Exception:
                log.exception("starting spare host %s failed", spare_id)
                self.contexts.drop_spare(spare_id)
                continue
            started.append(spare_id)
        return started

    def reap(self) -> list[str]:
        """Drop the spares whose host went silent or that were claimed and never adopted, and
        stop their hosts; their ids."""
        reaped = []
        for spare in self.contexts.spares():
            abandoned = spare.takenBy and now_ms() - spare.takenAt > self.start_timeout_seconds * 1000
            if self._stale(spare) or abandoned:
                self.contexts.drop_spare(spare.contextId)
                if spare.hostId:
                    self.launcher.stop(spare.hostId)
                reaped.append(spare.contextId)
        return reaped

    def give_up(self, spare: ContextRecord) -> None:
        """A spare that would not be adopted: dropped, its host stopped."""
        self.contexts.drop_spare(spare.contextId)
        if spare.hostId:
            self.launcher.stop(spare.hostId)

    def _stale(self, spare: ContextRecord) -> bool:
        """Silent past the heartbeat timeout once warm, past the start timeout while it starts."""
        limit = self.heartbeat_timeout_seconds if spare.endpoint else self.start_timeout_seconds
        return now_ms() - spare.heartbeatAt > limit * 1000
