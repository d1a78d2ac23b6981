"""The host's side of its job workers: starting them in the context's sandbox, handing them
jobs, and replacing one that died or was killed.

A context runs at most its slot count of jobs at once, one per worker, so the pool never holds
more workers than slots. It keeps a spare started ahead, so a job rarely waits for a worker's
start (~0.5 s: a Python process importing pyspark and joining the JVM); the first one starts
with the context."""

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from context_host.channel import Channel, ChannelClosed
from context_host.engine import GatewayAccess
from context_host.job_output import WorkerOutput
from context_host.sandbox import Sandbox
from events.worker_protocol import FromWorker, JoinEngine, WorkerReady, from_worker

log = logging.getLogger(__name__)

READY_SECONDS = 120.0
CLOSE_WAIT_SECONDS = 10.0  # for a worker still starting when the pool closes (a start takes ~0.5 s)


class WorkerGone(Exception):
    """The worker died, was killed, or broke the protocol (job code may do all three)."""


class Worker:
    def __init__(self, index: int, process: subprocess.Popen[bytes], channel: Channel, lifeline: int):
        self.index = index
        self._process = process
        self._channel = channel
        self._lifeline = lifeline  # the write end; the worker exits when it closes
        self.killed = False
        assert process.stdout is not None
        self.output = WorkerOutput(process.stdout, f"{index}:{process.pid}")  # its stdout and stderr

    @property
    def pid(self) -> int:
        return self._process.pid

    def send(self, message: BaseModel) -> None:
        try:
            self._channel.send(message)
        except ChannelClosed as e:
            raise WorkerGone(self._death(str(e))) from None

    def receive(self) -> FromWorker:
        try:
            return self._channel.receive(from_worker)
        except ChannelClosed as e:
            raise WorkerGone(self._death(str(e))) from None

    def receive_bytes(self, count: int) -> bytes:
        try:
            return self._channel.receive_bytes(count)
        except ChannelClosed as e:
            raise WorkerGone(self._death(str(e))) from None

    def kill(self) -> None:
        """End the worker and whatever job code it started, at once."""
        self.killed = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._lifeline)
        self._channel.close()
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self.kill()
            self._process.wait()

    def _death(self, detail: str) -> str:
        """How the worker ended, for the job's error: its exit code or signal if it has exited."""
        try:
            code = self._process.wait(2)
        except subprocess.TimeoutExpired:
            self.kill()
            return f"the job's worker process broke off ({detail}) and was ended"
        if code < 0:
            return f"the job's worker process was ended by signal {signal.Signals(-code).name}"
        return f"the job's worker process exited with code {code}"


@dataclass(frozen=True)
class WorkerSpec:
    """What every worker of a context is started with."""

    sandbox: Sandbox
    gateway: GatewayAccess
    memory_limit_bytes: int | None
    max_result_bytes: int

    def start(self, index: int, warm_up_spark: bool = False) -> Worker:
        """Start a worker and wait until it has joined the JVM (and, with `warm_up_spark`, run
        Spark's first jobs on it)."""
        host_end, worker_end = socket.socketpair()
        lifeline_read, lifeline_write = os.pipe()
        try:
            process = subprocess.Popen(
                [
                    sys.executable, "-u", "-m", "context_host.worker",
                    "--socket-fd", str(worker_end.fileno()), "--lifeline-fd", str(lifeline_read),
                ],
                env=self.sandbox.env(),
                cwd=self.sandbox.root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,  # read by the host: the log of the job it runs (job_output.py)
                stderr=subprocess.STDOUT,
                pass_fds=(worker_end.fileno(), lifeline_read),
                **self.sandbox.popen_args(self.memory_limit_bytes),
            )  # fmt: skip
        finally:
            worker_end.close()
            os.close(lifeline_read)
        host_end.settimeout(READY_SECONDS)  # joining the JVM; after that, waits are unbounded
        worker = Worker(index, process, Channel(host_end), lifeline_write)
        join = JoinEngine(
            gatewayPort=self.gateway.port,
            gatewaySecret=self.gateway.secret,
            schedulerPool=f"worker-{index}",
            maxResultBytes=self.max_result_bytes,
            warmUpSpark=warm_up_spark,
        )
        try:
            worker.send(join)
            if not isinstance(worker.receive(), WorkerReady):
                raise WorkerGone("the worker did not say it was ready")
        except WorkerGone:
            worker.kill()
            worker.close()
            raise
        host_end.settimeout(None)
        return worker


