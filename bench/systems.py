"""The ways to run a workload, behind one small interface: `runner(workload)` gives a callable
that runs the job once and returns its result (or None when the system cannot run that workload):
in-process (the floor), in a sandboxed job worker on the floor's JVM (what isolation costs), this
server, Spark Connect and spark-submit.

Each system owns the processes it starts and stops them in `close()`. Constructing one starts
nothing; the suite registers `close()` first and only then calls `start()`, so whatever way it
leaves (error, Ctrl-C, SIGTERM, even halfway through a start) everything started gets stopped:
the local stack via its own stop(), the Spark Connect server and every spark-submit by their
process group."""

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pyspark

from bench.submit_job import RESULT_PREFIX
from bench.workloads import COLD_MEMORY, EXAMPLES, ROOT, Workload, job_runner, jvm_jar, runner_on
from context_host.engine import GatewayAccess
from context_host.spark_conf import DEFAULTS, engine_conf
from events.settings import ContextFlavour, ContextSettings
from events.states import ContextState
from events.worker_protocol import BinaryFiles, JobOutcome, Proceed, RunJob, Validated
from examples.build import build_package
from infra.config import Settings
from infra.local.child import StackProcess, free_port
from infra.local.moto_server import read_credentials
from jobserver_client import JobServer, JobStatus, NoSlotsAvailable, NotFound

PYSPARK_HOME = Path(pyspark.__file__).resolve().parent
MASTER = "local[2]"  # every system gets the same two cores: the context's num-cpu-cores=2
CORES = 2
APP = "bench"
JVM_APP = "bench-jvm"
CONTEXT = "bench"
STACK_NAME = "sjs-bench"
BUSY_PAUSE_SECONDS = 0.005  # before submitting again after 503 NO SLOTS AVAILABLE
Runner = Callable[[], Any]


def spark_conf_flags() -> list[str]:
    """The context host's Spark defaults as spark-submit flags, so cold drivers run the same way."""
    return [arg for key, value in DEFAULTS.items() for arg in ("--conf", f"{key}={value}")]


def spark_env(scratch: Path) -> dict[str, str]:
    """Environment for pyspark's own scripts: its SPARK_HOME, this interpreter, logs/pids in scratch."""
    return {
        **os.environ,
        "SPARK_HOME": str(PYSPARK_HOME),
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "SPARK_LOG_DIR": str(scratch),
        "SPARK_PID_DIR": str(scratch),
    }


def stop_group(process: subprocess.Popen[bytes] | None, grace: float = 20.0) -> None:
    """SIGTERM the process group `process` leads, SIGKILL it after `grace` seconds."""
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


class InProcess:
    """The floor: the job called directly on a warm SparkSession built the way a host builds one."""

    name = "in-process"

    def __init__(self) -> None:
        self.session: Any = None

    def start(self) -> "InProcess":
        from pyspark.sql import SparkSession

        conf = engine_conf("bench-floor", ContextSettings(numCpuCores=CORES))
        self.session = SparkSession.builder.config(map=conf).getOrCreate()
        return self

    def runner(self, workload: Workload) -> Runner:
        return runner_on(self.session, workload)

    @property
    def gateway(self) -> GatewayAccess:
        """How another process joins this session's JVM, as a host's job workers join its engine."""
        parameters = self.session.sparkContext._gateway.gateway_parameters
        return GatewayAccess(parameters.port, parameters.auth_token)

    def close(self) -> None:
        """Stop the session and its JVM: pyspark leaves the gateway JVM running until Python exits."""
        if self.session is None:
            return
        session, self.session = self.session, None
        session.stop()
        from pyspark import SparkContext

        gateway, SparkContext._gateway, SparkContext._jvm = SparkContext._gateway, None, None
        if gateway is None:
            return
        jvm = getattr(gateway, "proc", None)  # set by pyspark's launch_gateway
        gateway.shutdown()
        if jvm is not None:
            jvm.stdin.close()  # the gateway JVM exits when its stdin pipe closes
            try:
                jvm.wait(30)
            except subprocess.TimeoutExpired:
                jvm.kill()
                jvm.wait()


