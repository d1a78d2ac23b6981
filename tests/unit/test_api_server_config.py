"""The server config's SJS sections through the functions, on moto without hosts: a job's config
layered over its context's and the server's job defaults, preloaded contexts started by the
reconciler, and PUT /contexts?reset=reboot (its full stop-and-start runs in tests/integration)."""

import uuid
from collections.abc import Iterator

import pytest

from events.messages import JobRequested, StopRequested
from events.settings import ContextSettings
from events.states import ContextState
from functions.reconciler.app import lambda_handler as reconcile
from infra.aws import client
from infra.clock import now_ms
from infra.credentials import hash_api_key
from infra.errors import NoSuchContext
from infra.local.lambda_runtime import LocalLambdaContext
from infra.messaging.host_queues import HostQueues
from infra.stores.contexts import ContextRecord, ContextStore

WORDCOUNT = "example_jobs.word_count.WordCountSparkJob"
SCHEDULE = {"source": "aws.scheduler"}
AT_START = {"action": "start-preloaded"}


def a_context(aws, name: str, config: dict | None = None) -> ContextRecord:
    """A live context whose host beats (none runs: its queue is read by the test)."""
    record = ContextRecord(
        name=name,
        contextId=uuid.uuid4().hex,
        state=ContextState.RUNNING,
        startTime="2026-12-01T04:00:00+00:00",
        queueUrl=client("sqs").create_queue(QueueName=f"{aws.queue_prefix}{name}-x")["QueueUrl"],
        settings=ContextSettings(config=config or {}),
        heartbeatAt=now_ms() + 600_000,
    )
    ContextStore(aws.contexts_table).create(record)
    return record


@pytest.fixture
def contexts(aws) -> Iterator[ContextStore]:
    """The contexts table; every context a test leaves live is ended after it."""
    store = ContextStore(aws.contexts_table)
    before = {record.name for record in store.live()}
    yield store
    for record in store.live():
        if record.name not in before:
            store.end(record.name, record.contextId, ContextState.FINISHED)


@pytest.fixture
def ecs_hosts(aws, configure):
    """Hosts launched as ECS tasks, which moto records and never runs."""
    subnet = client("ec2").describe_subnets()["Subnets"][0]["SubnetId"]
    return {"CONTEXT_LAUNCHER": "ecs", "HOST_SUBNETS": subnet}


def messages(aws, record: ContextRecord) -> list:
    queues = HostQueues(aws.queue_prefix, aws.dead_letter_queue_url)
    return [delivery.message for delivery in queues.receive(record.queueUrl)]


def test_a_job_gets_its_config_over_its_contexts_over_the_servers_and_shows_what_was_posted(
    api, aws, app_name, configure, contexts
):
    configure('spark.job-defaults { db { url = "jdbc:x", schema = public }, who = server }')
    context = a_context(aws, f"layers-{uuid.uuid4().hex[:6]}", {"db": {"schema": "sales"}, "who": "context"})
    query = f"appName={app_name}&classPath={WORDCOUNT}&context={context.name}&sync=true&timeout=1"
    answer = api("POST", f"/jobs?{query}", "who = me")
    assert answer.status == 504  # no host runs it
    [request] = messages(aws, context)
    assert isinstance(request, JobRequested)
    assert request.config == {"who": "me", "db": {"schema": "sales", "url": "jdbc:x"}}
    assert api("GET", f"/jobs/{request.jobId}/config").body == {"who": "me"}  # as SJS: the posted config


def test_the_reconciler_starts_preloaded_contexts_once_and_at_start_every_one_not_live(
    aws, configure, contexts, ecs_hosts
):
    name, bad = f"pre-{uuid.uuid4().hex[:6]}", f"pre-bad-{uuid.uuid4().hex[:6]}"
    configure(
        f"spark.contexts {{ {name} {{ num-cpu-cores = 1, memory-per-node = 512m }}, "
        f"{bad} {{ num-cpu-cores = 0 }} }}",
        **ecs_hosts,
    )
    tick = LocalLambdaContext("ReconcilerFunction", "tick")
    assert reconcile(SCHEDULE, tick)["startedPreloaded"] == [name]  # the bad one is logged, not started
    started = contexts.get(name)
    assert started.state is ContextState.STARTED and started.hostId.startswith("ecs:")
    assert (started.settings.numCpuCores, started.settings.memoryPerNode) == (1, "512m")
    assert started.settings.config["context"] == {"name": name}
    assert reconcile(SCHEDULE, tick)["startedPreloaded"] == []  # live
    contexts.end(name, started.contextId, ContextState.FINISHED)
    assert reconcile(SCHEDULE, tick)["startedPreloaded"] == []  # stopped by a user: stays stopped
    assert reconcile(AT_START, tick) == {"startedPreloaded": [name]}  # as SJS at its start
    assert contexts.get(name).contextId != started.contextId


def test_reset_reaches_only_a_scoped_callers_contexts_and_restarts_their_preloaded_ones(
    api, aws, configure, contexts, ecs_hosts
):
    tag = uuid.uuid4().hex[:6]
    ours, theirs = a_context(aws, f"rs-{tag}"), a_context(aws, f"other-{tag}")
    key = f"ops-{tag}"
    configure(
        f"""
        auth.enabled = true
        auth.users.ops {{
          api-keys = ["{hash_api_key(key)}"], permissions = ["contexts"], contexts = ["rs-"]
        }}
        spark.contexts {{ rs-pre-{tag} {{ num-cpu-cores = 1 }}, other-pre-{tag} {{ num-cpu-cores = 1 }} }}
        """,
        **ecs_hosts,
    )
    as_ops = {"Authorization": f"Bearer {key}"}
    asked = api("PUT", "/contexts?reset=reboot&sync=false", headers=as_ops)
    assert asked.body == {"status": "SUCCESS", "result": "Context reset requested"}
    assert contexts.get(ours.name).state is ContextState.STOPPING
    assert messages(aws, ours) == [StopRequested()]
    assert contexts.get(theirs.name).state is ContextState.RUNNING
    assert f"rs-pre-{tag}" not in {record.name for record in contexts.live()}  # sync=false starts none

    contexts.end(ours.name, ours.contextId, ContextState.FINISHED)  # as its host would
    done = api("PUT", "/contexts?reset=reboot", headers=as_ops)
    assert done.body == {"status": "SUCCESS", "result": "Context reset"}
    assert contexts.get(f"rs-pre-{tag}").state is ContextState.STARTED
    with pytest.raises(NoSuchContext):
        contexts.get(f"other-pre-{tag}")
    assert contexts.get(theirs.name).state is ContextState.RUNNING
    unknown = api("PUT", "/contexts?reset=everything", headers=as_ops)
    assert unknown.status == 400
    assert unknown.body["result"] == "reset=everything is not supported; SJS's reset is reset=reboot"
