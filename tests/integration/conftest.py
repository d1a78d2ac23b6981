"""Integration tests start the real local stack, as `make up` does (moto server, API, reconciler,
context hosts as child processes), on free ports, and talk to it over HTTP."""

import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

import boto3
import pytest
import requests

from functions.domain.waiting import wait_until
from infra.local.child import StackProcess
from infra.local.moto_server import read_credentials
from infra.local.processes import group_alive
from jobserver_client import JobServer
from tests.support.package_server import PackageServer, package_server
from tests.support.receivers import LOOPBACK_CALLBACKS

STACK_NAME = "sjs-it"


@dataclass
class Stack:
    """The running stack and what the tests need of it."""

    url: str
    moto_url: str
    state_dir: Path
    pid: int  # the stack's own process
    host_groups: set[int] = field(default_factory=set)  # every host started, checked gone at the end
    auth: tuple[str, str] | None = None  # Basic credentials of every call, on a stack with auth on
    clients: dict[tuple[str, str] | None, JobServer] = field(default_factory=dict)

    @property
    def client(self) -> JobServer:
        """The typed client, with the stack's current credentials (`call` is for raw HTTP)."""
        if self.auth not in self.clients:
            self.clients[self.auth] = JobServer(self.url, auth=self.auth)
        return self.clients[self.auth]

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("auth", self.auth)
        return requests.request(method, f"{self.url}{path}", timeout=kwargs.pop("timeout", 120), **kwargs)

    def aws(self, service: str, keys: tuple[str, str] | None = None):
        """A client of the stack's AWS, with the stack's keys (what `source .sjs/aws.env` gives)."""
        if keys is None:
            known = read_credentials(self.state_dir / "aws.env")
            keys = (known["AWS_ACCESS_KEY_ID"], known["AWS_SECRET_ACCESS_KEY"])
        return boto3.client(
            service,
            endpoint_url=self.moto_url,
            region_name="us-east-1",
            aws_access_key_id=keys[0],
            aws_secret_access_key=keys[1],
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
        details = self.client.create_context(name, params=dict(parse_qsl(query)), config=body)
        self.host_group(name)
        return details.as_json()

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
        job, ok = wait_until(lambda: self.client.job(job_id).as_json(), done, timeout)
        assert ok, f"job {job_id} is {job.get('status')} after {timeout} s"
        return job


def state_folder() -> Path:
    """A state folder the sandbox users can reach (job code runs as other users, who must get
    to their sandboxes in it)."""
    state = Path(tempfile.mkdtemp(prefix="sjs-stack-"))
    state.chmod(0o755)
    return state


@contextmanager
def running_stack(state: Path | None = None, **env: str) -> Iterator[Stack]:
    """The stack as `make up` runs it; stopped with Ctrl-C, it must exit cleanly, log no failure
    and leave no process behind. Its state is a folder of its own, removed after, unless the
    caller gives one (a restart over the same state: the caller removes it)."""
    given = state is not None
    state = state or state_folder()
    process = StackProcess(state, **env).start()
    assert process.process is not None
    stack = Stack(process.url, process.moto_url, state, process.process.pid)
    yield stack
    for client in stack.clients.values():
        client.close()
    started = descendants(stack.pid)
    assert process.stop() == 0, process.log.read_text()[-3000:]
    log = process.log.read_text()
    assert "Traceback" not in log, (
        f"the stack logged a failure:\n{log[log.index('Traceback') - 200 :][:3000]}"
    )
    left = [group for group in stack.host_groups if group_alive(group)]
    assert not left, f"context hosts left running after the stack stopped: {left}"
    still, gone = wait_until(lambda: [pid for pid in started if running(pid)], lambda pids: not pids, 10)
    assert gone, f"processes the stack started outlived it: {[cmdline(pid)[:200] for pid in still]}"
    if not given:
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PackageServer]:
    """A package repository on this machine, allowed in the stack's server config."""
    with package_server(tmp_path_factory.mktemp("repository")) as server:
        yield server


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, packages: PackageServer) -> Iterator[Stack]:
    server_config = tmp_path_factory.mktemp("config") / "server.conf"
    server_config.write_text(  # the callback tests' receivers listen on 127.0.0.1
        f'{LOOPBACK_CALLBACKS}\ndependencies {{ http-prefixes = ["{packages.prefix}"] }}\n'
    )
    with running_stack(
        SERVER_CONFIG=str(server_config),
        STACK_NAME=STACK_NAME,
        API_WORKERS="6",
        # Short liveness timings keep the kill -9 test quick; the mechanism is the one `make up` runs.
        HEARTBEAT_SECONDS="1",
        HEARTBEAT_TIMEOUT_SECONDS="5",
        RECONCILE_SECONDS="1",
    ) as stack:
        yield stack


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


def children(parent: int) -> list[int]:
    """The live processes `parent` started (from /proc/*/stat: this kernel has no children lists)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except OSError:  # gone meanwhile
            continue
        if int(ppid) == parent and state != "Z":
            found.append(int(stat.parent.name))
    return found


def descendants(pid: int) -> list[int]:
    return [grandchild for child in children(pid) for grandchild in (child, *descendants(child))]


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return b""


WORDCOUNT = "example_jobs.word_count.WordCountSparkJob"
SLOW = "example_jobs.lifecycle.SlowJob"
FAILING = "example_jobs.lifecycle.FailingJob"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"
