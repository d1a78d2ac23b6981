"""The local API's HTTP server: gunicorn's pre-fork sync workers, each one "Lambda container" that
serves one request at a time (Powertools' resolver keeps the current event on a shared object),
in front of the API Gateway stand-in (infra/local/api_gateway.py). A worker that crashes fails
only the request it held; gunicorn's arbiter starts a warm replacement.

gunicorn runs in a child process of the stack (`python -m infra.local.api_server`): its arbiter
needs the main thread and the signals of its own process. The child has a process group of its
own, so a terminal's Ctrl-C reaches the stack alone, which stops this server first (SIGTERM:
gunicorn's graceful stop). The handler is imported once, in the arbiter, before the workers fork
(preload_app: nothing of boto3 exists at import time, clients are made on first use); each worker
then serves one GET /healthz to itself, which makes its AWS clients, before it takes requests,
and reports through a pipe so the stack knows when all are warm."""

import contextlib
import logging
import os
import select
import signal
import subprocess
import sys
import time
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.workers.base import Worker
from gunicorn.workers.sync import SyncWorker

from infra.config import Settings
from infra.hardening import conceal
from infra.local.api_gateway import ApiGateway, api_gateway_event
from infra.local.lambda_runtime import invoke, load_handler
from infra.local.processes import exit_with, signal_group

FUNCTION_NAME = "ApiFunction"
READY_SECONDS = 60
# A sync worker reports to the arbiter only between requests, so gunicorn's worker timeout is the
# longest request allowed: a sync job's wait (timeout ≤ 3600 s) plus a transient context's start.
WORKER_TIMEOUT_SECONDS = 2 * 3600
# On stop, requests in flight get this long to finish; a sync job they wait for keeps its record.
GRACEFUL_SECONDS = 5
# A client that sends nothing for this long, mid-request or before it, gets its worker back.
READ_SECONDS = 10
LOG_FORMAT = "%(asctime)s %(name)-10s %(message)s"


class ApiServer:
    """The stack's side: start the server process, wait until every worker is warm, stop it."""

    def __init__(self, handler_path: str, host: str, port: int, workers: int):
        self.url = f"http://{host}:{port}"
        self._args = [handler_path, host, str(port), str(workers)]
        self._workers = workers
        self._process: subprocess.Popen[bytes] | None = None
        self._ready = -1

    def start(self) -> None:
        """Launch the server; `wait_ready` says when it serves."""
        self._ready, ready_to_write = os.pipe()
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "infra.local.api_server",
                *self._args,
                str(ready_to_write),
                str(os.getpid()),
            ],
            stdin=subprocess.DEVNULL,
            pass_fds=(ready_to_write,),
            process_group=0,
        )
        os.close(ready_to_write)

    def wait_ready(self, timeout: float = READY_SECONDS) -> None:
        """Until each worker has served its warm-up request."""
        assert self._process is not None
        deadline, warm = time.monotonic() + timeout, 0
        try:
            while warm < self._workers:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise RuntimeError(
                        f"the API server had {warm} of {self._workers} workers warm after {timeout:g} s"
                    )
                if select.select([self._ready], [], [], remaining)[0]:
                    reported = os.read(self._ready, self._workers)
                    if not reported:  # every writer is gone: the server exited
                        raise RuntimeError(f"the API server exited ({self._process.wait()}) before it served")
                    warm += len(reported)
        finally:
            os.close(self._ready)

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(GRACEFUL_SECONDS + 5)
        except subprocess.TimeoutExpired:
            signal_group(self._process.pid, signal.SIGKILL)
            self._process.wait()


class ApiWorker(SyncWorker):
    """gunicorn's sync worker with a read timeout on each connection. Without one, a client that
    connects and sends nothing (a browser's preconnect) or stops mid-body holds the worker until
    the worker timeout, here hours; gunicorn has no such setting (benoitc/gunicorn#2652)."""

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        client.settimeout(READ_SECONDS)
        super().handle(listener, client, addr)


class QuietReadTimeouts(logging.Filter):
    """gunicorn logs a failed socket read with its traceback; a client that went quiet is routine."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], TimeoutError):
            record.msg, record.args = f"closed a connection that stalled for {READ_SECONDS} s", ()
            record.exc_info = record.exc_text = None
        return True


class _Server(BaseApplication):
    """gunicorn's documented custom application: settings from a dict, the app from `load`."""

    def __init__(self, handler_path: str, options: dict[str, Any]):
        self._handler_path = handler_path
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self) -> ApiGateway:
        limits = Settings.from_env().policy.limits
        return ApiGateway(load_handler(self._handler_path), FUNCTION_NAME, limits.max_body_bytes)


def serve(handler_path: str, host: str, port: int, workers: int, ready_fd: int, stack_pid: int) -> None:
    """The server process's body."""
    conceal()  # the arbiter and its workers hold the stack's AWS keys (prctl's flag survives fork)
    exit_with(stack_pid)

    def post_fork(arbiter: Arbiter, worker: Worker) -> None:
        exit_with(arbiter.pid)

    def post_worker_init(worker: Worker) -> None:
        invoke(worker.wsgi.handler, api_gateway_event("GET", "/healthz", {}, b"", "127.0.0.1"), FUNCTION_NAME)
        with contextlib.suppress(OSError):  # the stack stops listening once all first workers are warm
            os.write(ready_fd, b"w")

    def worker_exit(arbiter: Arbiter, worker: Worker) -> None:
        """A served worker leaves at once: tearing down its interpreter costs 0.2-1 s of CPU, and
        eight doing it together on two busy cores overran the graceful stop. (A worker that never
        booted keeps its exit code, which tells the arbiter to give up.)"""
        if worker.booted:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)

    _Server(
        handler_path,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": ApiWorker,
            "preload_app": True,
            "timeout": WORKER_TIMEOUT_SECONDS,
            "graceful_timeout": GRACEFUL_SECONDS,
            "control_socket_disable": True,
            "post_fork": post_fork,
            "post_worker_init": post_worker_init,
            "worker_exit": worker_exit,
            "access_log_format": '"%(r)s" %(s)s %(M)s ms',
            "logconfig_dict": {
                "formatters": {"stack": {"format": LOG_FORMAT, "datefmt": "%H:%M:%S"}},
                "filters": {"quiet_timeouts": {"()": QuietReadTimeouts}},
                "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "stack"}},
                "root": {"level": "WARNING", "handlers": ["stderr"]},
                "loggers": {
                    "gunicorn.error": {"level": "INFO", "propagate": True, "filters": ["quiet_timeouts"]},
                    "gunicorn.access": {"level": "INFO", "propagate": True},
                },
            },
        },
    ).run()


if __name__ == "__main__":
    handler, host, port, workers, ready_fd, stack_pid = sys.argv[1:]
    serve(handler, host, int(port), int(workers), int(ready_fd), int(stack_pid))
