"""What the local stack offers a function's code in place of Lambda's runtime: the handler loaded
from its template.yaml path, the context object, and pools of warm "containers" (one process each,
one event at a time) for the invokes the stack makes itself: the queue dispatchers (SQS event
sources) and the reconciler's schedule. The API function runs under the HTTP server
(infra/local/api_server.py) instead."""

import functools
import multiprocessing
import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from infra.hardening import conceal
from infra.local.processes import exit_with, ignore_ctrl_c

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LocalLambdaContext:
    """The LambdaContext parts Powertools reads (Logger; Idempotency asks for the time left)."""

    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:local"
    timeout_seconds: float = 900.0
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.started + self.timeout_seconds - time.monotonic()) * 1000))


def load_handler(handler_path: str) -> Handler:
    """The handler template.yaml names, e.g. 'functions.api.app.lambda_handler'."""
    module_name, _, attribute = handler_path.rpartition(".")
    return getattr(import_module(module_name), attribute)


def invoke(handler: Handler, event: dict[str, Any], function_name: str) -> Any:
    """One invocation, with the request id API Gateway put in the event when there is one."""
    request_id = event.get("requestContext", {}).get("requestId") or str(uuid.uuid4())
    return handler(event, LocalLambdaContext(function_name, request_id))


_handler: Handler | None = None


def _start_container(handler_path: str, stack_pid: int) -> None:
    """A pool worker's cold start. Workers share the stack's process group, so they ignore Ctrl-C."""
    global _handler
    ignore_ctrl_c()
    conceal()  # it holds the stack's AWS keys: closed to job code of the same user
    exit_with(stack_pid)
    _handler = load_handler(handler_path)


def _invoke_here(event: dict[str, Any], function_name: str) -> Any:
    assert _handler is not None
    return invoke(_handler, event, function_name)


class FunctionPool:
    """N warm 'containers' of one function, each in its own process."""

    def __init__(self, handler_path: str, function_name: str, size: int):
        self.function_name = function_name
        self.size = size
        self._new_executor = functools.partial(
            ProcessPoolExecutor,
            max_workers=size,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_container,
            initargs=(handler_path, os.getpid()),
        )
        self._executor = self._new_executor()
        self._lock = threading.Lock()

    def warm(self) -> list[Future]:
        """Start every worker now rather than on the first invokes; done when these are."""
        return [self._executor.submit(time.sleep, 0.2) for _ in range(self.size)]

    def invoke(self, event: dict[str, Any]) -> Any:
        executor = self._executor
        try:
            return executor.submit(_invoke_here, event, self.function_name).result()
        except BrokenProcessPool:
            with self._lock:  # a worker died (e.g. out of memory): fresh containers, as Lambda would
                if self._executor is executor:
                    self._executor = self._new_executor()
            raise

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