class SandboxedWorker:
    """The floor's warm session with each job run the way a context host runs it since issue 8: in a
    pre-started job worker process (context_host/workers.py) of a context sandbox (no credentials, a
    scrubbed environment, its own folder) joined to the same JVM, over the worker protocol. Its time
    minus the floor's is what isolation costs a job; nothing else differs, not even the JVM.

    The worker runs as this process's user: the floor's JVM is ours, and a sandbox user's worker
    could not use its temp folders (a host starts its JVM as the sandbox user too). The user costs
    nothing per job; the server's row runs jobs as sandbox users when the bench runs as root."""

    name = "sandboxed-worker"

    def __init__(self, floor: InProcess, scratch: Path) -> None:
        self.floor = floor
        self.scratch = scratch
        self.sandbox: Any = None
        self.pool: Any = None

    def start(self) -> "SandboxedWorker":
        from context_host.sandbox import open_sandbox
        from context_host.workers import WorkerPool, WorkerSpec

        defaults = {f.name: f.default for f in dataclasses.fields(Settings)}  # the host's, unconfigured
        self.sandbox = open_sandbox(self.scratch / "sandbox", "bench-worker", isolate_users=False)
        spec = WorkerSpec(
            sandbox=self.sandbox,
            gateway=self.floor.gateway,
            memory_limit_bytes=defaults["worker_memory_mb"] << 20,
            max_result_bytes=defaults["max_result_mb"] << 20,
        )
        self.pool = WorkerPool(spec.start, 1)
        self.pool.warm()
        return self

    @property
    def isolation(self) -> str:
        return self.sandbox.isolation if self.sandbox else "none"

    def runner(self, workload: Workload) -> Runner:
        from context_host.workers import WorkerGone

        binary = BinaryFiles(path=str(jvm_jar() if workload.jar else EXAMPLES), jar=workload.jar)

        def run() -> str:
            worker = self.pool.take()
            try:
                worker.send(
                    RunJob(
                        flavour=ContextFlavour.SESSION,
                        jobId=str(uuid.uuid4()),
                        appName=APP,
                        classPath=workload.class_path,
                        binary=binary,
                        config=workload.config,
                    )
                )
                message = worker.receive()
                if isinstance(message, Validated):  # the host claims the job here, beside the lane
                    worker.send(Proceed())
                    message = worker.receive()
                if not isinstance(message, JobOutcome) or not message.finished:
                    raise RuntimeError(f"{workload.class_path} in a worker: {message!r}")
                result = worker.receive_bytes(message.resultBytes)
            except WorkerGone:
                self.pool.discard(worker)
                raise
            self.pool.give_back(worker)
            return result.decode()

        return run

    def replacement_ms(self) -> float:
        """A worker killed (as DELETE /jobs/{id} kills a job's worker) → its replacement ready for
        the next job: a process start, pyspark's import and joining the JVM."""
        worker = self.pool.take()
        started = time.perf_counter()
        worker.kill()
        self.pool.discard(worker)
        replacement = self.pool.take()
        elapsed = (time.perf_counter() - started) * 1000
        self.pool.give_back(replacement)
        return elapsed

    def close(self) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.close()
        sandbox, self.sandbox = self.sandbox, None
        if sandbox is not None:
            sandbox.release()


class ServerError(RuntimeError):
    pass


