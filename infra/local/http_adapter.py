"""A local stand-in for API Gateway (HTTP API, payload 2.0): each HTTP request becomes the event
API Gateway would send, binary bodies included, and is handed to a worker process that runs the
real handler, one request at a time, as a Lambda container would. (Powertools' resolver keeps
the current event on a shared object, so requests must not share a process concurrently.)"""

import base64
import functools
import logging
import multiprocessing
import threading
import time
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import import_module
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from infra.local.processes import follow_parent

log = logging.getLogger("sjs.http")

_handler: Any = None


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


def _load_handler(handler_path: str, warm_event: dict[str, Any] | None) -> None:
    """A worker's cold start: import the handler and, if given, serve one request nobody waits for."""
    global _handler
    follow_parent()
    module_name, _, attribute = handler_path.rpartition(".")
    _handler = getattr(import_module(module_name), attribute)
    if warm_event is not None:
        _invoke(warm_event, "warm-up")


def _invoke(event: dict[str, Any], function_name: str) -> dict[str, Any]:
    request_id = event.get("requestContext", {}).get("requestId") or str(uuid.uuid4())
    return _handler(event, LocalLambdaContext(function_name, request_id))


class FunctionPool:
    """N warm 'containers' of one function, each in its own process."""

    def __init__(
        self, handler_path: str, function_name: str, size: int, warm_event: dict[str, Any] | None = None
    ):
        self.function_name = function_name
        self.size = size
        self._new_executor = functools.partial(
            ProcessPoolExecutor,
            max_workers=size,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load_handler,
            initargs=(handler_path, warm_event),
        )
        self._executor = self._new_executor()
        self._lock = threading.Lock()

    def warm(self) -> list[Future]:
        """Start every worker now rather than on the first requests; done when these are."""
        return [self._executor.submit(time.sleep, 0.2) for _ in range(self.size)]

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        executor = self._executor
        try:
            return executor.submit(_invoke, event, self.function_name).result()
        except BrokenProcessPool:
            with self._lock:  # a worker died (e.g. out of memory): fresh containers, as Lambda would
                if self._executor is executor:
                    self._executor = self._new_executor()
            raise

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def api_gateway_event(
    method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str
) -> dict:
    url = urlsplit(raw_path)
    query: dict[str, str] = {}
    for key, value in parse_qsl(url.query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": url.path,
        "rawQueryString": url.query,
        "headers": {key.lower(): value for key, value in headers.items()},
        "queryStringParameters": query or None,
        "pathParameters": {"proxy": url.path.lstrip("/")},
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": headers.get("Host", "localhost"),
            "http": {
                "method": method,
                "path": url.path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": headers.get("User-Agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": base64.b64encode(body).decode() if body else None,
        "isBase64Encoded": bool(body),
    }


def serve(pool: FunctionPool, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server (not yet serving) that sends every request through `pool`."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = (
            True  # headers and body leave in two writes; Nagle would hold the body ~40 ms
        )

        def _handle(self) -> None:
            started = time.perf_counter()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            event = api_gateway_event(
                self.command, self.path, dict(self.headers), body, self.client_address[0]
            )
            try:
                response = pool.invoke(event)
            except Exception:
                log.exception("%s %s failed in the function", self.command, self.path)
                response = {
                    "statusCode": 502,
                    "headers": {"Content-Type": "application/json"},
                    "body": '{"status": "ERROR", "result": "the API function crashed"}',
                }
            payload = response.get("body") or ""
            data = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
            self.send_response(response.get("statusCode", 200))
            for name, value in (response.get("headers") or {}).items():
                self.send_header(name, value)
            for name, values in (response.get("multiValueHeaders") or {}).items():
                for value in values:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            log.info(
                "%s %s %s %.1f ms",
                self.command,
                self.path,
                response.get("statusCode"),
                (time.perf_counter() - started) * 1000,
            )

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

        def log_message(self, format: str, *args: Any) -> None:  # the line above says it, once
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
