"""Supervised contexts: the restart decision and its backoff, the settings that ask for it, the
end that leaves a context RESTARTING, and the reconciler that starts its next incarnation."""

import uuid
from datetime import UTC, datetime

import pytest

from events.lifecycle import ContextFailed
from events.settings import ContextSettings, RestartPolicy
from events.states import ContextState, JobStatus
from functions.domain.context_settings import adhoc_settings, context_settings
from functions.reconciler.app import lambda_handler as reconcile
from functions.wiring import services
from infra.aws import client
from infra.clock import now_iso, now_ms
from infra.context_end import ContextEnding
from infra.errors import BadRequest
from infra.local.lambda_runtime import LocalLambdaContext
from infra.server_config import SparkSection
from infra.stores.contexts import ContextRecord, ContextStore
from infra.stores.jobs import JobStore
from infra.supervision import STABLE_SECONDS, backoff_seconds, restart_plan
from tests.support.receivers import subscribe
from tests.unit.test_api_jobs import job_on

T0 = 1_800_000_000_000  # epoch ms


def failed(restarts: int = 0, attempts: int | None = 3, ran_seconds: float = 5, transient: bool = False):
    """An incarnation that started at T0 - ran_seconds and failed at T0."""
    settings = ContextSettings(restart=RestartPolicy(attempts=attempts) if attempts else None)
    started = T0 - int(ran_seconds * 1000)
    return ContextRecord(
        name="etl",
        contextId="c1",
        state=ContextState.RUNNING,
        startTime=datetime.fromtimestamp(started / 1000, UTC).isoformat(timespec="milliseconds"),
        queueUrl="q",
        settings=settings,
        restarts=restarts,
        transient=transient,
    )


def test_backoff_is_none_at_first_then_doubles_up_to_a_minute():
    assert [backoff_seconds(n) for n in range(1, 9)] == [0, 2, 4, 8, 16, 32, 60, 60]


def test_a_failed_supervised_context_restarts_at_once_then_with_backoff_until_attempts_run_out():
    first = restart_plan(failed(restarts=0), T0)
    assert first is not None and (first.attempt, first.at_ms) == (1, T0)
    third = restart_plan(failed(restarts=2), T0)
    assert third is not None and (third.attempt, third.at_ms) == (3, T0 + 4000)
    assert restart_plan(failed(restarts=3), T0) is None


def test_a_stable_run_starts_the_count_afresh():
    plan = restart_plan(failed(restarts=3, ran_seconds=STABLE_SECONDS + 1), T0)
    assert plan is not None and plan.attempt == 1


def test_unsupervised_and_transient_contexts_are_not_restarted():
    assert restart_plan(failed(attempts=None), T0) is None
    assert restart_plan(failed(transient=True), T0) is None


def test_restart_comes_from_the_query_or_the_body_and_not_for_adhoc_contexts():
    server = SparkSection()
    by_query = context_settings("a", {"restart": "on-failure", "restart-attempts": "2"}, {}, server)
    assert by_query.restart == RestartPolicy(attempts=2)
    by_body = context_settings("a", {}, {"restart": "on-failure"}, server)
    assert by_body.restart == RestartPolicy(attempts=3)
    assert context_settings("a", {"restart": "no"}, {}, server).restart is None
    assert (
        adhoc_settings("a", {"spark": {"context-settings": {"restart": "on-failure"}}}, server).restart
        is None
    )
    for bad in ({"restart": "always"}, {"restart": "on-failure", "restart-attempts": "0"}):
        with pytest.raises(BadRequest):
            context_settings("a", bad, {}, server)


def supervised(aws, name: str, attempts: int = 3, heartbeat_ms: int | None = None) -> ContextRecord:
    """A running context created with restart=on-failure (and a Spark setting it keeps)."""
    context_id = uuid.uuid4().hex
    record = ContextRecord(
        name=name,
        contextId=context_id,
        state=ContextState.RUNNING,
        startTime=now_iso(),
        queueUrl=client("sqs").create_queue(QueueName=f"{aws.queue_prefix}{name}-{context_id}")["QueueUrl"],
        settings=ContextSettings(restart=RestartPolicy(attempts=attempts), sparkConf={"spark.sql.x": "1"}),
        heartbeatAt=now_ms() if heartbeat_ms is None else heartbeat_ms,
    )
    ContextStore(aws.contexts_table).create(record)
    return record


