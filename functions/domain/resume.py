"""What the server does when it starts again over the state of a run that stopped (the local
stack restores it from `<state>/aws`, infra/local/snapshot.py): no host of that run is alive, so
nothing may go on looking as if it ran.

- Every context still recorded live (the run was killed rather than stopped) ends FINISHED,
  through ContextEnding, so its unfinished jobs end ERROR "Context (…) for this job was
  terminated: the job server stopped while it ran".
- Jobs still active on a context that had ended already (a save caught them between two writes)
  end the same way.
- The warm pool's spare records are dropped. Their hosts are never stopped by the host id on
  record: a process group number of the previous run may be another process's now.
- The contexts that ran when the server stopped start again with their settings (same name, a
  new incarnation), as SJS users expect of the contexts they preloaded, unless the server
  config says `spark.jobserver.restart-contexts-on-start = false`. Transient contexts (an ad-hoc
  job's) never do: their job has ended."""

import logging
from dataclasses import dataclass

from events.states import ContextState
from functions.domain.contexts import ContextService
from infra.context_end import ContextEnding
from infra.errors import JobServerError
from infra.stores.contexts import SPARE_PREFIX, ContextRecord

log = logging.getLogger(__name__)

CONTEXT_MESSAGE = "The job server stopped"
JOB_REASON = "the job server stopped while it ran"


@dataclass(frozen=True)
class Resumption:
    contexts: ContextService
    ending: ContextEnding
    restart_contexts: bool  # the server config's restart-contexts-on-start

    def resume(self, were_running: list[str]) -> dict[str, list[str]]:
        """End what the stopped run left live and start again the contexts in `were_running`
        (those that ran when it stopped) and those it left live; what was ended and restarted."""
        records = self.contexts.contexts.all()
        spares = [r for r in records if r.name.startswith(SPARE_PREFIX)]
        contexts = [r for r in records if not r.name.startswith(SPARE_PREFIX)]
        ended = []
        for record in contexts:
            if record.state.is_live:
                self.ending.end(record, ContextState.FINISHED, CONTEXT_MESSAGE, JOB_REASON)
                ended.append(record.name)
            self.ending.job_ending.end_with_context(record.name, JOB_REASON)
        for spare in spares:
            self.contexts.contexts.drop_spare(spare.contextId)
        wanted = set(were_running) | set(ended)
        restarted = []
        if self.restart_contexts:
            for record in contexts:
                if record.name in wanted and not record.transient:
                    restarted += self._restart(record)
        return {"ended": ended, "restarted": restarted}

    def _restart(self, record: ContextRecord) -> list[str]:
        try:
            self.contexts.restart(self.contexts.contexts.get(record.name))
        except JobServerError as e:
            log.error("context %s could not start again: %s", record.name, e)
            return []
        log.info("context %s starting again with its settings", record.name)
        return [record.name]
