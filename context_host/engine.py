"""A context's Spark driver: a JVM started in the context's sandbox, reached over py4j.

The host starts the JVM the way pyspark does (spark-submit's py4j gateway), but with the
sandbox's user and scrubbed environment, its settings in a private properties file rather than on
a command line every local process can read, and then creates the SparkSession in it with plain
py4j calls. The host never becomes a pyspark driver itself: pyspark's driver unpickles what the
JVM sends it (accumulator updates, collected rows), and job code controls this JVM. The job
workers (context_host/worker) are the pyspark drivers, each connected to this one JVM.

Liveness: the JVM is the host's child, so its exit is seen at once, and `alive` also asks it a
trivial question over a separate connection with a deadline, so a JVM that hangs (a driver out
of memory, in a GC spiral) is caught by the heartbeat too."""

import contextlib
import json
import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from py4j.java_gateway import GatewayParameters, JavaGateway
from pyspark.find_spark_home import _find_spark_home

from context_host.sandbox import Sandbox
from events.jobs import Progress

log = logging.getLogger(__name__)

START_SECONDS = 120.0
PING_SECONDS = 10.0
STOP_SECONDS = 20.0
EXIT_GRACE_SECONDS = 1.0
JVM_JOB_KILL_GRACE_MS = 1000  # an interrupted JVM job's thread is stopped after this
SETTLE_MS = 250  # how long an ended job's last progress waits for Spark's listeners, at most
SESSION_CLASS = "org.apache.spark.sql.classic.SparkSession"


class EngineFailed(Exception):
    """The JVM did not start, or its SparkSession could not be made."""


@dataclass(frozen=True)
class JobSample:
    """What a host reads of a running job: its progress, and the lines of the JVM's log events
    attributed to it (jvm/host JobLogEvents) since it was last read."""

    progress: Progress
    log: list[str]


@dataclass(frozen=True)
class GatewayAccess:
    """What a job worker needs to reach the JVM; handed over a pipe, never through the environment."""

    port: int
    secret: str


