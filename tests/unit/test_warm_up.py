"""A context's warm-up job as the API side makes it (its host runs it: the integration tests):
checked at POST /contexts (an unknown binary or class is a 400 and nothing is made), recorded
with each incarnation as an ordinary job that holds one of its slots, with the config a job of
that class submitted to it would get; a restart whose warm-up is gone ends the context ERROR."""

import uuid

from events.states import ContextState, JobStatus
from functions.domain.context_settings import context_settings
from functions.wiring import services
from infra.context_end import ContextEnding
from infra.server_config import SparkSection
from infra.stores.contexts import ContextStore
from infra.stores.jobs import JobStore
from tests.unit.test_api_contexts import queue_count

CACHED = "example_jobs.lifecycle.CachedTotalJob"


def warmed(name: str, app: str, **more) -> dict:
    """A context body with a warm-up job, and a key of its own config."""
    return {
        "owner": "team-a",
        "warm-up": {"app": app, "classPath": CACHED, "config": {"name": "numbers"}},
        **more,
    }


def test_an_unknown_warm_up_binary_or_class_is_a_400_and_makes_nothing(api, aws, app_name):
    name = f"warm-{uuid.uuid4().hex[:6]}"
    before = queue_count(aws.queue_prefix)
    unknown = {
        f"warm-up.app=nope-{uuid.uuid4().hex[:6]}&warm-up.classPath={CACHED}": "appName nope-",
        f"warm-up.app={app_name}&warm-up.classPath=example_jobs.Nope": "classPath example_jobs.Nope",
    }
    for query, says in unknown.items():
        answer = api("POST", f"/contexts/{name}?{query}")
        assert answer.status == 400 and answer.body["result"].startswith("Invalid warm-up job: "), answer.body
        assert says in answer.body["result"]
        assert api("GET", f"/contexts/{name}").status == 404
    assert queue_count(aws.queue_prefix) == before
    incomplete = api("POST", f"/contexts/{name}", f"warm-up {{ app = {app_name} }}")
    assert incomplete.status == 400 and "warm-up.classPath" in incomplete.body["result"]


def test_the_warm_up_is_recorded_with_its_context_as_a_job_holding_a_slot(api, aws, ecs_hosts, app_name):
    name = f"warm-{uuid.uuid4().hex[:6]}"
    settings = context_settings(name, {}, warmed(name, app_name), SparkSection())
    record = services().contexts.create(name, settings, wait=False)
    assert record.warmUp is not None
    stored = ContextStore(aws.contexts_table).get(name)
    assert stored.activeJobs == 1 and stored.warmUp == record.warmUp
    job = JobStore(aws.jobs_table).get(record.warmUp.jobId)
    assert (job.status, job.appName, job.classPath) == (JobStatus.STARTED, app_name, CACHED)
    assert job.contextId == record.contextId and job.config == {"name": "numbers"}  # as posted
    assert record.warmUp.config["name"] == "numbers" and record.warmUp.config["owner"] == "team-a"  # layered
    assert api("GET", f"/contexts/{name}").body["warmUpJobId"] == job.jobId
    assert job.jobId in [j["jobId"] for j in api("GET", "/jobs?limit=20").body]


def test_each_restart_has_a_warm_up_of_its_own_and_none_without_its_binary(api, aws, ecs_hosts, example_egg):
    app, name = f"warm-app-{uuid.uuid4().hex[:6]}", f"warm-{uuid.uuid4().hex[:6]}"
    assert api("POST", f"/binaries/{app}", example_egg).status == 201
    settings = context_settings(name, {"restart": "on-failure"}, warmed(name, app), SparkSection())
    svc, store = services(), ContextStore(aws.contexts_table)
    first = svc.contexts.create(name, settings, wait=False)
    ending = ContextEnding(store, svc.jobs.job_ending, svc.jobs.queues, list().append)

    ending.end(first, ContextState.ERROR, "its JVM died", job_reason="its JVM died")
    assert svc.supervisor.restart_due() == [name]
    second = store.get(name)
    assert second.warmUp is not None and first.warmUp is not None
    assert second.warmUp.jobId != first.warmUp.jobId and second.warmUp.contextId == second.contextId
    assert (
        JobStore(aws.jobs_table).get(first.warmUp.jobId).status is JobStatus.ERROR
    )  # ended with its incarnation

    ending.end(second.model_copy(update={"restarts": 0}), ContextState.ERROR, "died again", job_reason="died")
    assert api("DELETE", f"/binaries/{app}").status == 200
    assert svc.supervisor.restart_due() == []
    ended = store.get(name)
    assert (
        ended.state is ContextState.ERROR and ended.message == f"Invalid warm-up job: appName {app} not found"
    )