class Server:
    """This job server: the real local stack (`make up`) on free ports, the example egg uploaded,
    one warm context; jobs are sync `POST /jobs` through the typed client."""

    name = "server"

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.stack: StackProcess | None = StackProcess(scratch / "stack", STACK_NAME=STACK_NAME)
        self.url = self.stack.url
        self.client = JobServer(self.url)
        self.isolation = "unknown"  # how the bench context's job code is isolated (context_host/sandbox.py)

    def start(self) -> "Server":
        assert self.stack is not None
        self.stack.start()
        self.client.upload_binary(APP, build_package(self.scratch / "example_jobs.egg"))
        self.client.upload_binary(JVM_APP, jvm_jar())
        self.wait_spare()  # the bench context then starts as a user's would: from the pool
        self.create_context(CONTEXT)
        self.isolation = str(self.client.context(CONTEXT).as_json().get("isolation", "unknown"))
        return self

    def runner(
        self,
        workload: Workload,
        context: str | None = CONTEXT,
        client: JobServer | None = None,
        on_busy: Callable[[], None] | None = None,
    ) -> Runner:
        """Sync job on `context`; context=None is an ad-hoc job on a transient context. With
        `on_busy`, a 503 NO SLOTS AVAILABLE is counted through it and the job submitted again after
        a short pause, as a client that keeps all of a context's slots busy has to."""
        server = client or self.client
        app = JVM_APP if workload.jar else APP

        def run() -> Any:
            while True:
                try:
                    job = server.submit(app, workload.class_path, workload.config, context=context, sync=True)
                    break
                except NoSlotsAvailable:
                    if on_busy is None:
                        raise
                    on_busy()
                    time.sleep(BUSY_PAUSE_SECONDS)
                except NotFound as e:
                    if not context:
                        raise
                    state = server.context(context).as_json()  # say what became of the context
                    raise ServerError(f"POST /jobs → 404 {e.message}; context {context}: {state}") from e
            if job.status is not JobStatus.FINISHED:
                raise ServerError(f"job {job.job_id} ended {job.status}: {job.result}")
            return job.result

        return run

    def create_context(self, name: str, cold: bool = False) -> None:
        """Returns once the context is usable (that is the API's contract). Default settings,
        which a warm spare takes; `cold` asks for a setting none can, so a JVM starts for it."""
        self.client.create_context(name, num_cpu_cores=CORES, memory_per_node=COLD_MEMORY if cold else None)

    def submit_async(self, workload: Workload) -> str:
        """POST /jobs without sync on the bench context; returns at its 202 (the job's id)."""
        return self.client.submit(APP, workload.class_path, workload.config, context=CONTEXT).job_id

    def wait_job(self, job_id: str, timeout: float = 120.0) -> None:
        job = self.client.wait(job_id, timeout, poll=0.02)
        if job.status is not JobStatus.FINISHED:
            raise ServerError(f"job {job_id} ended {job.status}: {job.result}")

    def ready_spares(self) -> int:
        """Warm spare hosts nobody has claimed, read from the stack's contexts table (the pool
        keeps them there: functions/domain/pool.py), with the stack's own keys."""
        keys = read_credentials(self.scratch / "stack" / "aws.env")
        dynamodb = boto3.client(
            "dynamodb",
            endpoint_url=keys["AWS_ENDPOINT_URL"],
            region_name=keys["AWS_DEFAULT_REGION"],
            aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
        )
        items = dynamodb.scan(
            TableName=f"{STACK_NAME}-contexts",
            FilterExpression="#st = :spare AND attribute_exists(endpoint) AND attribute_not_exists(takenBy)",
            ExpressionAttributeNames={"#st": "state"},
            ExpressionAttributeValues={":spare": {"S": ContextState.SPARE.value}},
        )["Items"]
        return len(items)

    def wait_spare(self, timeout: float = 180.0) -> None:
        """Until a warm spare is ready: a pooled start measured then is one a user would get."""
        deadline = time.monotonic() + timeout
        while not self.ready_spares():
            if time.monotonic() > deadline:
                raise ServerError(f"no warm spare host was ready within {timeout:g} s")
            time.sleep(0.2)

    def delete_context(self, name: str) -> None:
        self.client.delete_context(name)

    def wait_contexts(self, expected: set[str], timeout: float = 120.0) -> None:
        """Until the live contexts are exactly `expected` (a transient context ends after its job)."""
        deadline = time.monotonic() + timeout
        while set(self.client.contexts()) != expected:
            if time.monotonic() > deadline:
                raise ServerError(f"contexts other than {sorted(expected)} still live after {timeout:g} s")
            time.sleep(0.2)

    def close(self) -> None:
        self.client.close()
        stack, self.stack = self.stack, None
        if stack is not None and stack.process is not None:
            stack.stop()  # Ctrl-C as a user stops `make up`: it ends its context hosts too


