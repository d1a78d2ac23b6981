"""The local API's HTTP server: worker crashes stay contained, and malformed or oversized requests get
an answer, never a hang or a dropped connection. Raw sockets where a client library would fix the
framing up itself."""

import os
import signal
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from functions.domain.waiting import wait_until
from tests.integration.conftest import SLOW, STACK_NAME, WORDCOUNT, Stack, children, cmdline

ANSWER_SECONDS = 30  # bounds every raw exchange; the server's own read timeout is 10 s
LIMIT = 6 * 1024 * 1024  # limits.max-body-bytes by default
WORDS = 'input.strings = ["a", "b", "a"]'


def exchange(stack: Stack, request: bytes) -> bytes:
    """Send `request` as is and read the answer until the server closes the connection."""
    address = urlsplit(stack.url)
    with socket.create_connection((address.hostname, address.port), timeout=ANSWER_SECONDS) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def status_line(answer: bytes) -> str:
    return answer.split(b"\r\n", 1)[0].decode()


def json_body(answer: bytes) -> bytes:
    return answer.split(b"\r\n\r\n", 1)[1]


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ("Content-Length: abc", b""),
        ("Content-Length: -1", b""),
        ("Content-Length: 100", b'input.strings = ["cut short'),  # and then nothing more
        ("Transfer-Encoding: chunked", b"zz\r\nnot a chunk size\r\n0\r\n\r\n"),
    ],
    ids=["length-not-a-number", "negative-length", "length-longer-than-body", "bad-chunk-size"],
)
def test_malformed_framing_is_a_400(stack, headers, body):
    request = f"POST /jobs?appName=a&classPath=b HTTP/1.1\r\nHost: sjs\r\n{headers}\r\n\r\n".encode()
    assert status_line(exchange(stack, request + body)) == "HTTP/1.1 400 Bad Request"


def test_a_body_over_the_limit_is_a_413_before_it_is_sent(stack):
    request = f"POST /binaries/big HTTP/1.1\r\nHost: sjs\r\nContent-Length: {LIMIT + 1}\r\n\r\n".encode()
    answer = exchange(stack, request)
    assert status_line(answer) == "HTTP/1.1 413 Request Entity Too Large"
    assert json_body(answer).startswith(b'{"status":"ERROR","result":"Request body larger than 6291456 bytes')


def test_a_chunked_body_over_the_limit_is_a_413(stack):
    chunk = b"x" * 65536
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(LIMIT // len(chunk) + 1))
    request = b"POST /binaries/big HTTP/1.1\r\nHost: sjs\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert status_line(exchange(stack, request + chunks + b"0\r\n\r\n")).startswith("HTTP/1.1 413")


def test_an_oversized_upload_gets_the_413_not_a_reset(stack):
    answer = stack.call("POST", "/binaries/huge", data=os.urandom(LIMIT + 1024 * 1024))
    assert answer.status_code == 413
    assert answer.json()["status"] == "ERROR"


def test_a_connection_that_sends_nothing_is_closed(stack):
    address = urlsplit(stack.url)
    with socket.create_connection((address.hostname, address.port), timeout=ANSWER_SECONDS) as connection:
        assert connection.recv(1) == b""


def test_a_chunked_job_config_is_the_body(stack, app, context):
    def chunks():
        yield WORDS[:10].encode()
        yield WORDS[10:].encode()

    answer = stack.call(
        "POST", f"/jobs?appName={app}&classPath={WORDCOUNT}&context={context}&sync=true", data=chunks()
    )
    assert answer.request.headers["Transfer-Encoding"] == "chunked"
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == {"a": 2, "b": 1}


def test_a_crashed_worker_fails_only_its_own_request(stack, app, context):
    workers = api_workers(stack)
    tag = uuid.uuid4().hex
    with ThreadPoolExecutor(8) as clients:
        calls = [clients.submit(slow_sync_call, stack, app, context, tag) for _ in range(8)]
        _, busy = wait_until(lambda: running_jobs(stack, tag), lambda n: n >= len(workers), timeout=60)
        assert busy, "the API workers never all held a running job"
        os.kill(workers[0], signal.SIGKILL)
        outcomes = [call.result() for call in calls]

    assert sum(outcome != 200 for outcome in outcomes) <= 1, outcomes
    _, replaced = wait_until(lambda: api_workers(stack), lambda now: len(now) == len(workers), timeout=30)
    assert replaced
    with ThreadPoolExecutor(len(workers)) as clients:
        later = list(clients.map(lambda _: quick_sync_call(stack, app, context), workers))
    assert later == [200] * len(workers)


def slow_sync_call(stack: Stack, app: str, context: str, tag: str) -> int | str:
    """The status, or what broke the connection (the worker died holding this call)."""
    try:
        answer = stack.submit(app, SLOW, f'seconds = 1, tag = "{tag}"', context=context, sync="true")
    except OSError as e:  # requests' ConnectionError is one
        return repr(e)
    return answer.status_code


def quick_sync_call(stack: Stack, app: str, context: str) -> int:
    return stack.submit(app, WORDCOUNT, WORDS, context=context, sync="true").status_code


def running_jobs(stack: Stack, tag: str) -> int:
    return stack.aws("dynamodb").scan(
        TableName=f"{STACK_NAME}-jobs",
        FilterExpression="contains(#config, :tag) AND #status = :running",
        ExpressionAttributeNames={"#config": "config", "#status": "status"},
        ExpressionAttributeValues={":tag": {"S": tag}, ":running": {"S": "RUNNING"}},
        Select="COUNT",
    )["Count"]


def api_workers(stack: Stack) -> list[int]:
    """gunicorn's workers: the children of the API server process the stack started."""
    (server,) = [pid for pid in children(stack.pid) if b"infra.local.api_server" in cmdline(pid)]
    return children(server)
