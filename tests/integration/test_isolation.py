"""Job code is contained, on the real stack: a hostile job in one context gets nothing of another
context or of the server, kills stop any job and give its worker back, a job that ends its own
process fails alone, and a context whose JVM dies ends ERROR instead of staying listed."""

import json
import os
import signal
from pathlib import Path

import pytest

from functions.domain.waiting import wait_until
from tests.integration.conftest import WORDCOUNT, Stack, unique

PROBE = '''
import glob
import os

import boto3
from sparkjobserver.api import SparkJob


def attempt(action):
    try:
        action()
    except Exception as e:
        return f"refused: {type(e).__name__}"
    return "DONE"


def read(path):
    with open(path, "rb") as f:
        return f.read()


def readable(path):
    try:
        return read(path)
    except OSError:
        return b""


class Probe(SparkJob):
    """Tries what a hostile tenant would, and reports how each attempt went."""

    def validate(self, context, runtime, config):
        return config

    def run_job(self, context, runtime, config):
        aws = dict(
            endpoint_url=config["endpoint"],
            region_name="us-east-1",
            aws_access_key_id="AKIAGUESSED",
            aws_secret_access_key="guessed",
        )
        table = boto3.client("dynamodb", **aws)
        victim = {"jobId": {"S": config["victimJob"]}}
        secrets = [
            path
            for path in glob.glob("/proc/[0-9]*/environ")
            if b"AWS_SECRET_ACCESS_KEY" in readable(path)
        ]
        return {
            "server variables": sorted(
                name for name in os.environ if name.startswith("AWS_") or name.endswith(("_TABLE", "_BUCKET"))
            ),
            "host environment": attempt(lambda: read(f"/proc/{os.getppid()}/environ")),
            "readable secrets": secrets,
            "stack keys file": attempt(lambda: read(config["keysFile"])),
            "read victim job": attempt(lambda: table.get_item(TableName=config["jobsTable"], Key=victim)),
            "forge victim result": attempt(
                lambda: table.update_item(
                    TableName=config["jobsTable"],
                    Key=victim,
                    UpdateExpression="SET #r = :r",
                    ExpressionAttributeNames={"#r": "result"},
                    ExpressionAttributeValues={":r": {"S": "forged"}},
                )
            ),
            "stop victim context": attempt(
                lambda: boto3.client("sqs", **aws).send_message(
                    QueueUrl=config["victimQueue"], MessageBody='{"kind": "stop"}'
                )
            ),
            "reset the endpoint": attempt(
                lambda: __import__("urllib.request").request.urlopen(
                    __import__("urllib.request").request.Request(
                        config["endpoint"] + "/moto-api/reset", data=b"", method="POST"
                    )
                )
            ),
        }
'''

CRASHES = {
    "exits": "import os\nos._exit(3)",
    "spins": "while True:\n    pass",
}


def job_source(name: str, body: str) -> str:
    lines = "".join(f"        {line}\n" for line in body.split("\n"))
    return (
        f"from sparkjobserver.api import SparkJob\n\n\nclass {name}(SparkJob):\n"
        "    def validate(self, context, runtime, config):\n        return None\n\n"
        f"    def run_job(self, context, runtime, data):\n{lines}"
    )


@pytest.fixture(scope="module")
def tenant_app(stack: Stack, package_with) -> str:
    sources = {"example_jobs/probe.py": PROBE}
    sources.update({f"example_jobs/{name}.py": job_source("Job", body) for name, body in CRASHES.items()})
    answer = stack.call("POST", "/binaries/tenant", data=package_with(sources))
    assert answer.status_code == 201, answer.text
    return "tenant"


def test_a_hostile_job_gets_nothing_of_another_context_or_of_the_server(stack, tenant_app):
    alice, mallory = unique("alice"), unique("mallory")
    alice_context = stack.create_context(alice)
    stack.create_context(mallory)
    victim = stack.submit(tenant_app, WORDCOUNT, 'input.strings = ["secret"]', context=alice, sync="true")
    victim_job = victim.json()["jobId"]
    queues = stack.aws("sqs").list_queues(QueueNamePrefix=f"sjs-it-ctx-{alice}")["QueueUrls"]
    probe = {
        "endpoint": stack.moto_url,
        "jobsTable": "sjs-it-jobs",
        "victimJob": victim_job,
        "victimQueue": queues[0],
        "keysFile": str(stack.state_dir / "aws.env"),
    }
    answer = stack.submit(
        tenant_app, "example_jobs.probe.Probe", json.dumps(probe), context=mallory, sync="true"
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()["result"]
    assert report["server variables"] == []
    assert report["readable secrets"] == []
    for attempt in ("host environment", "stack keys file", "read victim job", "forge victim result",
                    "stop victim context", "reset the endpoint"):  # fmt: skip
        assert report[attempt].startswith("refused"), (attempt, report[attempt])
    assert stack.call("GET", f"/jobs/{victim_job}").json()["result"] == {"secret": 1}
    assert stack.call("GET", f"/contexts/{alice}").json()["state"] == "RUNNING"
    assert alice_context["state"] == "RUNNING"
    again = stack.submit(tenant_app, WORDCOUNT, 'input.strings = ["still"]', context=alice, sync="true")
    assert again.json()["result"] == {"still": 1}


def test_kills_and_crashes_leave_a_one_slot_context_serving(stack, tenant_app):
    """One slot: each next job runs only if the slot and the worker really came back."""
    name = unique("contained")
    stack.create_context(name, "spark.jobserver.max-jobs-per-context=1")
    for class_path in ("example_jobs.lifecycle.SpinJob", "example_jobs.lifecycle.SleepJob"):
        job_id = stack.submit(tenant_app, class_path, "seconds = 600", context=name).json()["jobId"]
        stack.wait_job(job_id, lambda j: j["status"] == "RUNNING")
        assert stack.call("DELETE", f"/jobs/{job_id}").json() == {"status": "KILLED"}
        done = stack.submit(tenant_app, WORDCOUNT, 'input.strings = ["next"]', context=name, sync="true")
        assert done.status_code == 200 and done.json()["result"] == {"next": 1}, done.text
    crashed = stack.submit(tenant_app, "example_jobs.exits.Job", context=name, sync="true").json()
    assert crashed["status"] == "ERROR" and "exited with code 3" in crashed["result"]["message"]
    assert stack.call("GET", f"/contexts/{name}").json()["state"] == "RUNNING"
    done = stack.submit(tenant_app, WORDCOUNT, 'input.strings = ["after"]', context=name, sync="true")
    assert done.json()["result"] == {"after": 1}


def test_a_context_whose_jvm_dies_ends_error(stack, tenant_app):
    name = unique("jvm")
    stack.create_context(name)
    job_id = stack.start_slow_job(tenant_app, name, seconds=120)
    os.kill(jvm_of(stack.host_group(name)), signal.SIGKILL)
    failed = stack.wait_job(job_id, lambda j: j["status"] == "ERROR", timeout=30)
    assert "JVM exited" in failed["result"]["message"]
    details, ended = wait_until(
        lambda: stack.call("GET", f"/contexts/{name}").json(), lambda c: c["state"] == "ERROR", 30
    )
    assert ended and "JVM exited" in details["message"]
    assert name not in stack.call("GET", "/contexts").json()


def jvm_of(host_pid: int) -> int:
    """The context's JVM: the host's child process running java."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == host_pid and b"java" in command:
            return int(stat.parent.name)
    raise AssertionError(f"no JVM under host {host_pid}")
