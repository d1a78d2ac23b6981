"""Contexts the operator preloads (`spark.contexts` of the server config) and SJS's reset, as
SJS's context supervisor and WebApi do them.

SJS starts the preloaded contexts when the server starts (AddContextsFromConfig), without
waiting for them, and logs the ones that fail. `PUT /contexts?reset=reboot` stops every context
and then starts the preloaded ones again; with `sync=false` it only asks every context to stop
and answers at once (SJS does not start the preloaded ones then either).

Where "the server starts" is: the local stack asks the reconciler to start them once its API is
up (infra/local/stack.py). On AWS nothing starts with the deployment, so the scheduled
reconciler starts each preloaded context that has never had a record in the contexts table: a
deploy that adds one to the config gets it within a minute, while one a user stopped stays
stopped until the next reset, as in SJS."""

import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from functions.domain.context_settings import context_settings
from functions.domain.contexts import ContextService
from infra.errors import ContextExists, JobServerError, NoSuchContext
from infra.server_config import SparkSection

log = logging.getLogger(__name__)

STOPS_AT_ONCE = 8
Reaches = Callable[[str], bool]  # whether a caller may act on the context of that name


def everyone(name: str) -> bool:
    return True


@dataclass(frozen=True)
class Preloads:
    contexts: ContextService
    server: SparkSection

    def start(self, reaches: Reaches = everyone, only_new: bool = False) -> list[str]:
        """Start each preloaded context that is not live (with `only_new`: that has no record
        at all), without waiting for it to be usable; the names started."""
        started = []
        for name, config in self.server.contexts.items():
            if not reaches(name) or self._taken(name, only_new):
                continue
            try:
                self.contexts.create(name, context_settings(name, {}, config, self.server), wait=False)
            except ContextExists:
                continue  # started meanwhile by someone else
            except JobServerError as e:
                log.error("Unable to start the preloaded context %s: %s", name, e)
                continue
            log.info("preloaded context %s starting", name)
            started.append(name)
        return started

    def reboot(self, reaches: Reaches = everyone, wait: bool = True) -> None:
        """Stop every live context the caller reaches; with `wait`, once they have stopped,
        start the preloaded ones."""
        names = [record.name for record in self.contexts.contexts.live() if reaches(record.name)]
        stop = self.contexts.delete if wait else self.contexts.request_stop
        with ThreadPoolExecutor(max_workers=STOPS_AT_ONCE, thread_name_prefix="reset") as stops:
            list(stops.map(lambda name: _stop(stop, name), names))
        if wait:
            self.start(reaches)

    def _taken(self, name: str, only_new: bool) -> bool:
        """A context of that name is live (with `only_new`: has ever been recorded)."""
        try:
            record = self.contexts.get(name)
        except NoSuchContext:
            return False
        return only_new or record.state.is_live


def _stop(stop: Callable[[str], object], name: str) -> None:
    with contextlib.suppress(NoSuchContext):  # it ended meanwhile
        stop(name)
