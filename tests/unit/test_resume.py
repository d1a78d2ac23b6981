"""A restart over a stopped run's state (functions/domain/resume.py): nothing of that run stays
live, its jobs end ERROR with the reason, its spares go; on a stack of its own, because resuming
ends every live context of the tables it is given."""

import uuid

import pytest

from events.states import ContextState, JobStatus
from functions.domain.resume import CONTEXT_MESSAGE, JOB_REASON
from functions.wiring import services
from infra.config import Settings
from infra.local.provision import provision
from infra.local.template import load
from infra.stores.contexts import SPARE_PREFIX, ContextStore
from infra.stores.jobs import JobStore
from tests.unit.test_api_contexts import live_context
from tests.unit.test_api_jobs import job_on


@pytest.fixture
def restored(aws, configure):
    """A fresh stack, as the local stack has it right after restoring: no host of it is alive.
    Its hosts are ECS tasks, as the template says (moto's RunTask runs nothing)."""

    def fresh(server_config: str = "") -> Settings:
        env = provision(load(), f"sjs-resume-{uuid.uuid4().hex[:4]}").env
        configure(server_config, **{name: value for name, value in env.items() if name != "SERVER_CONFIG"})
        return Settings.from_env()

    return fresh


def test_what_the_stopped_run_left_live_ends_with_the_reason(restored):
    restored = restored("spark.jobserver.restart-contexts-on-start = false")
    running = live_context(restored, "analytics")
    job = job_on(restored, running.name)
    ended_before = live_context(restored, "nightly", state=ContextState.FINISHED)
    stray = job_on(restored, ended_before.name)  # saved between its context's end and its own
    contexts = ContextStore(restored.contexts_table)
    contexts.add_spare("abc", host_id="local:1")  # a process group of the old run: never signalled

    resumed = services().resumption.resume(were_running=["nightly"])

    assert resumed == {"ended": ["analytics"], "restarted": []}  # the config says: no restarts
    record = contexts.get("analytics")
    assert record.state is ContextState.FINISHED and record.message == CONTEXT_MESSAGE
    jobs = JobStore(restored.jobs_table)
    for job_id, context in ((job.jobId, "analytics"), (stray.jobId, "nightly")):
        ended = jobs.get(job_id)
        assert ended.status is JobStatus.ERROR
        assert ended.error.message == f"Context ({context}) for this job was terminated: {JOB_REASON}"
    assert not [r for r in contexts.all() if r.name.startswith(SPARE_PREFIX)]


def test_by_default_the_contexts_that_ran_start_again_with_their_settings(restored):
    restored = restored()
    crashed = live_context(restored, "analytics", max_jobs=3)  # the run was killed: still live
    stopped = live_context(restored, "nightly", max_jobs=5, state=ContextState.FINISHED)  # ended at stop
    live_context(restored, "adhoc", state=ContextState.FINISHED)  # stopped earlier by its user
    contexts = ContextStore(restored.contexts_table)
    contexts.create(crashed.model_copy(update={"name": "adhoc-job", "contextId": "t1", "transient": True}))

    resumed = services().resumption.resume(were_running=["nightly"])

    assert sorted(resumed["restarted"]) == ["analytics", "nightly"]
    for before in (crashed, stopped):
        again = contexts.get(before.name)
        assert again.contextId != before.contextId and again.state is ContextState.STARTED
        assert again.settings == before.settings
    assert contexts.get("adhoc").state is ContextState.FINISHED
    assert contexts.get("adhoc-job").state is ContextState.FINISHED  # an ad-hoc job's: never again
