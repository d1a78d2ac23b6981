"""Integration tests start the real local stack, as `make up` does (moto server, API, reconciler,
context hosts as child processes), on free ports, and talk to it over HTTP."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
import requests

from functions.domain.waiting import wait_until
from infra.local.processes import group_alive

ROOT = Path(__file__).resolve().parents[2]
STACK_START_SECONDS = 90
STACK_STOP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    url: str
    moto_url: str
    process: subprocess.Popen
    log: Path
    host_groups: set[int] = field(default_factory=set)

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.url}{path}", timeout=kwargs.pop("timeout", 120), **kwargs)

    def aws(self, service: str):
        return boto3.client(service, endpoint_url=self.moto_url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")

    def create_context(self, name: str, query: str = "", body: str = "") -> dict:
        answer = self.call("POST", f"/contexts/{name}?{query}", data=body)
        assert answer.status_code == 200, answer.text
        details = self.call("GET", f"/contexts/{name}").json()
        self.host_groups.add(int(details["host"].removeprefix("local:")))
        return details

    def submit(self, app: str, class_path: str, config: str = "", **params) -> requests.Response:
        query = "&".join(f"{k}={v}" for k, v in {"appName": app, "classPath": class_path, **params}.items())
        return self.call("POST", f"/jobs?{query}", data=config)

    def wait_job(self, job_id: str, done: Callable[[dict], bool], timeout: float = 60) -> dict:
        job, ok = wait_until(lambda: self.call("GET", f"/jobs/{job_id}").json(), done, timeout)
        assert ok, f"job {job_id} is {job.get('status')} after {timeout} s"
        return job


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    state = tmp_path_factory.mktemp("stack")
    api_port, moto_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({
        "API_PORT": str(api_port), "MOTO_PORT": str(moto_port), "STATE_DIR": str(state),
        "STACK_NAME": "sjs-it", "API_WORKERS": "6",
        # Short liveness timings keep the kill -9 test quick; the mechanism is the one `make up` runs.
        "HEARTBEAT_SECONDS": "1", "HEARTBEAT_TIMEOUT_SECONDS": "5", "RECONCILE_SECONDS": "1",
    })
    log = state / "stack.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "infra.local"], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    stack = Stack(f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{moto_port}", process, log)
    _, up = wait_until(lambda: _healthy(stack), bool, STACK_START_SECONDS)
    if not up:
        process.kill()
        pytest.fail(f"the local stack did not start:\n{log.read_text()[-3000:]}")
    yield stack
    process.send_signal(signal.SIGINT)  # Ctrl-C
    try:
        assert process.wait(STACK_STOP_SECONDS) == 0, log.read_text()[-3000:]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    left = [group for group in stack.host_groups if group_alive(group)]
    assert not left, f"context hosts left running after the stack stopped: {left}"


def _healthy(stack: Stack) -> bool:
    if stack.process.poll() is not None:
        return True  # exited: stop waiting, the caller reports the log
    try:
        return stack.call("GET", "/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="session")
def app(stack: Stack, example_egg: bytes) -> str:
    """The example jobs, uploaded as the README's curl does (--data-binary, form content type)."""
    name = "examples"
    answer = stack.call("POST", f"/binaries/{name}", data=example_egg,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 201, answer.text
    return name


@pytest.fixture(scope="session")
def context(stack: Stack, app: str) -> str:
    """One warm context most tests share."""
    name = "shared"
    stack.create_context(name, "num-cpu-cores=2&memory-per-node=512m")
    return name


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def json_body(text: str) -> dict:
    return json.loads(text)
