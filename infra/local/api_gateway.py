"""A local stand-in for API Gateway (HTTP API, payload 2.0), as a WSGI application: each request
becomes the event API Gateway would send, binary bodies included, the API function's handler runs
in this process, and its answer goes back as the HTTP response.

The HTTP server in front (gunicorn, infra/local/api_server.py) parses and frames requests; this
module only bounds the body: over the limit is 413 before anything is read (Content-Length) or as
soon as the limit is passed (chunked), and a body that stops arriving is 400, in SJS's error shape."""

import base64
import json
import time
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from gunicorn.http.errors import ParseException

from infra.local.lambda_runtime import Handler, invoke

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def api_gateway_event(
    method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str
) -> dict[str, Any]:
    """The event API Gateway sends for one request; `raw_path` may carry the query string."""
    path, _, raw_query = raw_path.partition("?")
    headers = {key.lower(): value for key, value in headers.items()}
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": headers,
        "queryStringParameters": query or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": headers.get("host", "localhost"),
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": headers.get("user-agent", ""),
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


class BodyRejected(Exception):
    """A body the function must not see, with the status that says why."""

    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


class ApiGateway:
    """The WSGI application: one request → one invocation of `handler` in this process."""

    def __init__(self, handler: Handler, function_name: str, max_body_bytes: int):
        self.handler = handler
        self.function_name = function_name
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            body = self.read_body(environ)
        except BodyRejected as rejected:
            error = json.dumps({"status": "ERROR", "result": str(rejected)}, separators=(",", ":")).encode()
            return _respond(start_response, rejected.status, [("Content-Type", "application/json")], error)
        event = api_gateway_event(
            environ["REQUEST_METHOD"], environ["RAW_URI"], _headers(environ), body, environ["REMOTE_ADDR"]
        )
        response = invoke(self.handler, event, self.function_name)
        payload = response.get("body") or ""
        data = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
        headers = [
            *(response.get("headers") or {}).items(),
            *(("Set-Cookie", cookie) for cookie in response.get("cookies") or []),
        ]
        return _respond(start_response, response.get("statusCode", 200), headers, data)

    def read_body(self, environ: dict[str, Any]) -> bytes:
        """The whole body, within the limit. gunicorn has checked the framing headers' syntax."""
        limit, stream = self.max_body_bytes, environ["wsgi.input"]
        declared = int(environ.get("CONTENT_LENGTH") or 0)
        if declared > limit:
            raise BodyRejected(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, _too_large(limit))
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        try:
            body = stream.read(limit + 1) if chunked else stream.read(declared)
        except ParseException as e:
            raise BodyRejected(HTTPStatus.BAD_REQUEST, f"Malformed chunked request body: {e}") from e
        except OSError as e:  # the socket's read timeout, or the client went away
            raise BodyRejected(HTTPStatus.BAD_REQUEST, INCOMPLETE) from e
        if len(body) > limit:
            raise BodyRejected(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, _too_large(limit))
        if len(body) < declared:
            raise BodyRejected(HTTPStatus.BAD_REQUEST, INCOMPLETE)
        return body


INCOMPLETE = "Request body incomplete: the client stopped sending before its end"


def _too_large(limit: int) -> str:
    return (
        f"Request body larger than {limit} bytes (limits.max-body-bytes); "
        "upload a larger package through POST /binaries/{appName}/uploads"
    )


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {key[5:].replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")}
    for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        if environ.get(key):
            headers[name] = environ[key]
    return headers


def _respond(
    start_response: StartResponse, status: int, headers: list[tuple[str, str]], body: bytes
) -> list[bytes]:
    """The response with its length, so it needs no chunked framing."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    fields = [(name, value) for name, value in headers if name.lower() != "content-length"]
    start_response(f"{status} {reason}", [*fields, ("Content-Length", str(len(body)))])
    return [body]