class SparkEngine:
    def __init__(self, sandbox: Sandbox, conf: Mapping[str, str]):
        self._sandbox = sandbox
        self._conf = dict(conf)
        self._process: subprocess.Popen[bytes] | None = None
        self._gateway: JavaGateway | None = None
        self._pinger: JavaGateway | None = None
        self._session: Any = None
        self._samples: Any = None  # jvm/host JobSamples, listening from the session's start
        self._queries: Any = None  # jvm/host JobQueries, the streaming queries each job started
        self._stopping = False
        self.access: GatewayAccess | None = None

    def start(self) -> None:
        """Start the JVM and its SparkSession; EngineFailed with the reason when it cannot."""
        properties = self._sandbox.root / "spark.properties"
        _write_properties(properties, {k: v for k, v in self._conf.items() if k.startswith("spark.")})
        if self._sandbox.user:
            os.chown(properties, self._sandbox.user.pw_uid, self._sandbox.user.pw_gid)
        conn_info = self._sandbox.root / "gateway"
        command = [
            os.path.join(_find_spark_home(), "bin", "spark-submit"),
            "--properties-file",
            str(properties),
            "pyspark-shell",
        ]
        env = self._sandbox.env(
            _PYSPARK_DRIVER_CONN_INFO_PATH=str(conn_info),
            SPARK_CONNECT_MODE="0",
            SPARK_SUBMIT_OPTS=f"-Duser.home={self._sandbox.root}",  # sandbox users have no home
        )
        self._process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.PIPE,  # the gateway exits when this closes: the JVM dies with its host
            **self._sandbox.popen_args(),
        )
        self.access = self._await_gateway(conn_info)
        self._gateway = _connect(self.access, read_timeout=None)
        self._pinger = _connect(self.access, read_timeout=PING_SECONDS)
        try:
            builder = getattr(self._gateway.jvm, SESSION_CLASS).builder()
            for key, value in self._conf.items():
                if not key.startswith("spark."):  # SJS's passthrough keys: spark-submit drops them from files
                    builder = builder.config(key, value)
            self._session = builder.getOrCreate()
            host = self._gateway.jvm.jobserver.host
            self._samples = host.JobSamples.forSession(self._session)
            self._queries = host.JobQueries.forSession(self._session)
        except Exception as e:
            raise EngineFailed(f"the SparkSession could not be created: {_first_line(e)}") from None

    def _await_gateway(self, conn_info: Path) -> GatewayAccess:
        assert self._process is not None
        deadline = time.monotonic() + START_SECONDS
        while not conn_info.is_file() or conn_info.stat().st_size < 8:
            if self._process.poll() is not None:
                raise EngineFailed(f"the JVM exited with code {self._process.returncode} while starting")
            if time.monotonic() > deadline:
                raise EngineFailed(f"the JVM did not open its gateway within {START_SECONDS:g} s")
            time.sleep(0.05)
        time.sleep(0.01)  # the port and the secret are written in one go, right after each other
        data = conn_info.read_bytes()
        conn_info.unlink()
        port = int.from_bytes(data[:4], "big", signed=True)
        length = int.from_bytes(data[4:8], "big", signed=True)
        return GatewayAccess(port, data[8 : 8 + length].decode())

    @property
    def ui_url(self) -> str | None:
        url = self._session.sparkContext().uiWebUrl()
        return url.get() if url.isDefined() else None

    @property
    def application_id(self) -> str:
        return self._session.sparkContext().applicationId()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def cancel(self, job_id: str) -> int:
        """Cancel the Spark jobs of a job's group (each job runs under a group named by its id),
        stop the streaming queries it started and a JVM job's own thread; how many of those were
        still running."""
        active = len(self.spark_job_ids(job_id, active=True))
        if active:
            self._session.sparkContext().cancelJobGroup(job_id)
        active += self._queries.stop(job_id)
        bridge = self._gateway.jvm.jobserver.host.JobBridge.forSession(self._session)
        if bridge.isRunning(job_id):
            active += 1
            bridge.kill(job_id, JVM_JOB_KILL_GRACE_MS)
        return active

    def sample(self, job_id: str, last: bool = False) -> JobSample:
        """How far a job's Spark work has got, streaming queries included, and the JVM's log
        events that are the job's since the last sample (one py4j call); `last` for a job that
        has ended: once Spark's listeners have caught up (bounded)."""
        answer = self._samples.last(job_id, SETTLE_MS) if last else self._samples.of(job_id)
        sample = json.loads(answer)["sample"]
        return JobSample(Progress.model_validate(sample["progress"]), sample["log"].splitlines())

    def forget(self, job_id: str) -> list[str]:
        """The job has ended and been sampled for the last time: its last log events."""
        return str(self._samples.forget(job_id)).splitlines()

    def set_conf(self, key: str, value: str) -> None:
        """Set a Spark setting the running session can take (SQL settings); raises when it cannot."""
        if not self._session.conf().isModifiable(key):
            raise ValueError(f"{key} cannot be changed on a running session")
        self._session.conf().set(key, value)

    def spark_job_ids(self, job_id: str, active: bool = False) -> list[int]:
        """The Spark jobs a job's group has started (only those still running, with `active`)."""
        tracker = self._session.sparkContext().statusTracker()
        ids = list(tracker.getJobIdsForGroup(job_id))
        if active:
            running = set(tracker.getActiveJobIds())
            ids = [spark_job for spark_job in ids if spark_job in running]
        return ids

    def death(self) -> str | None:
        """Why the JVM is dead or unresponsive, or None when it answers or is being stopped."""
        if self._stopping:
            return None
        if self._process is None:
            return "the JVM was never started"
        if self._process.poll() is not None:
            return self._exited()
        try:
            assert self._pinger is not None
            self._pinger.jvm.java.lang.System.currentTimeMillis()
        except Exception as e:
            try:  # most often it has just exited (another thread may be the one reaping it)
                self._process.wait(EXIT_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                return f"the context's JVM does not answer: {_first_line(e)}"
            return self._exited()
        return None

    def _exited(self) -> str:
        assert self._process is not None
        return f"the context's JVM exited with code {self._process.returncode}"

    def wait_exit(self) -> int:
        """Block until the JVM exits; its exit code."""
        assert self._process is not None
        return self._process.wait()

    def stop(self, graceful: bool = True) -> None:
        """Stop the SparkSession, then the JVM; bounded, kills what does not stop. Not `graceful`:
        kill the JVM at once, as killing the application (SJS's forced stop). A second call does
        nothing more."""
        self._stopping = True
        with contextlib.suppress(Exception):
            if graceful and self._session is not None and self._process and self._process.poll() is None:
                self._session.stop()
        for gateway in (self._gateway, self._pinger):
            with contextlib.suppress(Exception):
                if gateway is not None:
                    gateway.close()
        if self._process is None:
            return
        if not graceful:
            self._kill()
        with contextlib.suppress(Exception):
            assert self._process.stdin is not None
            self._process.stdin.close()
        try:
            self._process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._kill()
            self._process.wait()

    def _kill(self) -> None:
        assert self._process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)


def _connect(access: GatewayAccess, read_timeout: float | None) -> JavaGateway:
    """A plain py4j client: it only calls into the JVM and never serves calls back into this process."""
    return JavaGateway(
        gateway_parameters=GatewayParameters(
            port=access.port, auth_token=access.secret, auto_convert=True, read_timeout=read_timeout
        )
    )


def _write_properties(path: Path, conf: Mapping[str, str]) -> None:
    """Spark's properties file (java.util.Properties syntax: backslashes and line breaks escaped)."""
    lines = [f"{_escape(key)}={_escape(value)}" for key, value in sorted(conf.items())]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)


def _escape(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    return escaped.replace("=", "\\=").replace(":", "\\:")


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    for line in text.splitlines():
        if line.strip().startswith((": ", "java.", "org.", "Caused by")):
            return line.strip().lstrip(": ")
    return text.splitlines()[0] if text else type(error).__name__
