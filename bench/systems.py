"""The four ways to run a workload, behind one small interface: `runner(workload)` gives a callable
that runs the job once and returns its result (or None when the system cannot run that workload).

Each system owns the processes it starts and stops them in `close()`. Constructing one starts
nothing; the suite registers `close()` first and only then calls `start()`, so whatever way it
leaves (error, Ctrl-C, SIGTERM, even halfway through a start) everything started gets stopped:
the local stack via its own stop(), the Spark Connect server and every spark-submit by their
process group."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyspark

from bench.submit_job import RESULT_PREFIX
from bench.workloads import ROOT, Workload, job_runner
from context_host.spark_conf import DEFAULTS, engine_conf
from events.settings import ContextSettings
from examples.build import build_package
from infra.local.child import StackProcess, free_port
from jobserver_client import JobServer, JobStatus, NoSlotsAvailable, NotFound

PYSPARK_HOME = Path(pyspark.__file__).resolve().parent
MASTER = "local[2]"  # every system gets the same two cores: the context's num-cpu-cores=2
CORES = 2
APP = "bench"
CONTEXT = "bench"
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
        return job_runner(self.session, workload.class_path, workload.config)

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


class ServerError(RuntimeError):
    pass


class Server:
    """This job server: the real local stack (`make up`) on free ports, the example egg uploaded,
    one warm context; jobs are sync `POST /jobs` through the typed client."""

    name = "server"

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.stack: StackProcess | None = StackProcess(scratch / "stack", STACK_NAME="sjs-bench")
        self.url = self.stack.url
        self.client = JobServer(self.url)

    def start(self) -> "Server":
        assert self.stack is not None
        self.stack.start()
        self.client.upload_binary(APP, build_package(self.scratch / "example_jobs.egg"))
        self.create_context(CONTEXT)
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

        def run() -> Any:
            while True:
                try:
                    job = server.submit(APP, workload.class_path, workload.config, context=context, sync=True)
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

    def create_context(self, name: str) -> None:
        """Returns once the context is usable (that is the API's contract)."""
        self.client.create_context(name, num_cpu_cores=CORES)

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

    def runner(self, workload: Workload) -> Runner:
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
