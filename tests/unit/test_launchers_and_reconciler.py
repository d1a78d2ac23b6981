"""The ECS launcher against the stack's own cluster and task definition, and the scheduled reconciler."""

import uuid
from dataclasses import replace

from events.messages import JobEnded
from events.states import JobStatus
from functions.reconciler.app import lambda_handler as reconcile
from infra.aws import client
from infra.clock import now_ms
from infra.launchers.ecs import EcsLauncher
from infra.local.lambda_runtime import LocalLambdaContext
from infra.messaging.replies import Replies
from infra.stores.contexts import ContextStore
from infra.stores.jobs import JobStore
from tests.unit.test_api_contexts import live_context
from tests.unit.test_api_jobs import job_on


def test_ecs_launcher_runs_and_stops_a_host_task(aws):
    subnet = client("ec2").describe_subnets()["Subnets"][0]["SubnetId"]  # the default VPC's
    launcher = EcsLauncher(replace(aws, host_subnets=subnet, context_launcher="ecs"))
    host_id = launcher.launch("reporting", uuid.uuid4().hex)
    assert host_id.startswith("ecs:arn:aws:ecs:")
    task = client("ecs").describe_tasks(cluster=aws.host_cluster, tasks=[host_id.removeprefix("ecs:")])[
        "tasks"
    ][0]
    command = task["overrides"]["containerOverrides"][0]["command"]
    assert command[:5] == ["python", "-m", "context_host", "--context", "reporting"]
    launcher.stop(host_id)
    stopped = client("ecs").describe_tasks(cluster=aws.host_cluster, tasks=[host_id.removeprefix("ecs:")])[
        "tasks"
    ]
    assert stopped[0]["desiredStatus"] == "STOPPED"


def test_the_reconciler_ends_silent_contexts_and_their_jobs(aws):
    silent = live_context(aws, f"quiet-{uuid.uuid4().hex[:4]}", heartbeat_ms=now_ms() - 60_000)
    healthy = live_context(aws, f"busy-{uuid.uuid4().hex[:4]}")
    orphan, kept = job_on(aws, silent.name), job_on(aws, healthy.name)
    reaped = reconcile({}, LocalLambdaContext("ReconcilerFunction", "tick"))["reaped"]
    assert silent.name in reaped and healthy.name not in reaped
    jobs = JobStore(aws.jobs_table)
    assert jobs.get(orphan.jobId).status is JobStatus.ERROR
    assert jobs.get(kept.jobId).status is JobStatus.STARTED


def test_reply_queues_of_gone_containers_are_swept_and_a_waiter_recovers(aws):
    container = Replies(aws.queue_prefix)
    url = container.address()
    assert Replies(aws.queue_prefix).sweep(older_than_seconds=3600) == []
    assert url in Replies(aws.queue_prefix).sweep(older_than_seconds=-1)  # with any other test's
    assert container.wait("job-1", seconds=1) is None  # its queue vanished: no reply, no crash
    replacement = container.address()
    assert replacement != url
    container.send(replacement, JobEnded(jobId="job-2"))
    assert container.wait("job-2", seconds=2) == JobEnded(jobId="job-2")


def test_the_reconciler_gives_back_slots_that_leaked(aws):
    context = live_context(aws, f"leaky-{uuid.uuid4().hex[:4]}")
    contexts = ContextStore(aws.contexts_table)
    for _ in range(3):
        contexts.take_slot(context.name)  # three submits whose releases were lost
    job_on(aws, context.name)  # one job really active
    reconcile({}, LocalLambdaContext("ReconcilerFunction", "tick"))
    assert contexts.get(context.name).activeJobs == 3  # a slot was just taken: the index may lag
    client("dynamodb").update_item(
        TableName=aws.contexts_table,
        Key={"name": {"S": context.name}},
        UpdateExpression="SET slotTakenAt = :long_ago",
        ExpressionAttributeValues={":long_ago": {"N": str(now_ms() - 120_000)}},
    )
    reconcile({}, LocalLambdaContext("ReconcilerFunction", "tick"))
    assert contexts.get(context.name).activeJobs == 1
