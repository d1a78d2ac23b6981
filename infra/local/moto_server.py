"""The embedded AWS: a moto server in its own process on LocalStack's edge port, so awslocal,
localstack-client and AWS_ENDPOINT_URL=http://127.0.0.1:4566 all reach it.

It is locked like an AWS account, because job code runs on this machine too: moto checks every
call's signature and IAM permissions (its access control, on from the first call), and only the
stack's own user, made inside the server before it serves, holds keys. Those are written to
`<state>/aws.env` (mode 0600) for the stack and its user's tools. moto's own control API
(/moto-api: reset the state, switch authentication off, dump every item) is closed.

The process serves moto's WSGI app with waitress rather than `python -m moto.server`: werkzeug's
development server closes the connection after every response, so each AWS call paid a new TCP
connection and a new server thread. moto also lists its package folder on every request to find
the service; that cannot change while it runs, so it is listed once. Together they take about a
third off each call, and the job hot path makes about eight in a row. And moto's EventBridge
builds six JSONPath parsers (a parser-table build each) for every event it delivers to a rule's
target; the paths are always the same, so the parsed paths are kept: a delivered event cost
~3 ms of moto's CPU more than any other call, which Spark on the same cores felt."""

import functools
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infra.hardening import conceal
from infra.local.presigned import as_header_signed, is_presigned
from infra.local.processes import exit_with

READY_SECONDS = 30
STACK_USER = "sjs-local-stack"
ALLOW_EVERYTHING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
THREADS = 128  # long polls (host job queues, API reply queues) hold a thread each for up to 20 s


class MotoServer:
    def __init__(self, host: str, port: int, log_path: Path, credentials_path: Path):
        self.url = f"http://{host}:{port}"
        self._args = [sys.executable, "-m", "infra.local.moto_server", host, str(port)]
        self._args += [str(credentials_path), str(os.getpid())]
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if _answers(self.url):
            raise RuntimeError(f"something already listens on {self.url}; stop it or set MOTO_PORT")
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._log_path, "ab") as log:
            self._process = subprocess.Popen(
                self._args,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                process_group=0,  # a terminal's Ctrl-C reaches the stack, which stops moto last
            )
        deadline = time.monotonic() + READY_SECONDS
        while not _answers(self.url):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto server did not start; see {self._log_path}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


def _answers(url: str) -> bool:
    """Whether anything answers HTTP there (moto refuses unsigned calls: a refusal is an answer)."""
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def serve(host: str, port: int, credentials_path: Path, stack_pid: int) -> None:
    """The server process's body (moto is imported here, not by the stack that starts it)."""
    exit_with(stack_pid)
    import jsonpath_ng.ext
    import moto.backends
    import waitress
    from moto import settings
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    conceal()
    os.environ.setdefault("MOTO_PORT", str(port))  # moto builds queue URLs from it
    services = frozenset(moto.backends.list_of_moto_modules())
    moto.backends.list_of_moto_modules = lambda: services
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)
    atomic_dynamodb()
    keys = _stack_user_keys()
    write_credentials(credentials_path, keys, f"http://{host}:{port}")
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0  # every call from here on is signed and authorised
    app = _guarded(DomainDispatcherApplication(create_backend_app), keys)
    waitress.serve(app, host=host, port=port, threads=THREADS, connection_limit=1000, _quiet=True)


def atomic_dynamodb() -> None:
    """Make moto's DynamoDB item writes atomic, as DynamoDB's are: moto checks a write's condition
    and then applies it (and a transaction's writes one by one) with nothing between them, so two
    threads of the server can both pass the same condition. The job server's one-party promises
    (one end per job, one slot back) rest on those conditions. One lock for the item writes and
    single-item reads; moto spends them under the GIL anyway, so little parallelism is lost."""
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend, "_atomic", False):
        return
    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items", "get_item"):
        method = getattr(DynamoDBBackend, name)

        def locked(self: Any, *args: Any, _method: Callable = method, **kwargs: Any) -> Any:
            with lock:
                return _method(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, functools.wraps(method)(locked))
    DynamoDBBackend._atomic = True


def _stack_user_keys() -> tuple[str, str]:
    """An IAM user allowed everything, and its access key: the stack's identity."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends

    iam = iam_backends[DEFAULT_ACCOUNT_ID]["aws"]
    iam.create_user(region_name="us-east-1", user_name=STACK_USER)
    iam.put_user_policy(STACK_USER, "everything", json.dumps(ALLOW_EVERYTHING))
    key = iam.create_access_key(STACK_USER)
    return key.access_key_id, key.secret_access_key


def _guarded(app: Callable, keys: tuple[str, str]) -> Callable:
    """moto's app without its control API, and taking presigned S3 URLs (see presigned.py)."""

    def guarded(environ: dict, start_response: Callable) -> Any:
        # moto checks signatures over the path as sent; it finds that in RAW_URI (werkzeug's and
        # gunicorn's name), which waitress calls REQUEST_URI. Without it, S3 keys with spaces fail.
        environ.setdefault("RAW_URI", environ.get("REQUEST_URI", ""))
        if environ.get("PATH_INFO", "").startswith("/moto-api"):
            return _refuse(start_response, "moto's control API is closed in this stack")
        if is_presigned(environ):
            problem = as_header_signed(environ, keys)
            if problem:
                return _refuse(start_response, problem)
        return app(environ, start_response)

    return guarded


def _refuse(start_response: Callable, reason: str) -> list[bytes]:
    start_response("403 Forbidden", [("Content-Type", "text/plain")])
    return [reason.encode()]


def write_credentials(path: Path, keys: tuple[str, str], endpoint: str) -> None:
    """`<state>/aws.env`: what `source`s into a shell, or `read_credentials` into a process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {
        "AWS_ACCESS_KEY_ID": keys[0],
        "AWS_SECRET_ACCESS_KEY": keys[1],
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.writelines(f"export {name}={value}\n" for name, value in values.items())


def read_credentials(path: Path) -> dict[str, str]:
    """The variables `<state>/aws.env` sets."""
    values = {}
    for line in path.read_text().splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        values[name] = value
    return values


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