class WorkerPool:
    def __init__(self, start: Callable[[int, bool], Worker], size: int):
        self._start = start
        self._size = size
        self._idle: list[Worker] = []
        self._free_indexes = list(range(size))  # scheduler pools are named by index: a bounded set
        self._starting = 0
        self._closed = False
        self._changed = threading.Condition()

    def start_spare(self) -> None:
        """Start one worker ahead of need, unless one is idle or starting already."""
        with self._changed:
            if not self._idle and not self._starting:
                self._launch()

    def _launch(self, warm_up_spark: bool = False) -> None:
        """Start a worker on a thread of its own, if there is room (called holding the lock)."""
        if self._closed or not self._free_indexes:
            return
        index = self._free_indexes.pop(0)
        self._starting += 1
        threading.Thread(
            target=self._add, args=(index, warm_up_spark), name=f"start-worker-{index}", daemon=True
        ).start()

    def _add(self, index: int, warm_up_spark: bool) -> None:
        try:
            worker: Worker | None = self._start(index, warm_up_spark)
        except Exception:
            log.exception("a job worker failed to start")
            worker = None
        with self._changed:
            self._starting -= 1
            if worker is None:
                self._free_indexes.append(index)
            elif self._closed:
                worker.kill()
            else:
                self._idle.append(worker)
            self._changed.notify_all()

    def warm(self, warm_up_spark: bool = False) -> None:
        """Start the first worker and wait until it is ready; WorkerGone if it cannot start.
        With `warm_up_spark` it first runs Spark's first jobs (worker/spark.py `warm_up`)."""
        with self._changed:
            self._launch(warm_up_spark)
            if not self._changed.wait_for(lambda: self._idle or not self._starting, READY_SECONDS):
                raise WorkerGone(f"no job worker was ready within {READY_SECONDS:g} s")
            if not self._idle:
                raise WorkerGone("the first job worker failed to start; see the context's log")

    def take(self) -> Worker:
        """An idle worker, started when none is; WorkerGone when the pool is closed."""
        with self._changed:
            while not self._idle:
                if self._closed:
                    raise WorkerGone("the context is stopping")
                if not self._starting:
                    self._launch()
                self._changed.wait(1.0)
            worker = self._idle.pop()
            if not self._idle and not self._starting:
                self._launch()
        return worker

    def give_back(self, worker: Worker) -> None:
        worker.output.detach()  # what it writes from now on is no longer its last job's
        with self._changed:
            if self._closed:
                worker.kill()
            else:
                self._idle.append(worker)
            self._changed.notify_all()

    def discard(self, worker: Worker) -> None:
        """A worker that died or was killed: end it for good and make room for another."""
        worker.kill()
        worker.output.detach()
        threading.Thread(target=worker.close, name=f"reap-worker-{worker.index}", daemon=True).start()
        with self._changed:
            self._free_indexes.append(worker.index)
            if not self._idle and not self._starting:
                self._launch()
            self._changed.notify_all()

    def close(self) -> None:
        """End every idle worker; a worker still starting is waited for (briefly) and ended, so
        none is left joining an engine that is being stopped."""
        with self._changed:
            self._closed = True
            self._changed.wait_for(lambda: not self._starting, CLOSE_WAIT_SECONDS)
            idle, self._idle = self._idle, []
            self._changed.notify_all()
        for worker in idle:
            worker.kill()
            worker.close()
