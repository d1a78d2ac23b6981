"""Supervised contexts (`restart=on-failure`, SJS's "supervise" mode): the reconciler starts the
next incarnation of each context that failed and is waiting for it.

Whoever ends a supervised context's incarnation on a failure (its host on a dead JVM, the reaper
on a silent host) ends it RESTARTING instead of ERROR while attempts are left
(infra/context_end.py, infra/supervision.py). Its running jobs end ERROR with that reason, as any
failed context's do, and are not re-run: a job's effects are its own, so running it again is its
caller's choice. This module takes it from there once its backoff is over: `ContextService.restart`
gives it a new incarnation with the same name and settings, and the bus hears `Context
Restarted`; `Context Started` follows when it is usable. DELETE of a RESTARTING context ends it
FINISHED, and then nothing restarts it."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from events.lifecycle import ContextRestarted, LifecycleEvent
from events.states import ContextState
from functions.domain.contexts import ContextService
from infra.clock import now_ms
from infra.errors import ContextExists, InvalidWarmUp, JobServerError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Supervisor:
    contexts: ContextService
    tell: Callable[[LifecycleEvent], None]

    def restart_due(self) -> list[str]:
        """Start the next incarnation of every RESTARTING context whose backoff is over; the
        names restarted."""
        restarted = []
        for ended in self.contexts.contexts.restarting():
            if ended.restartAt > now_ms():
                continue
            try:
                record = self.contexts.restart(ended)
            except ContextExists:
                continue  # deleted, re-created or restarted meanwhile by someone else
            except InvalidWarmUp as e:  # its warm-up's binary or class is gone: no attempt can succeed
                log.error("context %s cannot restart: %s", ended.name, e)
                self.contexts.contexts.cancel_restart(ended.name, ended.contextId, str(e), ContextState.ERROR)
                continue
            except JobServerError as e:  # the launch failed: that incarnation has ended ERROR
                log.error("restarting context %s failed: %s", ended.name, e)
                continue
            policy = ended.settings.restart
            log.warning("context %s restarting (attempt %d): %s", ended.name, ended.restarts, ended.message)
            self.tell(
                ContextRestarted(
                    context=record.name,
                    contextId=record.contextId,
                    state=record.state,
                    previousContextId=ended.contextId,
                    attempt=ended.restarts,
                    attempts=policy.attempts if policy else ended.restarts,
                    reason=ended.message or "",
                )
            )
            restarted.append(ended.name)
        return restarted
