"""The host's private endpoint: the sync lane. A sync job on a warm context comes straight from
the API here, as a request/response call (as Lambda offers `RequestResponse` beside `Event`), and
the answer is the job's end, stored before it is sent. Async jobs, events and all durable state
keep the queue and the tables.

Served by waitress (a maintained WSGI server) on the host's own address: 127.0.0.1 locally, the
task's private address on AWS (reachable only from the API function's security group). Every call
carries the incarnation's secret, which only the contexts table and this host hold; job code,
which runs in the sandbox, sees neither."""

import hmac
import json
import logging
import secrets
import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any

import waitress.server
from pydantic import ValidationError

from events.messages import Adoption, JobEnded, JobRequested
from infra.stores.jobs import JobRecord

log = logging.getLogger(__name__)

SECRET_HEADER = "HTTP_X_SJS_HOST_SECRET"
MAX_REQUEST_BYTES = 1 << 20  # a job request: its config is limited far below this by the API


class HostEndpoint:
    def __init__(
        self,
        run: Callable[[JobRequested], Future[JobRecord | None]],
        adopt: Callable[[Adoption], None] | None,
        bind: str,
        port: int,
        threads: int,
    ):
        """`run` runs a job to its end; `adopt`, on a spare host, binds it to a context."""
        self._run = run
        self._adopt = adopt
        self.secret = secrets.token_urlsafe(32)
        self._server = waitress.server.create_server(
            self._app, host=bind, port=port, threads=threads, clear_untrusted_proxy_headers=True
        )
        port = self._server.socket.getsockname()[1]
        address = bind if bind not in ("0.0.0.0", "") else socket.gethostbyname(socket.gethostname())
        self.url = f"http://{address}:{port}"

    def start(self) -> None:
        threading.Thread(target=self._server.run, name="endpoint", daemon=True).start()

    def stop(self) -> None:
        self._server.close()

    def _app(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if not hmac.compare_digest(environ.get(SECRET_HEADER, ""), self.secret):
            return _answer(start_response, "403 Forbidden", b'{"error": "not this host\'s secret"}')
        route = (environ["REQUEST_METHOD"], environ.get("PATH_INFO"))
        if route not in (("POST", "/jobs"), ("POST", "/adopt")) or (route[1] == "/adopt" and not self._adopt):
            return _answer(start_response, "404 Not Found", b'{"error": "no such route here"}')
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > MAX_REQUEST_BYTES:
            return _answer(start_response, "413 Payload Too Large", b'{"error": "too large"}')
        body = environ["wsgi.input"].read(length)
        try:
            message = (Adoption if route[1] == "/adopt" else JobRequested).model_validate_json(body)
        except ValidationError as e:
            problem = json.dumps({"error": e.errors()[0]["msg"]}).encode()
            return _answer(start_response, "400 Bad Request", problem)
        if isinstance(message, Adoption):
            return self._adopted(message, start_response)
        request = message
        ended = self._run(request).result()
        end = ended.as_end() if ended is not None else None  # None: it ended elsewhere; read the record
        answer = JobEnded(jobId=request.jobId, end=end).model_dump_json().encode()
        return _answer(start_response, "200 OK", answer)


    def _adopted(self, adoption: Adoption, start_response: Callable) -> list[bytes]:
        assert self._adopt is not None
        try:
            self._adopt(adoption)
        except Exception as e:  # the API then starts the context cold
            log.warning("adoption by %s refused: %s", adoption.context, e)
            return _answer(start_response, "409 Conflict", json.dumps({"error": str(e)}).encode())
        return _answer(start_response, "200 OK", b'{"adopted": true}')


def _answer(start_response: Callable, status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