class SparkSubmit:
    """One cold `spark-submit` (pyspark's own bin/spark-submit, local[2]) per job."""

    name = "spark-submit"

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch / "spark-submit"
        self._running: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    def start(self) -> "SparkSubmit":
        self.scratch.mkdir(parents=True, exist_ok=True)
        return self

    def runner(self, workload: Workload) -> Runner | None:
        if workload.jar:  # spark-submit runs a jar's main(); SJS's job classes need a job server
            return None
        command = [
            str(PYSPARK_HOME / "bin" / "spark-submit"),
            "--master",
            MASTER,
            *spark_conf_flags(),
            str(ROOT / "bench" / "submit_job.py"),
            workload.class_path,
            json.dumps(workload.config),
        ]

        def run() -> Any:
            process = subprocess.Popen(
                command,
                cwd=self.scratch,
                env=spark_env(self.scratch),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its JVM and Python driver are ours to kill as a group
            )
            with self._lock:
                self._running.add(process)
            try:
                out, err = process.communicate(timeout=300)
            finally:
                stop_group(process, grace=5.0)
                with self._lock:
                    self._running.discard(process)
            lines = [line for line in out.decode().splitlines() if line.startswith(RESULT_PREFIX)]
            if process.returncode != 0 or not lines:
                raise RuntimeError(f"spark-submit exited {process.returncode}:\n{err.decode()[-3000:]}")
            return json.loads(lines[-1].removeprefix(RESULT_PREFIX))

        return run

    def close(self) -> None:
        with self._lock:
            running = list(self._running)
        for process in running:
            stop_group(process, grace=5.0)


class SparkConnect:
    """pyspark's bundled Spark Connect server (local[2], loopback only, the host's Spark defaults)
    and a Connect client session in this process. DataFrame workloads only."""

    name = "spark-connect"

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch / "spark-connect"
        self.port = free_port()
        self.log = self.scratch / "server.log"
        self.client: Any = None
        self.process: subprocess.Popen[bytes] | None = None
        self.start_ms = 0.0

    def start(self, start_seconds: float = 180.0) -> "SparkConnect":
        """Launch the server, wait until a client query answers; `start_ms` is how long that took."""
        self.scratch.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with open(self.log, "wb") as out:
            # --wait keeps it in the foreground (no daemon, no pid file): its process group is ours.
            self.process = subprocess.Popen(
                [
                    str(PYSPARK_HOME / "sbin" / "start-connect-server.sh"),
                    "--wait",
                    "--master",
                    MASTER,
                    *spark_conf_flags(),
                    "--conf",
                    "spark.connect.grpc.binding.address=127.0.0.1",
                    "--conf",
                    f"spark.connect.grpc.binding.port={self.port}",
                ],
                cwd=self.scratch,
                env=spark_env(self.scratch),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + start_seconds
        while not self._listening():
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = self.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the Spark Connect server did not start:\n{tail}")
            time.sleep(0.1)
        from pyspark.sql.connect.session import SparkSession as RemoteSparkSession

        self.client = RemoteSparkSession.builder.remote(f"sc://127.0.0.1:{self.port}").getOrCreate()
        self.client.range(1).count()  # the server answers queries, not just TCP
        self.start_ms = (time.perf_counter() - started) * 1000
        return self

    def _listening(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def runner(self, workload: Workload) -> Runner | None:
        if not workload.dataframe_only:
            return None
        return job_runner(self.client, workload.class_path, workload.config)

    def close(self) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            try:
                client.stop()
            except Exception as e:  # the server may already be gone; its process is what matters
                print(f"bench: closing the Spark Connect client: {e}", file=sys.stderr)
        stop_group(self.process, grace=30.0)
        self.process = None
