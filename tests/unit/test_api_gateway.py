"""The API Gateway stand-in as the HTTP server calls it (WSGI): a request becomes the API function's
event, and bodies it must not take are refused before the function sees them."""

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest

from infra.local.api_gateway import ApiGateway

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 10


def request(method: str, uri: str, body: bytes = b"", **headers: str) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "RAW_URI": uri,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
        **headers,
    }
    setup_testing_defaults(environ)
    return environ


def call(gateway: ApiGateway, environ: dict[str, Any]) -> tuple[str, dict[str, str], Any]:
    started: dict[str, Any] = {}
    body = b"".join(gateway(environ, lambda status, headers: started.update(status=status, headers=headers)))
    return started["status"], dict(started["headers"]), json.loads(body)


@pytest.fixture
def gateway(aws) -> ApiGateway:
    from functions.api.app import lambda_handler

    return ApiGateway(lambda_handler, "ApiFunction", LIMIT)


def test_a_request_reaches_the_function_and_its_answer_comes_back(gateway):
    status, headers, body = call(gateway, request("GET", "/healthz"))
    assert (status, body) == ("200 OK", {"status": "OK"})
    assert headers["Content-Length"] == "15" and headers["Content-Type"] == "application/json"


def test_a_body_the_length_of_the_limit_is_taken(gateway):
    status, _, body = call(
        gateway, request("POST", "/jobs?appName=none&classPath=x", b"a = 123456", CONTENT_LENGTH="10")
    )
    assert (status, body["result"]) == ("404 Not Found", "appName none not found")


def test_a_declared_length_over_the_limit_is_a_413_before_reading(gateway):
    environ = request("POST", "/binaries/big", b"x" * (LIMIT + 1), CONTENT_LENGTH=str(LIMIT + 1))
    status, _, body = call(gateway, environ)
    assert status == "413 Request Entity Too Large" and body["status"] == "ERROR"
    assert environ["wsgi.input"].tell() == 0


def test_a_chunked_body_over_the_limit_is_a_413(gateway):
    environ = request("POST", "/binaries/big", b"x" * (LIMIT * 3), HTTP_TRANSFER_ENCODING="chunked")
    status, _, _ = call(gateway, environ)
    assert status == "413 Request Entity Too Large"
    assert environ["wsgi.input"].tell() == LIMIT + 1


def test_a_body_shorter_than_its_length_is_a_400(gateway):
    status, _, body = call(gateway, request("POST", "/jobs", b"abc", CONTENT_LENGTH="9"))
    assert status == "400 Bad Request"
    assert body == {
        "status": "ERROR",
        "result": "Request body incomplete: the client stopped sending before its end",
    }


def test_the_api_handler_imports_without_aws_clients_or_threads():
    """The HTTP server imports the handler once and forks its workers from that process
    (preload_app), which is sound only while importing it makes no boto3 client and no thread."""
    probe = (
        "import threading, functions.api.app; from infra.aws import client;"
        "from functions.wiring import services;"
        "print(threading.active_count(), client.cache_info().currsize, services.cache_info().currsize)"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert found.stdout.split() == ["1", "0", "0"]