def test_a_supervised_context_that_fails_ends_restarting_and_its_jobs_end_error(aws):
    record = supervised(aws, f"sup-{uuid.uuid4().hex[:4]}")
    job = job_on(aws, record.name)
    told = []
    svc = services()
    ending = ContextEnding(
        ContextStore(aws.contexts_table), svc.jobs.job_ending, svc.jobs.queues, told.append
    )
    assert ending.end(record, ContextState.ERROR, "its JVM died", job_reason="its JVM died") is not None
    after = ContextStore(aws.contexts_table).get(record.name)
    assert after.state is ContextState.RESTARTING and after.restarts == 1 and after.restartAt <= now_ms()
    assert "restarting (attempt 1 of 3)" in (after.message or "")
    assert JobStore(aws.jobs_table).get(job.jobId).status is JobStatus.ERROR
    assert [type(e) for e in told] == [ContextFailed] and told[0].state is ContextState.RESTARTING
    assert ContextStore(aws.contexts_table).cancel_restart(record.name, record.contextId, "done")  # no launch


def test_the_last_attempt_ends_error_for_good(aws):
    record = supervised(aws, f"sup-{uuid.uuid4().hex[:4]}", attempts=1)
    record = record.model_copy(update={"restarts": 1})
    svc = services()
    ending = ContextEnding(
        ContextStore(aws.contexts_table), svc.jobs.job_ending, svc.jobs.queues, list().append
    )
    ending.end(record, ContextState.ERROR, "its JVM died")
    assert ContextStore(aws.contexts_table).get(record.name).state is ContextState.ERROR


def test_a_silent_supervised_context_stays_listed_as_it_restarts(aws, api):
    record = supervised(aws, f"sup-{uuid.uuid4().hex[:4]}", heartbeat_ms=now_ms() - 60_000)
    unsupervised = supervised(aws, f"uns-{uuid.uuid4().hex[:4]}", heartbeat_ms=now_ms() - 60_000)
    ContextStore(aws.contexts_table).create(  # the same, without restart=on-failure
        unsupervised.model_copy(update={"contextId": uuid.uuid4().hex, "settings": ContextSettings()}),
        replacing=unsupervised,
    )
    names = api("GET", "/contexts").body  # reads reap the silent hosts
    assert record.name in names and unsupervised.name not in names
    assert api("GET", f"/contexts/{record.name}").body["state"] == "RESTARTING"


def test_the_reconciler_restarts_a_silent_supervised_context_with_its_settings(aws, ecs_hosts):
    record = supervised(aws, f"sup-{uuid.uuid4().hex[:4]}", heartbeat_ms=now_ms() - 60_000)
    pattern = {"source": ["sjs.jobserver"], "detail": {"context": [record.name]}}
    bus = subscribe(client("events"), client("sqs"), aws.event_bus_name, pattern)
    result = reconcile({}, LocalLambdaContext("ReconcilerFunction", "tick"))
    assert record.name in result["reaped"] and record.name in result["restarted"]
    again = ContextStore(aws.contexts_table).get(record.name)
    assert again.state is ContextState.STARTED and again.contextId != record.contextId
    assert again.settings == record.settings and again.restarts == 1
    assert (again.hostId or "").startswith("ecs:")
    failed = bus.wait_for(lambda e: e["detail-type"] == "Context Failed", timeout=5)["detail"]
    assert failed["state"] == "RESTARTING" and failed["contextId"] == record.contextId
    restarted = bus.wait_for(lambda e: e["detail-type"] == "Context Restarted", timeout=5)["detail"]
    assert restarted["contextId"] == again.contextId and restarted["previousContextId"] == record.contextId
    assert (restarted["attempt"], restarted["attempts"]) == (1, 3)


def test_a_restart_waits_for_its_backoff_and_a_delete_meanwhile_cancels_it(aws, ecs_hosts, api):
    record = supervised(aws, f"sup-{uuid.uuid4().hex[:4]}")
    store = ContextStore(aws.contexts_table)
    second = restart_plan(record.model_copy(update={"restarts": 1}), now_ms())  # due in 2 s
    store.end(record.name, record.contextId, ContextState.ERROR, "died", second)
    assert services().supervisor.restart_due() == []
    assert store.get(record.name).state is ContextState.RESTARTING
    assert record.name in api("GET", "/contexts").body  # listed between two incarnations
    assert api("DELETE", f"/contexts/{record.name}").status == 200
    assert store.get(record.name).state is ContextState.FINISHED
    assert record.name not in api("GET", "/contexts").body
    assert record.name not in services().supervisor.restart_due()  # nothing restarts it any more


def test_the_restart_queues_event_restarts_at_once(aws, ecs_hosts):
    record = supervised(aws, f"sup-{uuid.uuid4().hex[:4]}")
    store = ContextStore(aws.contexts_table)
    store.end(record.name, record.contextId, ContextState.ERROR, "died", restart_plan(record, now_ms()))
    told = {
        "Records": [{"messageId": "1", "body": "{}", "eventSource": "aws:sqs"}]
    }  # what it says is not read
    assert record.name in reconcile(told, LocalLambdaContext("ReconcilerFunction", "sqs"))["restarted"]
    assert store.get(record.name).state is ContextState.STARTED
