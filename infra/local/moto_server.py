"""The embedded AWS: a moto server in its own process on LocalStack's edge port, so awslocal,
localstack-client and AWS_ENDPOINT_URL=http://127.0.0.1:4566 all reach it.

The process serves moto's WSGI app with waitress rather than `python -m moto.server`: werkzeug's
development server closes the connection after every response, so each AWS call paid a new TCP
connection and a new server thread. moto also lists its package folder on every request to find
the service; that cannot change while it runs, so it is listed once. Together they take about a
third off each call, and the job hot path makes about eight in a row. And moto's EventBridge
builds six JSONPath parsers (a parser-table build each) for every event it delivers to a rule's
target; the paths are always the same, so the parsed paths are kept: a delivered event cost
~3 ms of moto's CPU more than any other call, which Spark on the same cores felt."""

import functools
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from infra.local.processes import exit_with

READY_SECONDS = 30
THREADS = 128  # long polls (host job queues, API reply queues) hold a thread each for up to 20 s


class MotoServer:
    def __init__(self, host: str, port: int, log_path: Path):
        self.url = f"http://{host}:{port}"
        self._args = [sys.executable, "-m", "infra.local.moto_server", host, str(port), str(os.getpid())]
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
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def serve(host: str, port: int, stack_pid: int) -> None:
    """The server process's body (moto is imported here, not by the stack that starts it)."""
    exit_with(stack_pid)
    import jsonpath_ng.ext
    import moto.backends
    import waitress
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    os.environ.setdefault("MOTO_PORT", str(port))  # moto builds queue URLs from it
    services = frozenset(moto.backends.list_of_moto_modules())
    moto.backends.list_of_moto_modules = lambda: services
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)
    app = DomainDispatcherApplication(create_backend_app)
    waitress.serve(app, host=host, port=port, threads=THREADS, connection_limit=1000, _quiet=True)


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
