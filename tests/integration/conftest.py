"""Integration tests start the real local stack, as `make up` does (moto server, API, reconciler,
context hosts as child processes), on free ports, and talk to it over HTTP."""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import boto3
import pytest
import requests

from functions.domain.waiting import wait_until
from infra.local.child import StackProcess
from infra.local.processes import group_alive
from tests.support.receivers import LOOPBACK_CALLBACKS

STACK_NAME = "sjs-it"


@dataclass
class Stack:
    """The running stack and what the tests need of it."""

    url: str
    moto_url: str
    host_groups: set[int] = field(default_factory=set)  # every host started, checked gone at the end

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.url}{path}", timeout=kwargs.pop("timeout", 120), **kwargs)

    def aws(self, service: str):
        return boto3.client(
            service,
            endpoint_url=self.moto_url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    @property
    def bucket(self) -> str:
        """The stack's data bucket (binaries, results, drops)."""
        names = [b["Name"] for b in self.aws("s3").list_buckets()["Buckets"]]
        return next(name for name in names if name.startswith(f"{STACK_NAME}-") and name.endswith("-data"))

    @property
    def bus(self) -> str:
        return f"{STACK_NAME}-events"

    def create_context(self, name: str, query: str = "", body: str = "") -> dict:
        answer = self.call("POST", f"/contexts/{name}?{query}", data=body)
        assert answer.status_code == 200, answer.text
        self.host_group(name)
        return self.call("GET", f"/contexts/{name}").json()

    def host_group(self, context: str) -> int:
        """The process group of a context's host, remembered so the stack's stop can be checked."""
        group = int(self.call("GET", f"/contexts/{context}").json()["host"].removeprefix("local:"))
        self.host_groups.add(group)
        return group

    def start_slow_job(self, app: str, context: str, seconds: int = 60) -> str:
        job_id = self.submit(app, SLOW, f"seconds = {seconds}", context=context).json()["jobId"]
        self.wait_job(job_id, lambda j: j["status"] == "RUNNING")
        return job_id

    def submit(self, app: str, class_path: str, config: str = "", **params) -> requests.Response:
        query = "&".join(f"{k}={v}" for k, v in {"appName": app, "classPath": class_path, **params}.items())
        return self.call("POST", f"/jobs?{query}", data=config)

    def wait_job(self, job_id: str, done: Callable[[dict], bool], timeout: float = 60) -> dict:
        job, ok = wait_until(lambda: self.call("GET", f"/jobs/{job_id}").json(), done, timeout)
        assert ok, f"job {job_id} is {job.get('status')} after {timeout} s"
        return job


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    state_dir = tmp_path_factory.mktemp("stack")
    server_config = state_dir / "server.conf"
    server_config.write_text(LOOPBACK_CALLBACKS)  # the callback tests' receivers listen on 127.0.0.1
    process = StackProcess(
        state_dir,
        SERVER_CONFIG=str(server_config),
        STACK_NAME=STACK_NAME,
        API_WORKERS="6",
        # Short liveness timings keep the kill -9 test quick; the mechanism is the one `make up` runs.
        HEARTBEAT_SECONDS="1",
        HEARTBEAT_TIMEOUT_SECONDS="5",
        RECONCILE_SECONDS="1",
    ).start()
    stack = Stack(process.url, process.moto_url)
    yield stack
    assert process.stop() == 0, process.log.read_text()[-3000:]
    log = process.log.read_text()
    assert "Traceback" not in log, (
        f"the stack logged a failure:\n{log[log.index('Traceback') - 200 :][:3000]}"
    )
    left = [group for group in stack.host_groups if group_alive(group)]
    assert not left, f"context hosts left running after the stack stopped: {left}"


@pytest.fixture(scope="session")
def app(stack: Stack, example_egg: bytes) -> str:
    """The example jobs, uploaded as the README's curl does (--data-binary, form content type)."""
    name = "examples"
    answer = stack.call(
        "POST",
        f"/binaries/{name}",
        data=example_egg,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 201, answer.text
    return name


@pytest.fixture(scope="session")
def context(stack: Stack, app: str) -> str:
    """One warm context most tests share."""
    name = "shared"
    stack.create_context(name, "num-cpu-cores=2&memory-per-node=512m")
    return name


WORDCOUNT = "example_jobs.word_count.WordCountSparkJob"
SLOW = "example_jobs.lifecycle.SlowJob"
FAILING = "example_jobs.lifecycle.FailingJob"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"
