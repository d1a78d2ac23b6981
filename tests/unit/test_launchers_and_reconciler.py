"""The ECS launcher against the stack's own cluster and task definition, and the scheduled reconciler."""

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from context_host.endpoint import reachable_address
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


@pytest.fixture
def awsvpc_hosts(aws):
    """The stack's host task definition as Fargate registers it (awsvpc; moto's CloudFormation
    registers it as bridge), so that moto gives each task a network interface as ECS does."""
    ecs = client("ecs")
    registered = ecs.describe_task_definition(taskDefinition=aws.host_task_definition)["taskDefinition"]
    revision = ecs.register_task_definition(
        family=registered["family"],
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="2048",
        memory="8192",
        containerDefinitions=registered["containerDefinitions"],
    )["taskDefinition"]["taskDefinitionArn"]
    return replace(aws, context_launcher="ecs", host_task_definition=revision)


@contextmanager
def run_task_requests() -> Iterator[list[dict[str, Any]]]:
    """The parameters of each RunTask call made meanwhile, as sent."""
    ecs, sent = client("ecs"), []

    def record(params: dict, **_: Any) -> None:
        sent.append(params)

    ecs.meta.events.register("provide-client-params.ecs.RunTask", record)
    try:
        yield sent
    finally:
        ecs.meta.events.unregister("provide-client-params.ecs.RunTask", record)


def test_host_tasks_run_in_the_stacks_subnets_and_host_group_without_a_public_ip(awsvpc_hosts):
    ecs, ec2 = client("ecs"), client("ec2")
    with run_task_requests() as sent:
        host_id = EcsLauncher(awsvpc_hosts).launch_spare(uuid.uuid4().hex)
    [request] = sent
    assert request["networkConfiguration"]["awsvpcConfiguration"] == {
        "subnets": awsvpc_hosts.host_subnets.split(","),
        "securityGroups": [awsvpc_hosts.host_security_groups],
        "assignPublicIp": "DISABLED",
    }
    [task] = ecs.describe_tasks(cluster=awsvpc_hosts.host_cluster, tasks=[host_id.removeprefix("ecs:")])[
        "tasks"
    ]
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    [interface] = ec2.describe_network_interfaces(NetworkInterfaceIds=[details["networkInterfaceId"]])[
        "NetworkInterfaces"
    ]
    assert [group["GroupId"] for group in interface["Groups"]] == [awsvpc_hosts.host_security_groups]
    assert interface["SubnetId"] in awsvpc_hosts.host_subnets.split(",")


def test_a_public_ip_only_when_the_stack_asks_for_one(awsvpc_hosts):
    with run_task_requests() as sent:
        EcsLauncher(replace(awsvpc_hosts, host_public_ip="ENABLED")).launch("reporting", uuid.uuid4().hex)
    assert sent[0]["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "ENABLED"


@contextmanager
def task_metadata(container: dict[str, Any]) -> Iterator[str]:
    """A task metadata endpoint v4 answering `container` for the container's own path."""
    body = json.dumps(container).encode()

    class Metadata(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Metadata)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v4/0123abcd-context-host"
    finally:
        server.shutdown()
        server.server_close()


def test_a_host_on_every_address_of_its_task_records_the_tasks_private_address():
    awsvpc = {"NetworkMode": "awsvpc", "IPv4Addresses": ["10.0.2.106"], "AttachmentIndex": 0}
    with task_metadata({"Name": "context-host", "Networks": [awsvpc]}) as uri:
        assert reachable_address("0.0.0.0", uri) == "10.0.2.106"
    assert reachable_address("127.0.0.1", "") == "127.0.0.1"  # locally: the address it is bound to


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
